//! The master key: 32 bytes that wrap every other key at rest.
//!
//! It reaches the vault from outside the data dir (`CARDVAULT_MASTER_KEY`, or a file named by
//! `--master-key-file`, contract §3) as the standard base64 of its 32 bytes. It is never stored
//! in the database and never logged: the database holds only blobs it wrapped, so a copy of the
//! database (or a backup) without the master key reveals no key and no card (PCI DSS 3.5, 3.6).
//!
//! Wrapping is AES-256-GCM with a random 96-bit nonce; the blob is `nonce || ciphertext || tag`.
//! The associated data is a *context* naming what the blob is and where it belongs, e.g.
//! `transport-key:<kid>`, `data-key:3`, `fingerprint-key:<merchant id>`: a blob moved to another
//! row, or presented as another kind of key, does not unwrap.

use core::fmt;
use std::io::Read;
use std::path::Path;

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::KeyError;
use super::gcm::{Gcm, KEY_LEN};

/// The largest master key file read: base64 of 32 bytes is 44 characters, plus white space.
const MAX_FILE_LEN: usize = 1024;

/// The key-encrypting key. Its bytes are zeroized on drop; `Debug` prints none of them.
pub struct MasterKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    gcm: Gcm,
}

impl MasterKey {
    fn from_array(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<MasterKey, KeyError> {
        let gcm = Gcm::new(&bytes)?;
        Ok(MasterKey { bytes, gcm })
    }

    /// A new random master key (for `serve --dev`, which keeps it in the data dir with a warning).
    pub fn generate() -> Result<MasterKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        super::fill(&mut *bytes)?;
        MasterKey::from_array(bytes)
    }

