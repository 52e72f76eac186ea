//! Cards at rest, and fingerprints.
//!
//! - A [`DataKey`] (AES-256-GCM, random 96-bit nonce) encrypts each stored card and CVC (PCI DSS
//!   3.5.1: the PAN unreadable wherever it is stored). Data keys are versioned so they can be
//!   rotated (PCI DSS 3.6.1.3, 3.7.4): each record names the version that sealed it, and the key
//!   is stored wrapped by the master key. The associated data ([`record_aad`]) binds each
//!   ciphertext to its merchant, token, key version and purpose, so a ciphertext copied to another
//!   row, or a CVC presented as a card, does not open.
//! - A [`FingerprintKey`] (HMAC-SHA-256, one per merchant) gives `fp_…` fingerprints: "a keyed
//!   hash (HMAC-SHA-256) of the card number under a per-merchant key: the same card gives the
//!   same fingerprint for one merchant and unrelated fingerprints across merchants" (contract
//!   §2). Keyed, because an unkeyed hash of a card number is reversed by enumerating the few
//!   billion numbers a BIN allows (PCI DSS 3.5.1.1 requires keyed cryptographic hashes).

use core::fmt;

use aws_lc_rs::hmac;
use base64ct::{Base64UrlUnpadded, Encoding};
use cardvault::card::CardNumber;
use zeroize::Zeroizing;

use super::KeyError;
use super::gcm::{Gcm, KEY_LEN};
use super::hmac_key::HmacKey;

/// Tells [`record_aad`]'s output apart from any other associated data, and versions its layout.
const RECORD_AAD_DOMAIN: &[u8] = b"cardvault record v1";

/// An AES-256-GCM key that encrypts cards at rest, with its version.
/// Its bytes are zeroized on drop; `Debug` shows the version only.
pub struct DataKey {
    version: u32,
    bytes: Zeroizing<[u8; KEY_LEN]>,
    gcm: Gcm,
}

impl DataKey {
    fn from_array(version: u32, bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<DataKey, KeyError> {
        let gcm = Gcm::new(&bytes)?;
        Ok(DataKey {
            version,
            bytes,
            gcm,
        })
    }

    /// A new random key with this version.
    pub fn generate(version: u32) -> Result<DataKey, KeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        super::fill(&mut *bytes)?;
        DataKey::from_array(version, bytes)
    }

    /// The key from its 32 bytes (as unwrapped by the master key). Any other length is
    /// [`KeyError::Crypto`].
    pub fn from_bytes(version: u32, bytes: &[u8]) -> Result<DataKey, KeyError> {
        let mut array = Zeroizing::new([0u8; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Crypto);
        }
        array.copy_from_slice(bytes);
        DataKey::from_array(version, array)
    }

    /// The key's 32 bytes, in a buffer zeroized on drop: for the master key to wrap.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.bytes.to_vec())
    }

    /// The version, stored beside every record this key seals.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Encrypts `plaintext` with AES-256-GCM and a random nonce; the result is
    /// `nonce || ciphertext || tag`. `aad` binds the ciphertext to its row: use [`record_aad`].
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.gcm.seal(aad, plaintext)
    }

    /// Decrypts what [`seal`](Self::seal) made with this key and the same `aad`. Any failure is
    /// [`KeyError::Unwrap`].
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        self.gcm.open(aad, sealed)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// The associated data for a stored card or CVC: binds the ciphertext to its `purpose`
/// (`"card"` or `"cvc"`), merchant, token and data key version.
///
/// Layout: a domain label and each text field as a 64-bit big-endian length followed by its
/// bytes, then the version as 32-bit big-endian. Being length-prefixed, fields cannot run
/// together: (`"ab"`, `"c"`) and (`"a"`, `"bc"`) give different bytes.
pub fn record_aad(purpose: &str, merchant_id: &str, token: &str, key_version: u32) -> Vec<u8> {
    let fields = [
        RECORD_AAD_DOMAIN,
        purpose.as_bytes(),
        merchant_id.as_bytes(),
        token.as_bytes(),
    ];
    let len = fields.iter().map(|f| 8 + f.len()).sum::<usize>() + 4;
    let mut aad = Vec::with_capacity(len);
    for field in fields {
        aad.extend_from_slice(&(field.len() as u64).to_be_bytes());
        aad.extend_from_slice(field);
    }
    aad.extend_from_slice(&key_version.to_be_bytes());
    aad
}

