//! AES-256-GCM with a random 96-bit nonce, as one blob: `nonce || ciphertext || tag`.
//!
//! Shared by the master key (wrapping keys) and the data keys (sealing cards). The nonce is drawn
//! by AWS-LC itself (`RandomizedNonceKey`, AWS-LC's `EVP_aead_aes_256_gcm_randnonce`), which is
//! the FIPS 140-3 approved way to generate GCM IVs (NIST SP 800-38D §8.2.2); random nonces keep
//! the collision risk negligible while a key encrypts fewer than 2^32 messages (§8.3).

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use zeroize::Zeroizing;

use super::KeyError;

/// AES-256 key length in bytes.
pub(super) const KEY_LEN: usize = 32;
/// GCM tag length in bytes (the full 128 bits).
pub(super) const TAG_LEN: usize = 16;
/// What a blob adds to its plaintext: the nonce before, the tag after.
#[cfg(test)]
pub(super) const OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// An AES-256-GCM key, expanded once.
pub(super) struct Gcm(RandomizedNonceKey);

impl Gcm {
    pub(super) fn new(key: &[u8; KEY_LEN]) -> Result<Gcm, KeyError> {
        RandomizedNonceKey::new(&AES_256_GCM, key)
            .map(Gcm)
            .map_err(|_| KeyError::Crypto)
    }

    /// Encrypts `plaintext` bound to `aad`. The plaintext is copied once, into a buffer sized up
    /// front (no reallocation leaves a copy behind) that is zeroized if sealing fails.
    pub(super) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let len = plaintext
            .len()
            .checked_add(NONCE_LEN + TAG_LEN)
            .ok_or(KeyError::Crypto)?;
        let mut blob = Zeroizing::new(Vec::with_capacity(len));
        blob.resize(NONCE_LEN, 0);
        blob.extend_from_slice(plaintext);
        let (nonce, tag) = self
            .0
            .seal_in_place_separate_tag(Aad::from(aad), &mut blob[NONCE_LEN..])
            .map_err(|_| KeyError::Crypto)?;
        blob[..NONCE_LEN].copy_from_slice(nonce.as_ref());
        blob.extend_from_slice(tag.as_ref());
        // Ciphertext from here on: hand it out and leave an empty vector to zeroize.
        Ok(core::mem::take(&mut *blob))
    }

    /// Decrypts a blob made by [`seal`](Self::seal) with the same key and `aad`. Every failure
    /// (too short, wrong key, wrong `aad`, any changed byte) is [`KeyError::Unwrap`].
    pub(super) fn open(&self, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let (nonce, sealed) = blob
            .split_first_chunk::<NONCE_LEN>()
            .ok_or(KeyError::Unwrap)?;
        if sealed.len() < TAG_LEN {
            return Err(KeyError::Unwrap);
        }
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let len = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut buffer,
            )
            .map_err(|_| KeyError::Unwrap)?
            .len();
        buffer.truncate(len);
        Ok(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Gcm {
        Gcm::new(&[byte; KEY_LEN]).unwrap()
    }

    #[test]
    fn round_trip_and_layout() {
        let k = key(7);
        for plaintext in [&b""[..], b"x", &[0x5a; 1000]] {
            let blob = k.seal(b"aad", plaintext).unwrap();
            assert_eq!(blob.len(), plaintext.len() + OVERHEAD);
            assert_eq!(&k.open(b"aad", &blob).unwrap()[..], plaintext);
        }
        // Fresh nonce every time.
        let a = k.seal(b"aad", b"same").unwrap();
        let b = k.seal(b"aad", b"same").unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_ne!(a, b);
    }

    #[test]
    fn every_change_fails() {
        let k = key(7);
        let blob = k.seal(b"aad", b"secret").unwrap();
        for i in 0..blob.len() {
            let mut changed = blob.clone();
            changed[i] ^= 0x01;
            assert_eq!(k.open(b"aad", &changed).unwrap_err(), KeyError::Unwrap);
        }
        assert_eq!(k.open(b"aae", &blob).unwrap_err(), KeyError::Unwrap);
        assert_eq!(key(8).open(b"aad", &blob).unwrap_err(), KeyError::Unwrap);
        for len in 0..blob.len() {
            assert_eq!(k.open(b"aad", &blob[..len]).unwrap_err(), KeyError::Unwrap);
        }
        let mut longer = blob;
        longer.push(0);
        assert_eq!(k.open(b"aad", &longer).unwrap_err(), KeyError::Unwrap);
    }
}
