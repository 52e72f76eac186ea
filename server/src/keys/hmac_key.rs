//! A random HMAC-SHA-256 key of 32 bytes (the hash's output size, as RFC 2104 §3 recommends),
//! what [`FingerprintKey`](super::FingerprintKey) and [`AuditSealKey`](super::AuditSealKey) are
//! each made of: made at random, or read back from its bytes as the master key unwrapped them.

use aws_lc_rs::hmac;
use zeroize::Zeroizing;

use super::KeyError;

/// The key's length.
const LEN: usize = 32;

/// The key's bytes (zeroized on drop) and AWS-LC's key made from them. No `Debug`.
pub(super) struct HmacKey {
    bytes: Zeroizing<[u8; LEN]>,
    key: hmac::Key,
}

impl HmacKey {
    fn from_array(bytes: Zeroizing<[u8; LEN]>) -> HmacKey {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &*bytes);
        HmacKey { bytes, key }
    }

    /// A new random key.
    pub(super) fn generate() -> Result<HmacKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; LEN]);
        super::fill(&mut *bytes)?;
        Ok(HmacKey::from_array(bytes))
    }

    /// The key from its 32 bytes. Any other length is [`KeyError::Crypto`].
    pub(super) fn from_bytes(bytes: &[u8]) -> Result<HmacKey, KeyError> {
        let mut array = Zeroizing::new([0u8; LEN]);
        if bytes.len() != LEN {
            return Err(KeyError::Crypto);
        }
        array.copy_from_slice(bytes);
        Ok(HmacKey::from_array(array))
    }

    /// The key's 32 bytes, in a buffer zeroized on drop: for the master key to wrap.
    pub(super) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.bytes.to_vec())
    }

    /// AWS-LC's key, to sign and verify with.
    pub(super) fn key(&self) -> &hmac::Key {
        &self.key
    }
}
