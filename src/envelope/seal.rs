//! Sealing (the browser field): a card becomes an envelope only the vault can open.

use alloc::string::String;
use core::fmt;

use rsa::sha2::Sha256;
use zeroize::Zeroizing;

use super::compact::{self, Segments};
use super::content::{self, CEK_LEN, IV_LEN};
use super::header::{Header, JTI_BYTES};
use super::{EnvelopeError, b64, jwk, payload};
use crate::card::Card;

/// The vault's public transport key, parsed once and ready to seal many cards.
pub struct SealingKey {
    key: rsa::PublicKey,
    kid: String,
}

impl SealingKey {
    /// Takes the vault's public key from its JWK members `n` and `e` (base64url), as the vault
    /// publishes them at `/.well-known/jwks.json`. The `kid` is computed, never trusted.
    pub fn from_jwk(n: &str, e: &str) -> Result<SealingKey, EnvelopeError> {
        Ok(SealingKey {
            key: jwk::public_key(n, e)?,
            kid: jwk::thumbprint(n, e),
        })
    }

    /// The key's RFC 7638 thumbprint.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Seals `card` for the merchant whose publishable key is `aud`, stamped `iat` (seconds
    /// since the Unix epoch). Fresh randomness for the content key, the IV and the `jti`.
    pub fn seal(&self, card: &Card, aud: &str, iat: u64) -> Result<String, EnvelopeError> {
        let mut cek = Zeroizing::new([0u8; CEK_LEN]);
        let mut iv = [0u8; IV_LEN];
        let mut jti = [0u8; JTI_BYTES];
        for buf in [&mut cek[..], &mut iv[..], &mut jti[..]] {
            getrandom::fill(buf).map_err(|_| EnvelopeError::Random)?;
        }
        let header = Header::new(self.kid.clone(), iat, b64::encode(&jti), aud)?;
        let header = b64::encode(header.to_json().as_bytes());

        let encrypted_key = self
            .key
            .oaep_encrypt::<Sha256>(&cek[..])
            .map_err(|_| EnvelopeError::InvalidKey)?;

        let mut buffer = Zeroizing::new(payload::write(card).as_bytes().to_vec());
        let tag = content::encrypt(&cek, &iv, header.as_bytes(), &mut buffer)?;

        Ok(compact::write(&Segments {
            header: &header,
            encrypted_key: &b64::encode(&encrypted_key),
            iv: &b64::encode(&iv),
            ciphertext: &b64::encode(&buffer),
            tag: &b64::encode(&tag),
        }))
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
