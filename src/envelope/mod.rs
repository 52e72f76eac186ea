//! The sealed envelope: a card on its way from the browser field to the vault.
//!
//! A JWE in compact serialization ([RFC 7516 §3.1]):
//!
//! ```text
//! BASE64URL(UTF8(JWE Protected Header)) || '.' ||
//! BASE64URL(JWE Encrypted Key) || '.' ||
//! BASE64URL(JWE Initialization Vector) || '.' ||
//! BASE64URL(JWE Ciphertext) || '.' ||
//! BASE64URL(JWE Authentication Tag)
//! ```
//!
//! with the algorithms pinned: the content-encryption key is wrapped with `RSA-OAEP-256`
//! ([RFC 7518 §4.3]) to the vault's public key, and the card JSON is encrypted with `A256GCM`
//! ([RFC 7518 §5.3]), the encoded protected header being the additional authenticated data.
//!
//! - [`SealingKey::seal`] (the field) builds an envelope from a [`Card`](crate::card::Card).
//! - [`Envelope::parse`] (the vault, feature `open`) checks the compact form and the protected
//!   header without any key; the vault unwraps [`Envelope::encrypted_key`] with its private key,
//!   and [`Envelope::open`] decrypts and re-validates the card with the unwrapped key.
//!
//! [RFC 7516 §3.1]: https://www.rfc-editor.org/rfc/rfc7516#section-3.1
//! [RFC 7518 §4.3]: https://www.rfc-editor.org/rfc/rfc7518#section-4.3
//! [RFC 7518 §5.3]: https://www.rfc-editor.org/rfc/rfc7518#section-5.3

mod b64;
mod compact;
mod content;
mod error;
mod header;
mod jwk;
#[cfg(feature = "open")]
mod open;
mod payload;
mod seal;

pub use content::{CEK_LEN, IV_LEN, TAG_LEN};
pub use error::EnvelopeError;
pub use header::{ALG, ENC, Header};
pub use jwk::thumbprint;
#[cfg(feature = "open")]
pub use open::Envelope;
pub use seal::SealingKey;

/// The longest envelope accepted, in bytes (the vault's body limit is larger).
pub const MAX_ENVELOPE_LEN: usize = 8 * 1024;

/// RSA modulus sizes accepted for the vault's transport key, in bits.
pub const RSA_BITS: core::ops::RangeInclusive<usize> = 2048..=4096;

#[cfg(test)]
mod tests;
