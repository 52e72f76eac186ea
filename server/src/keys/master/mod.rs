//! The master key: the key-encrypting key that wraps every other key at rest.
//!
//! It is held in one of two custodies, each in its own module:
//!
//! - [`software`]: 32 bytes in this process's memory, given from outside the data dir
//!   (`CARDVAULT_MASTER_KEY`, or a file named by `--master-key-file`, contract §3) as their
//!   standard base64, or put back together from K custodians' shares ([`shares`]: dual control,
//!   `serve --master-key-shares K`).
//!
//! It is never stored in the database and never logged: the database holds only blobs it
//! wrapped, so a copy of the database (or a backup) without the master key reveals no key and no
//! card (PCI DSS 3.5, 3.6).
//!
//! Wrapping is AES-256-GCM with a random 96-bit nonce; the blob is `nonce || ciphertext || tag`,
//! the same for every custody, so a blob does not say which custody made it. The associated data
//! is a *context* naming what the blob is and where it belongs, e.g. `transport-key:<kid>`,
//! `data-key:3`, `fingerprint-key:<merchant id>`: a blob moved to another row, or presented as
//! another kind of key, does not unwrap.

pub mod shares;
mod software;

use core::fmt;
use std::path::Path;

use zeroize::Zeroizing;

use super::KeyError;
use super::gcm::KEY_LEN;
use software::SoftwareKey;

/// The key-encrypting key. `Debug` prints none of it; no `Clone`.
pub struct MasterKey {
    custody: Custody,
}

/// Where the key lives.
enum Custody {
    /// In this process's memory, zeroized on drop.
    Software(SoftwareKey),
}

impl MasterKey {
    /// A new random software master key (for `serve --dev`, which keeps it in the data dir with a
    /// warning).
    pub fn generate() -> Result<MasterKey, KeyError> {
        SoftwareKey::generate().map(MasterKey::software)
    }

    /// A software master key of these 32 bytes (e.g. put back together from shares).
    pub fn from_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<MasterKey, KeyError> {
        SoftwareKey::from_array(bytes).map(MasterKey::software)
    }

    /// Reads the standard base64 (RFC 4648 §4, with padding) of exactly 32 bytes, ignoring ASCII
    /// white space around it. Anything else is [`KeyError::InvalidMasterKey`].
    ///
    /// Decoding is constant time (`base64ct`), so the key does not leak through timing here.
    pub fn from_base64(text: &str) -> Result<MasterKey, KeyError> {
        SoftwareKey::from_base64(text).map(MasterKey::software)
    }

    /// Reads a file holding the key's base64 (white space around it ignored). A missing,
    /// unreadable or oversized file, or bad contents, is [`KeyError::InvalidMasterKey`].
    pub fn from_file(path: &Path) -> Result<MasterKey, KeyError> {
        SoftwareKey::from_file(path).map(MasterKey::software)
    }

    fn software(key: SoftwareKey) -> MasterKey {
        MasterKey {
            custody: Custody::Software(key),
        }
    }

    /// The key's 32 bytes when it is a software key (to write the `--dev` key file, or to split
    /// it into shares); `None` for a key that never leaves its HSM.
    pub fn software_bytes(&self) -> Option<&[u8; KEY_LEN]> {
        match &self.custody {
            Custody::Software(key) => Some(key.bytes()),
        }
    }

    /// What kind of key this is, for logs and the audit log: bounded, and nothing secret.
    pub fn describe(&self) -> String {
        match &self.custody {
            Custody::Software(_) => "software key".to_owned(),
        }
    }

    /// A stable identifier of this very key, nothing secret: for a software key its key check
    /// value (the first 8 bytes of HMAC-SHA-256(key, "cardvault master key check"), in hex), so
    /// that two copies of one key show the same id and two keys different ones.
    pub fn id(&self) -> String {
        match &self.custody {
            Custody::Software(key) => format!("kcv:{}", key.check_value()),
        }
    }

    /// Encrypts `secret` (another key's bytes) for storage, bound to `context`, the associated
    /// data naming what the blob is and where it belongs (e.g. `"transport-key:<kid>"`,
    /// `"data-key:3"`, `"fingerprint-key:<merchant id>"`), so that blobs cannot be swapped
    /// between rows. AES-256-GCM, random 96-bit nonce; the blob is `nonce || ciphertext || tag`.
    pub fn wrap(&self, context: &str, secret: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.custody {
            Custody::Software(key) => key.wrap(context, secret),
        }
    }

    /// Decrypts a blob made by [`wrap`](Self::wrap) with this key and the same `context`.
    /// Any failure (wrong master key, wrong context, changed or truncated blob) is
    /// [`KeyError::Unwrap`].
    pub fn unwrap(&self, context: &str, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        match &self.custody {
            Custody::Software(key) => key.unwrap(context, wrapped),
        }
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn debug_shows_no_key() {
        let key = MasterKey::from_base64(KEY_B64).unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert_eq!(format!("{key:?}"), "MasterKey(redacted)");
        assert!(!shown.contains(&KEY_B64[..8]), "{shown}");
    }

    #[test]
    fn software_key_bytes_id_and_description() {
        let key = MasterKey::from_base64(KEY_B64).unwrap();
        let expected: Vec<u8> = (0..32).collect();
        assert_eq!(&key.software_bytes().unwrap()[..], &expected[..]);
        assert_eq!(key.describe(), "software key");
        let again = MasterKey::from_bytes(Zeroizing::new(*key.software_bytes().unwrap())).unwrap();
        assert_eq!(again.id(), key.id());
        assert!(key.id().starts_with("kcv:"), "{}", key.id());
        assert_ne!(MasterKey::generate().unwrap().id(), key.id());
        // A blob of one opens with the other: the same key, whichever way it came.
        let wrapped = key.wrap("data-key:1", b"secret").unwrap();
        assert_eq!(
            &again.unwrap("data-key:1", &wrapped).unwrap()[..],
            b"secret"
        );
    }
}
