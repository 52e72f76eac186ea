//! The software custody: the master key's 32 bytes in this process's memory.
//!
//! They reach the vault from outside the data dir (`CARDVAULT_MASTER_KEY`, or a file named by
//! `--master-key-file`, contract §3) as the standard base64 of its 32 bytes, or (`serve --dev`)
//! from the data dir itself. Wrapping is AES-256-GCM in AWS-LC ([`Gcm`]).

use std::io::Read;
use std::path::Path;

use aws_lc_rs::hmac;
use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::keys::KeyError;
use crate::keys::gcm::{Gcm, KEY_LEN};

/// The largest master key file read: base64 of 32 bytes is 44 characters, plus white space.
const MAX_FILE_LEN: usize = 1024;

/// What the key check value is the HMAC of: a fixed message, so the value names the key without
/// revealing it (HMAC-SHA-256 is a PRF: its output says nothing of the key).
const CHECK_MESSAGE: &[u8] = b"cardvault master key check";

/// The key in memory. Its bytes are zeroized on drop; `Debug` prints none of them.
pub(super) struct SoftwareKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    gcm: Gcm,
}

impl SoftwareKey {
    pub(super) fn from_array(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<SoftwareKey, KeyError> {
        let gcm = Gcm::new(&bytes)?;
        Ok(SoftwareKey { bytes, gcm })
    }

    pub(super) fn generate() -> Result<SoftwareKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        crate::keys::fill(&mut *bytes)?;
        SoftwareKey::from_array(bytes)
    }

    /// Reads the standard base64 (RFC 4648 §4, with padding) of exactly 32 bytes, ignoring ASCII
    /// white space around it. Anything else is [`KeyError::InvalidMasterKey`].
    ///
    /// Decoding is constant time (`base64ct`), so the key does not leak through timing here.
    pub(super) fn from_base64(text: &str) -> Result<SoftwareKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        let decoded = Base64::decode(text.trim_ascii(), &mut *bytes)
            .map_err(|_| KeyError::InvalidMasterKey)?;
        if decoded.len() != KEY_LEN {
            return Err(KeyError::InvalidMasterKey);
        }
        SoftwareKey::from_array(bytes)
    }

    /// Reads a file holding the key's base64 (white space around it ignored). A missing,
    /// unreadable or oversized file, or bad contents, is [`KeyError::InvalidMasterKey`].
    pub(super) fn from_file(path: &Path) -> Result<SoftwareKey, KeyError> {
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
        SoftwareKey::from_base64(text)
    }

    /// The standard base64 (with padding) of the key, in a buffer zeroized on drop (the tests'
    /// round trip; the `--dev` key file is written from [`bytes`](Self::bytes)).
    #[cfg(test)]
    pub(super) fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(Base64::encode_string(&*self.bytes))
    }

    pub(super) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    /// The key check value: the first 8 bytes of HMAC-SHA-256(key, [`CHECK_MESSAGE`]), in hex.
    /// Two operators can compare it to tell whether they hold the same key.
    pub(super) fn check_value(&self) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &*self.bytes);
        let tag = hmac::sign(&key, CHECK_MESSAGE);
        tag.as_ref()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub(super) fn wrap(&self, context: &str, secret: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.gcm.seal(context.as_bytes(), secret)
    }

    pub(super) fn unwrap(
        &self,
        context: &str,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        self.gcm.open(context.as_bytes(), wrapped)
    }
}

impl core::fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SoftwareKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn base64_round_trip() {
        let key = SoftwareKey::from_base64(KEY_B64).unwrap();
        assert_eq!(key.to_base64().as_str(), KEY_B64);
        let expected: Vec<u8> = (0..32).collect();
        assert_eq!(&key.bytes[..], &expected[..]);
        // White space around it is fine (a file ending in a newline, a pasted value).
        let spaced = format!(" \t{KEY_B64}\r\n");
        assert_eq!(
            SoftwareKey::from_base64(&spaced)
                .unwrap()
                .to_base64()
                .as_str(),
            KEY_B64
        );
        let generated = SoftwareKey::generate().unwrap();
        let again = SoftwareKey::from_base64(&generated.to_base64()).unwrap();
        assert_eq!(*generated.bytes, *again.bytes);
        assert_ne!(*generated.bytes, *SoftwareKey::generate().unwrap().bytes);
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
                SoftwareKey::from_base64(text).unwrap_err(),
                KeyError::InvalidMasterKey,
                "{text:?}"
            );
        }
    }

    #[test]
    fn from_file() {
        let dir = std::env::temp_dir().join(format!(
            "cardvault-master-key-test-{}",
            crate::keys::random_id("", 8).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("master.key");
        std::fs::write(&path, format!("{KEY_B64}\n")).unwrap();
        assert_eq!(
            SoftwareKey::from_file(&path).unwrap().to_base64().as_str(),
            KEY_B64
        );
        std::fs::write(&path, "not a key\n").unwrap();
        assert_eq!(
            SoftwareKey::from_file(&path).unwrap_err(),
            KeyError::InvalidMasterKey
        );
        std::fs::write(&path, " ".repeat(2000) + KEY_B64).unwrap();
        assert_eq!(
            SoftwareKey::from_file(&path).unwrap_err(),
            KeyError::InvalidMasterKey
        );
        assert_eq!(
            SoftwareKey::from_file(&dir.join("missing")).unwrap_err(),
            KeyError::InvalidMasterKey
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wrap_round_trip_and_context() {
        let key = SoftwareKey::generate().unwrap();
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
        let other = SoftwareKey::generate().unwrap();
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
    fn check_value_names_the_key() {
        let key = SoftwareKey::from_base64(KEY_B64).unwrap();
        let check = key.check_value();
        assert_eq!(check.len(), 16);
        assert!(check.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            SoftwareKey::from_base64(KEY_B64).unwrap().check_value(),
            check
        );
        assert_ne!(SoftwareKey::generate().unwrap().check_value(), check);
        // It is not a prefix of the key in any form.
        assert!(!KEY_B64.contains(&check[..8]));
        let hex: String = key.bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(!hex.contains(&check[..8]));
    }
}
