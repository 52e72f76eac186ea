//! Content encryption: `A256GCM` ([RFC 7518 §5.3]), AES-256 in Galois/Counter Mode with a
//! 96-bit IV and a 128-bit tag.
//!
//! [RFC 7518 §5.3]: https://www.rfc-editor.org/rfc/rfc7518#section-5.3

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use super::EnvelopeError;

/// Length of the content-encryption key, in bytes.
pub const CEK_LEN: usize = 32;
/// Length of the initialization vector, in bytes.
pub const IV_LEN: usize = 12;
/// Length of the authentication tag, in bytes.
pub const TAG_LEN: usize = 16;

/// Encrypts `buffer` in place; returns the tag.
pub(crate) fn encrypt(
    cek: &[u8; CEK_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buffer: &mut [u8],
) -> Result<[u8; TAG_LEN], EnvelopeError> {
    let cipher = Aes256Gcm::new(cek.into());
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(*iv), aad, buffer.into())
        .map_err(|_| EnvelopeError::Malformed)?;
    Ok(tag.into())
}

/// Decrypts `buffer` in place if `tag` authenticates it and `aad`.
#[cfg_attr(not(feature = "open"), allow(dead_code))]
pub(crate) fn decrypt(
    cek: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), EnvelopeError> {
    let cipher = Aes256Gcm::new_from_slice(cek).map_err(|_| EnvelopeError::DecryptionFailed)?;
    cipher
        .decrypt_inout_detached(&Nonce::from(*iv), aad, buffer.into(), &Tag::from(*tag))
        .map_err(|_| EnvelopeError::DecryptionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::b64;

    /// RFC 7516 Appendix A.1: the content encryption of "The true sign of intelligence is not
    /// knowledge but imagination." with the given CEK, IV and AAD.
    #[test]
    fn rfc7516_appendix_a1() {
        let cek = [
            177, 161, 244, 128, 84, 143, 225, 115, 63, 180, 3, 255, 107, 154, 212, 246, 138, 7,
            110, 91, 112, 46, 34, 105, 47, 130, 203, 46, 122, 234, 64, 252,
        ];
        let iv = [227, 197, 117, 252, 2, 219, 233, 68, 180, 225, 77, 219];
        let aad = b"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ";
        let plaintext = b"The true sign of intelligence is not knowledge but imagination.";

        let mut buffer = plaintext.to_vec();
        let tag = encrypt(&cek, &iv, aad, &mut buffer).unwrap();
        assert_eq!(
            b64::encode(&buffer),
            "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A"
        );
        assert_eq!(b64::encode(&tag), "XFBoMYUZodetZdvTiFvSkQ");

        decrypt(&cek, &iv, aad, &mut buffer, &tag).unwrap();
        assert_eq!(&buffer[..], &plaintext[..]);

        let mut bad_tag = tag;
        bad_tag[0] ^= 1;
        encrypt(&cek, &iv, aad, &mut buffer).unwrap();
        assert_eq!(
            decrypt(&cek, &iv, aad, &mut buffer, &bad_tag),
            Err(EnvelopeError::DecryptionFailed)
        );
        assert_eq!(
            decrypt(&cek[..31], &iv, aad, &mut buffer, &tag),
            Err(EnvelopeError::DecryptionFailed)
        );
    }

    /// Project Wycheproof's AES-GCM vectors of the envelope's parameters (256-bit key, 96-bit
    /// IV, 128-bit tag): each valid one decrypts to its message, each invalid one fails with
    /// the one decryption error. Other IV and tag sizes cannot be expressed in an envelope (the
    /// parser takes exactly 12 and 16 bytes), nor other key sizes (the CEK is 32 bytes).
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn wycheproof_aes_256_gcm() {
        use wycheproof::TestResult;
        use wycheproof::aead::{TestName, TestSet};
        let set = TestSet::load(TestName::AesGcm).unwrap();
        let (mut valid, mut invalid) = (0, 0);
        for group in &set.test_groups {
            if (group.key_size, group.nonce_size, group.tag_size) != (256, 96, 128) {
                continue;
            }
            for test in &group.tests {
                let iv: [u8; IV_LEN] = test.nonce[..].try_into().unwrap();
                let tag: [u8; TAG_LEN] = test.tag[..].try_into().unwrap();
                let mut buffer = test.ct.to_vec();
                let result = decrypt(&test.key, &iv, &test.aad, &mut buffer, &tag);
                match test.result {
                    TestResult::Valid => {
                        assert_eq!(result, Ok(()), "tcId {}", test.tc_id);
                        assert_eq!(&buffer[..], &test.pt[..], "tcId {}", test.tc_id);
                        valid += 1;
                    }
                    TestResult::Invalid => {
                        assert_eq!(
                            result,
                            Err(EnvelopeError::DecryptionFailed),
                            "tcId {}",
                            test.tc_id
                        );
                        invalid += 1;
                    }
                    TestResult::Acceptable => {}
                }
            }
        }
        assert!(
            valid >= 20 && invalid >= 10,
            "{valid} valid, {invalid} invalid"
        );
    }
}
