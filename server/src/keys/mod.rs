//! Key custody: every key the vault holds, and the only code that touches their bytes.
//!
//! Four kinds of key, in four modules:
//!
//! - [`master`]: the [`MasterKey`] (AES-256-GCM) wraps every other key at rest. It is held in
//!   one of two custodies, one module each under `keys/master/`: a software key (32 bytes given
//!   at start-up by `CARDVAULT_MASTER_KEY` or `--master-key-file`, or put back together from
//!   custodians' shares), or a key inside an HSM over PKCS#11 (`--pkcs11-*`: `CKA_SENSITIVE`, not
//!   `CKA_EXTRACTABLE`, every wrap and unwrap a `CKM_AES_GCM` call into the token). Either way it
//!   is never stored in the database and never logged, and its blobs have one layout. PCI DSS
//!   3.6.1.2 asks that keys protecting cardholder data be stored encrypted with a key-encrypting
//!   key "at least as strong" and stored separately (or in a secure cryptographic device): this
//!   is that key-encrypting key.
//! - [`transport`]: the [`TransportKey`] pairs (RSA-OAEP-256, 2048 to 4096 bits) that the browser
//!   field seals envelopes to (contract §1), published as [`Jwk`]s.
//! - [`data`]: the [`DataKey`]s (AES-256-GCM, versioned for rotation) that encrypt cards at rest,
//!   and the per-merchant [`FingerprintKey`]s (HMAC-SHA-256) behind `fp_…` fingerprints (contract
//!   §2: "a keyed hash (HMAC-SHA-256) of the card number under a per-merchant key").
//! - [`audit`]: the [`AuditSealKey`] (HMAC-SHA-256, one per database) that seals the audit log's
//!   head, so that a change to the log made without it shows.
//!
//! Why these choices:
//!
//! - **aws-lc-rs for every primitive**, never the `rsa` crate on the vault side: its RSA private
//!   key operations are constant time and blinded, and its OAEP padding check does not branch on
//!   secret data, whereas the `rsa` crate has a known timing side channel (RUSTSEC-2023-0071,
//!   "Marvin Attack"). AWS-LC also has a FIPS 140-3 validated build (feature `fips`), which is
//!   what an assessor will ask about.
//! - **AES-256-GCM with a random 96-bit nonce** (`aead::RandomizedNonceKey`, which lets AWS-LC
//!   draw the nonce inside the module, the FIPS-approved way): keys are wrapped and cards sealed
//!   far fewer than the 2^32 times per key that NIST SP 800-38D §8.3 allows with random nonces.
//!   Every ciphertext is `nonce || ciphertext || tag` and carries associated data saying what it
//!   is and where it belongs, so a blob copied to another row, merchant or key version fails.
//! - **Secrets are types**: every key here keeps its bytes in [`zeroize::Zeroizing`] buffers, has
//!   a `Debug` that prints no key material, no `Display` and no `Serialize`; no key type derives
//!   `Clone`, so a key is not copied by accident.
//! - **Errors carry nothing**: [`KeyError`] is a small enum with fixed messages, and every failure
//!   to decrypt collapses into one variant (or into [`transport::DecryptionFailed`]), so that no
//!   answer tells which check failed (no padding or tag oracle, contract §1).

pub mod audit;
pub mod data;
mod gcm;
mod hmac_key;
pub mod master;
pub mod transport;

use core::fmt;

pub use audit::{AUDIT_SEAL_KEY_CONTEXT, AuditSealKey};
pub use data::{DataKey, FingerprintKey, record_aad};
pub use master::{MasterKey, Pkcs11Config, Pkcs11Error};
pub use transport::{DecryptionFailed, Jwk, TransportKey};

