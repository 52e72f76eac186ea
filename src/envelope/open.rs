//! Opening (the vault): parse and check without a key, then decrypt with the content key that
//! the vault unwrapped with its private key. Parsing never panics, whatever the input.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use core::fmt;

use zeroize::Zeroizing;

use super::compact;
use super::content::{self, IV_LEN, TAG_LEN};
use super::header::Header;
use super::{EnvelopeError, MAX_ENVELOPE_LEN, RSA_BITS, b64, payload};
use crate::card::{Card, YearMonth};

/// The longest encoded protected header accepted.
const MAX_HEADER_LEN: usize = 1024;
/// The longest ciphertext accepted: a card's JSON is far shorter.
const MAX_CIPHERTEXT_LEN: usize = 2048;

/// An envelope whose form and protected header have been checked, not yet decrypted.
pub struct Envelope {
    header: Header,
    /// The encoded protected header, the additional authenticated data.
    aad: String,
    encrypted_key: Vec<u8>,
    iv: [u8; IV_LEN],
    ciphertext: Vec<u8>,
    tag: [u8; TAG_LEN],
}

impl Envelope {
    /// Checks the compact form (five segments, strict base64url, sizes, no trailing data) and
    /// the protected header (exact members, pinned algorithms). Every refusal is
    /// [`EnvelopeError::Malformed`].
    pub fn parse(input: &[u8]) -> Result<Envelope, EnvelopeError> {
        if input.len() > MAX_ENVELOPE_LEN {
            return Err(EnvelopeError::Malformed);
        }
        let segments = compact::read(input).ok_or(EnvelopeError::Malformed)?;
        if segments.header.len() > MAX_HEADER_LEN {
            return Err(EnvelopeError::Malformed);
        }
        let header_json = b64::decode(segments.header).ok_or(EnvelopeError::Malformed)?;
        let header = Header::from_json(&header_json)?;
        let encrypted_key = b64::decode(segments.encrypted_key)
            .filter(|k| RSA_BITS.contains(&(k.len() * 8)))
            .ok_or(EnvelopeError::Malformed)?;
        let iv = b64::decode_array(segments.iv).ok_or(EnvelopeError::Malformed)?;
        let ciphertext = b64::decode(segments.ciphertext)
            .filter(|c| (1..=MAX_CIPHERTEXT_LEN).contains(&c.len()))
            .ok_or(EnvelopeError::Malformed)?;
        let tag = b64::decode_array(segments.tag).ok_or(EnvelopeError::Malformed)?;
        Ok(Envelope {
            header,
            aad: segments.header.to_owned(),
            encrypted_key,
            iv,
            ciphertext,
            tag,
        })
    }

    /// The checked protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The JWE Encrypted Key, for the vault to unwrap with RSA-OAEP-256.
    pub fn encrypted_key(&self) -> &[u8] {
        &self.encrypted_key
    }

    /// Decrypts with the unwrapped content-encryption key and checks the card as of `today`.
    ///
    /// A wrong key, or any change to the header, IV, ciphertext or tag, gives
    /// [`EnvelopeError::DecryptionFailed`].
    pub fn open(&self, cek: &[u8], today: YearMonth) -> Result<Card, EnvelopeError> {
        let mut plaintext = Zeroizing::new(self.ciphertext.clone());
        content::decrypt(
            cek,
            &self.iv,
            self.aad.as_bytes(),
            &mut plaintext,
            &self.tag,
        )?;
        payload::read(&plaintext, today)
    }
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}
