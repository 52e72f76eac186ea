//! The audit seal key: what makes the audit log's hash chain evidence against someone who can
//! write to the database.
//!
//! The chain alone (`store/audit.rs`) is unkeyed, so that anyone can check it; but for the same
//! reason anyone who can write to the database can rewrite an entry and recompute every hash
//! after it, or cut the newest entries off. The vault therefore also keeps a *seal* of the log's
//! head: HMAC-SHA-256, under this key, over the head's `seq` and `hash` and the entry sealing
//! began after (`since`). The vault moves the seal forward in the same transaction as each
//! batch of entries it appends. Without this key, a change to the log cannot be made to match
//! the seal. The key is random, one per database, stored only wrapped by the master key
//! (context [`AUDIT_SEAL_KEY_CONTEXT`]).

use core::fmt;

use aws_lc_rs::hmac;
use zeroize::Zeroizing;

use super::KeyError;
use super::hmac_key::HmacKey;

/// The master key's wrapping context for the audit seal key.
pub const AUDIT_SEAL_KEY_CONTEXT: &str = "audit-seal-key";

/// Length of a seal (HMAC-SHA-256's output).
const LEN: usize = 32;

/// Domain separation for the seal's input.
const SEAL_TAG: &[u8] = b"cardvault-audit-seal-v1";

/// What a seal is the HMAC of: the tag, `since`, `seq` (big-endian) and `hash`.
fn message(since: i64, seq: i64, hash: &[u8; 32]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SEAL_TAG.len() + 16 + hash.len());
    message.extend_from_slice(SEAL_TAG);
    message.extend_from_slice(&since.to_be_bytes());
    message.extend_from_slice(&seq.to_be_bytes());
    message.extend_from_slice(hash);
    message
}

/// The HMAC-SHA-256 key that seals the audit log's head. Zeroized on drop; `Debug` prints none of
/// it.
pub struct AuditSealKey(HmacKey);

impl AuditSealKey {
    /// A new random key.
    pub fn generate() -> Result<AuditSealKey, KeyError> {
        HmacKey::generate().map(AuditSealKey)
    }

    /// The key from its 32 bytes (as unwrapped by the master key). Any other length is
    /// [`KeyError::Crypto`].
    pub fn from_bytes(bytes: &[u8]) -> Result<AuditSealKey, KeyError> {
        HmacKey::from_bytes(bytes).map(AuditSealKey)
    }

    /// The key's 32 bytes, in a buffer zeroized on drop: for the master key to wrap.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.0.to_bytes()
    }

    /// The seal of a head: HMAC-SHA-256 over a version tag, `since`, `seq` (big-endian) and
    /// `hash`.
    pub fn seal(&self, since: i64, seq: i64, hash: &[u8; 32]) -> [u8; LEN] {
        let tag = hmac::sign(self.0.key(), &message(since, seq, hash));
        let mut out = [0u8; LEN];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Whether `mac` is the seal of that head (compared in constant time).
    pub fn verifies(&self, since: i64, seq: i64, hash: &[u8; 32], mac: &[u8]) -> bool {
        hmac::verify(self.0.key(), &message(since, seq, hash), mac).is_ok()
    }
}

impl fmt::Debug for AuditSealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditSealKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_binds_its_key_and_every_field() {
        let key = AuditSealKey::generate().unwrap();
        let hash = [7u8; 32];
        let seal = key.seal(0, 12, &hash);
        assert!(key.verifies(0, 12, &hash, &seal));
        assert_eq!(seal, key.seal(0, 12, &hash), "deterministic");
        assert!(!key.verifies(1, 12, &hash, &seal));
        assert!(!key.verifies(0, 11, &hash, &seal));
        assert!(!key.verifies(0, 12, &[8u8; 32], &seal));
        assert!(!key.verifies(0, 12, &hash, &seal[..31]));
        // Another key, and the same key through its bytes (as stored wrapped).
        assert!(
            !AuditSealKey::generate()
                .unwrap()
                .verifies(0, 12, &hash, &seal)
        );
        let again = AuditSealKey::from_bytes(&key.to_bytes()).unwrap();
        assert!(again.verifies(0, 12, &hash, &seal));
        assert_eq!(
            AuditSealKey::from_bytes(&[0u8; 16]).unwrap_err(),
            KeyError::Crypto
        );
        assert_eq!(format!("{key:?}"), "AuditSealKey(redacted)");
    }
}