    /// Reads the standard base64 (RFC 4648 §4, with padding) of exactly 32 bytes, ignoring ASCII
    /// white space around it. Anything else is [`KeyError::InvalidMasterKey`].
    ///
    /// Decoding is constant time (`base64ct`), so the key does not leak through timing here.
    pub fn from_base64(text: &str) -> Result<MasterKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        let decoded = Base64::decode(text.trim_ascii(), &mut *bytes)
            .map_err(|_| KeyError::InvalidMasterKey)?;
        if decoded.len() != KEY_LEN {
            return Err(KeyError::InvalidMasterKey);
        }
        MasterKey::from_array(bytes)
    }

    /// The standard base64 (with padding) of the key, in a buffer zeroized on drop.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(Base64::encode_string(&*self.bytes))
    }

    /// Reads a file holding the key's base64 (white space around it ignored). A missing,
    /// unreadable or oversized file, or bad contents, is [`KeyError::InvalidMasterKey`].
    pub fn from_file(path: &Path) -> Result<MasterKey, KeyError> {
        let file = std::fs::File::open(path).map_err(|_| KeyError::InvalidMasterKey)?;
        // Sized up front so that reading never reallocates and leaves a copy behind.
        let mut contents = Zeroizing::new(Vec::with_capacity(2 * MAX_FILE_LEN));
        file.take(MAX_FILE_LEN as u64 + 1)
            .read_to_end(&mut contents)
            .map_err(|_| KeyError::InvalidMasterKey)?;
        if contents.len() > MAX_FILE_LEN {
            return Err(KeyError::InvalidMasterKey);
        }
        let text = core::str::from_utf8(&contents).map_err(|_| KeyError::InvalidMasterKey)?;
        MasterKey::from_base64(text)
    }

    /// Encrypts `secret` (another key's bytes) for storage, bound to `context`, the associated
    /// data naming what the blob is and where it belongs (e.g. `"transport-key:<kid>"`,
    /// `"data-key:3"`, `"fingerprint-key:<merchant id>"`), so that blobs cannot be swapped
    /// between rows. AES-256-GCM, random 96-bit nonce; the blob is `nonce || ciphertext || tag`.
    pub fn wrap(&self, context: &str, secret: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.gcm.seal(context.as_bytes(), secret)
    }

    /// Decrypts a blob made by [`wrap`](Self::wrap) with this key and the same `context`.
    /// Any failure (wrong master key, wrong context, changed or truncated blob) is
    /// [`KeyError::Unwrap`].
    pub fn unwrap(&self, context: &str, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        self.gcm.open(context.as_bytes(), wrapped)
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
    fn base64_round_trip() {
        let key = MasterKey::from_base64(KEY_B64).unwrap();
        assert_eq!(key.to_base64().as_str(), KEY_B64);
        let expected: Vec<u8> = (0..32).collect();
        assert_eq!(&key.bytes[..], &expected[..]);
        // White space around it is fine (a file ending in a newline, a pasted value).
        let spaced = format!(" \t{KEY_B64}\r\n");
        assert_eq!(
            MasterKey::from_base64(&spaced)
                .unwrap()
                .to_base64()
                .as_str(),
            KEY_B64
        );
        let generated = MasterKey::generate().unwrap();
        let again = MasterKey::from_base64(&generated.to_base64()).unwrap();
        assert_eq!(*generated.bytes, *again.bytes);
        assert_ne!(*generated.bytes, *MasterKey::generate().unwrap().bytes);
    }

    #[test]
    fn bad_base64_is_refused() {
        let refused = [
            "",
            "   ",
            // 31 and 33 bytes.
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g",
            // No padding; URL-safe alphabet; white space inside; stray bits in the last character.
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=",
            "AAECAwQFBgcICQoLDA0ODxAR EhMUFRYXGBkaGxwdHh8=",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",
        ];
        for text in refused {
            assert_eq!(
                MasterKey::from_base64(text).unwrap_err(),
                KeyError::InvalidMasterKey,
                "{text:?}"
            );
        }
    }

    #[test]
    fn from_file() {
        let dir = std::env::temp_dir().join(format!(
            "cardvault-master-key-test-{}",
            super::super::random_id("", 8).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("master.key");
        std::fs::write(&path, format!("{KEY_B64}\n")).unwrap();
        assert_eq!(
            MasterKey::from_file(&path).unwrap().to_base64().as_str(),
            KEY_B64
        );
        std::fs::write(&path, "not a key\n").unwrap();
        assert_eq!(
            MasterKey::from_file(&path).unwrap_err(),
            KeyError::InvalidMasterKey
        );
        std::fs::write(&path, " ".repeat(2000) + KEY_B64).unwrap();
        assert_eq!(
            MasterKey::from_file(&path).unwrap_err(),
            KeyError::InvalidMasterKey
        );
        assert_eq!(
            MasterKey::from_file(&dir.join("missing")).unwrap_err(),
            KeyError::InvalidMasterKey
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wrap_round_trip_and_context() {
        let key = MasterKey::generate().unwrap();
        let secret = [0x42u8; 32];
        let wrapped = key.wrap("data-key:3", &secret).unwrap();
        assert_eq!(wrapped.len(), 12 + 32 + 16);
        assert!(!wrapped.windows(4).any(|w| w == [0x42; 4]));
        assert_eq!(&key.unwrap("data-key:3", &wrapped).unwrap()[..], &secret);
        // Another context, another master key, a changed byte: all the same error.
        assert_eq!(
            key.unwrap("data-key:4", &wrapped).unwrap_err(),
            KeyError::Unwrap
        );
        assert_eq!(
            key.unwrap("fingerprint-key:3", &wrapped).unwrap_err(),
            KeyError::Unwrap
        );
        let other = MasterKey::generate().unwrap();
        assert_eq!(
            other.unwrap("data-key:3", &wrapped).unwrap_err(),
            KeyError::Unwrap
        );
        let mut changed = wrapped;
        changed[20] ^= 0x80;
        assert_eq!(
            key.unwrap("data-key:3", &changed).unwrap_err(),
            KeyError::Unwrap
        );
        assert_eq!(key.unwrap("data-key:3", &[]).unwrap_err(), KeyError::Unwrap);
    }

    #[test]
    fn debug_shows_no_key() {
        let key = MasterKey::from_base64(KEY_B64).unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert_eq!(format!("{key:?}"), "MasterKey(redacted)");
        assert!(!shown.contains(&KEY_B64[..8]), "{shown}");
    }
}
