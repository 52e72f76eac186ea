//! Why an envelope was refused.

use core::fmt;

use crate::card::CardError;

/// Why an envelope could not be sealed or opened.
///
/// Every failure of the cryptography (wrong key, changed ciphertext, tag or header, bad padding)
/// is the one variant [`DecryptionFailed`](Self::DecryptionFailed): the answer never tells
/// which part failed. No message contains any part of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Not a well-formed envelope for this vault: compact form, encoding, sizes, or protected
    /// header (members, pinned algorithms).
    Malformed,
    /// The envelope did not decrypt.
    DecryptionFailed,
    /// It decrypted, but the content is not the contract's card JSON.
    InvalidPayload,
    /// It decrypted to a card that breaks a card rule.
    Card(CardError),
    /// The public key given for sealing is not an RSA key of 2048 to 4096 bits.
    InvalidKey,
    /// The publishable key given as audience is not a `pk_…` key.
    InvalidAudience,
    /// The platform's random number generator failed.
    Random,
}

impl EnvelopeError {
    /// A sentence saying what went wrong, without any of the input.
    pub fn message(self) -> &'static str {
        match self {
            EnvelopeError::Malformed => "The envelope is not a well-formed JWE for this vault.",
            EnvelopeError::DecryptionFailed => "The envelope could not be decrypted.",
            EnvelopeError::InvalidPayload => "The envelope does not contain a card.",
            EnvelopeError::Card(e) => e.message(),
            EnvelopeError::InvalidKey => "The vault's public key is not usable.",
            EnvelopeError::InvalidAudience => "The publishable key is not valid.",
            EnvelopeError::Random => "No secure random numbers are available.",
        }
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for EnvelopeError {}

impl From<CardError> for EnvelopeError {
    fn from(e: CardError) -> Self {
        EnvelopeError::Card(e)
    }
}