/// Why a key operation failed. The messages are fixed and never contain any input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The master key is missing, unreadable, not standard base64, or not exactly 32 bytes.
    InvalidMasterKey,
    /// A wrapped key or sealed record did not authenticate: wrong key, wrong context or
    /// associated data, or changed bytes. Which of them is never said.
    Unwrap,
    /// Not a usable transport key: bad PEM or DER, not RSA, or not 2048 to 4096 bits.
    InvalidTransportKey,
    /// Any other failure of the cryptographic library (including its random number generator).
    Crypto,
}

impl KeyError {
    /// A sentence saying what went wrong, without any of the input.
    pub fn message(self) -> &'static str {
        match self {
            KeyError::InvalidMasterKey => {
                "The master key is not the standard base64 encoding of exactly 32 bytes."
            }
            KeyError::Unwrap => "The encrypted key or record could not be decrypted.",
            KeyError::InvalidTransportKey => {
                "The transport key is not a PKCS#8 RSA private key of 2048 to 4096 bits."
            }
            KeyError::Crypto => "A cryptographic operation failed.",
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for KeyError {}

/// Fills `buf` from AWS-LC's CTR-DRBG (seeded from the operating system).
fn fill(buf: &mut [u8]) -> Result<(), KeyError> {
    aws_lc_rs::rand::fill(buf).map_err(|_| KeyError::Crypto)
}

/// `N` random bytes from AWS-LC's generator.
///
/// The generator does not fail in practice, but `aws_lc_rs::rand::fill` reports failure, and so
/// does this ([`KeyError::Crypto`]) rather than panicking. For key material, prefer the key
/// types' own `generate`, which fill a zeroizing buffer directly.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut bytes = [0u8; N];
    fill(&mut bytes)?;
    Ok(bytes)
}

/// An identifier made of `prefix` followed by the lowercase hex of `bytes` random bytes:
/// `random_id("tok_", 16)` is `tok_` and 32 hex digits (128 random bits, the contract's
/// minimum for tokens).
///
/// The hex encoding is branch-free, so it may also be used for secrets such as `sk_…` keys.
pub fn random_id(prefix: &str, bytes: usize) -> Result<String, KeyError> {
    let mut random = zeroize::Zeroizing::new(vec![0u8; bytes]);
    fill(&mut random)?;
    let mut id = String::with_capacity(prefix.len().saturating_add(bytes.saturating_mul(2)));
    id.push_str(prefix);
    for &byte in random.iter() {
        id.push(hex_digit(byte >> 4));
        id.push(hex_digit(byte & 0x0f));
    }
    Ok(id)
}

/// One lowercase hex digit for a nibble (0..=15), without a table or a branch on its value.
fn hex_digit(nibble: u8) -> char {
    let n = i16::from(nibble & 0x0f);
    // (9 - n) >> 8 is all ones when n > 9: add the gap between '9' + 1 and 'a'.
    let gap = ((9 - n) >> 8) & i16::from(b'a' - b'0' - 10);
    char::from(u8::try_from(i16::from(b'0') + n + gap).unwrap_or(b'?'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_differ() {
        let a = random_bytes::<32>().unwrap();
        let b = random_bytes::<32>().unwrap();
        assert_ne!(a, b);
        assert_eq!(random_bytes::<0>().unwrap(), [0u8; 0]);
    }

    #[test]
    fn random_ids() {
        let id = random_id("tok_", 16).unwrap();
        assert_eq!(id.len(), 4 + 32);
        assert!(id.starts_with("tok_"));
        assert!(
            id[4..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(id, random_id("tok_", 16).unwrap());
        assert_eq!(random_id("x_", 0).unwrap(), "x_");
    }

    #[test]
    fn hex_digits() {
        let all: String = (0..16).map(hex_digit).collect();
        assert_eq!(all, "0123456789abcdef");
    }

    #[test]
    fn messages_are_fixed() {
        for e in [
            KeyError::InvalidMasterKey,
            KeyError::Unwrap,
            KeyError::InvalidTransportKey,
            KeyError::Crypto,
        ] {
            assert_eq!(e.to_string(), e.message());
            assert!(!e.message().is_empty());
        }
    }
}