/// A merchant's HMAC-SHA-256 key for card fingerprints (32 bytes, the hash's output size, as
/// RFC 2104 §3 recommends). Its bytes are zeroized on drop; `Debug` shows none of them.
pub struct FingerprintKey(HmacKey);

impl FingerprintKey {
    /// A new random key.
    pub fn generate() -> Result<FingerprintKey, KeyError> {
        HmacKey::generate().map(FingerprintKey)
    }

    /// The key from its 32 bytes (as unwrapped by the master key). Any other length is
    /// [`KeyError::Crypto`].
    pub fn from_bytes(bytes: &[u8]) -> Result<FingerprintKey, KeyError> {
        HmacKey::from_bytes(bytes).map(FingerprintKey)
    }

    /// The key's 32 bytes, in a buffer zeroized on drop: for the master key to wrap.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.0.to_bytes()
    }

    /// `fp_` followed by the base64url (no padding) of HMAC-SHA-256(key, the number's digits).
    pub fn fingerprint(&self, number: &CardNumber) -> String {
        let tag = hmac::sign(self.0.key(), number.expose().as_bytes());
        let mut fingerprint = String::from("fp_");
        fingerprint.push_str(&Base64UrlUnpadded::encode_string(tag.as_ref()));
        fingerprint
    }
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::digest;

    use super::*;

    fn number(digits: &str) -> CardNumber {
        CardNumber::parse(digits).unwrap()
    }

    #[test]
    fn seal_open_round_trip() {
        let key = DataKey::generate(3).unwrap();
        assert_eq!(key.version(), 3);
        let aad = record_aad("card", "mer_1", "tok_1", key.version());
        let plaintext = br#"{"number":"4242424242424242","exp_month":12,"exp_year":2030}"#;
        let sealed = key.seal(&aad, plaintext).unwrap();
        assert_eq!(sealed.len(), 12 + plaintext.len() + 16);
        assert!(!sealed.windows(4).any(|w| w == b"4242"));
        assert_eq!(&key.open(&aad, &sealed).unwrap()[..], &plaintext[..]);

        // Through its bytes (as stored wrapped), the same key.
        let again = DataKey::from_bytes(3, &key.to_bytes()).unwrap();
        assert_eq!(&again.open(&aad, &sealed).unwrap()[..], &plaintext[..]);
        // Another key does not open it.
        let other = DataKey::generate(3).unwrap();
        assert_eq!(other.open(&aad, &sealed).unwrap_err(), KeyError::Unwrap);
    }

    #[test]
    fn every_aad_field_and_byte_counts() {
        let key = DataKey::generate(3).unwrap();
        let aad = record_aad("card", "mer_1", "tok_1", 3);
        let sealed = key.seal(&aad, b"secret").unwrap();
        for other in [
            record_aad("cvc", "mer_1", "tok_1", 3),
            record_aad("card", "mer_2", "tok_1", 3),
            record_aad("card", "mer_1", "tok_2", 3),
            record_aad("card", "mer_1", "tok_1", 4),
            Vec::new(),
        ] {
            assert_eq!(key.open(&other, &sealed).unwrap_err(), KeyError::Unwrap);
        }
        for i in 0..sealed.len() {
            let mut changed = sealed.clone();
            changed[i] ^= 0x20;
            assert_eq!(key.open(&aad, &changed).unwrap_err(), KeyError::Unwrap);
        }
        assert_eq!(
            key.open(&aad, &sealed[..sealed.len() - 1]).unwrap_err(),
            KeyError::Unwrap
        );
        assert_eq!(key.open(&aad, &[]).unwrap_err(), KeyError::Unwrap);
    }

    #[test]
    fn record_aad_fields_cannot_run_together() {
        assert_ne!(
            record_aad("card", "ab", "c", 1),
            record_aad("card", "a", "bc", 1)
        );
        assert_ne!(
            record_aad("card", "", "tok", 1),
            record_aad("card", "tok", "", 1)
        );
        assert_ne!(
            record_aad("cvc", "m", "t", 1),
            record_aad("cv", "cm", "t", 1)
        );
        let aad = record_aad("cvc", "mer_1", "tok_1", 0x0102_0304);
        assert!(aad.ends_with(&[1, 2, 3, 4]));
        assert!(aad.starts_with(&[0, 0, 0, 0, 0, 0, 0, 19]));
        assert_eq!(aad, record_aad("cvc", "mer_1", "tok_1", 0x0102_0304));
    }

    #[test]
    fn data_key_bytes() {
        assert_eq!(
            DataKey::from_bytes(1, &[0u8; 31]).unwrap_err(),
            KeyError::Crypto
        );
        assert_eq!(
            DataKey::from_bytes(1, &[0u8; 33]).unwrap_err(),
            KeyError::Crypto
        );
        let key = DataKey::from_bytes(7, &[9u8; 32]).unwrap();
        assert_eq!(&key.to_bytes()[..], &[9u8; 32]);
        assert_eq!(key.version(), 7);
    }

    #[test]
    fn fingerprints() {
        let key = FingerprintKey::generate().unwrap();
        let visa = number("4242424242424242");
        let fp = key.fingerprint(&visa);
        assert!(fp.starts_with("fp_"));
        assert_eq!(fp.len(), 3 + 43);
        // Same card, same key: same fingerprint, however the number was typed.
        assert_eq!(fp, key.fingerprint(&number("4242 4242 4242 4242")));
        // Another card: another fingerprint.
        assert_ne!(fp, key.fingerprint(&number("5555555555554444")));
        // Another merchant's key: unrelated.
        let other = FingerprintKey::generate().unwrap();
        assert_ne!(fp, other.fingerprint(&visa));
        // Through its bytes (as stored wrapped), the same key.
        let again = FingerprintKey::from_bytes(&key.to_bytes()).unwrap();
        assert_eq!(fp, again.fingerprint(&visa));
        // Not an unkeyed hash of the number.
        let sha = digest::digest(&digest::SHA256, b"4242424242424242");
        assert_ne!(
            fp,
            format!("fp_{}", Base64UrlUnpadded::encode_string(sha.as_ref()))
        );
        assert_eq!(
            FingerprintKey::from_bytes(&[0u8; 16]).unwrap_err(),
            KeyError::Crypto
        );
    }

    #[test]
    fn fingerprint_vector() {
        // Computed independently:
        // printf 4242424242424242 | openssl dgst -sha256 -mac HMAC -macopt hexkey:0b0b…0b (32
        // bytes) -binary | base64url
        let key = FingerprintKey::from_bytes(&[0x0b; 32]).unwrap();
        assert_eq!(
            key.fingerprint(&number("4242424242424242")),
            "fp_ZFmCZpitP2T92swFity-mC83F1JGrmOQtt1YMCiBtQU"
        );
    }

    #[test]
    fn debug_shows_no_key_bytes() {
        let data = DataKey::from_bytes(5, &[0xab; 32]).unwrap();
        let fingerprint = FingerprintKey::from_bytes(&[0xcd; 32]).unwrap();
        assert_eq!(format!("{data:?}"), "DataKey { version: 5, .. }");
        assert_eq!(format!("{fingerprint:?}"), "FingerprintKey(redacted)");
        let shown = format!("{data:#?} {fingerprint:#?}").to_lowercase();
        for leak in ["ab", "171", "cd", "205", "q6ur", "zc3n"] {
            assert!(!shown.contains(leak), "{leak} in {shown}");
        }
    }
}
