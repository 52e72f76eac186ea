//! The vault's RSA transport keys: the browser field seals each card's content-encryption key
//! to one of them with `RSA-OAEP-256` (contract §1; [RFC 7518 §4.3]), and the vault unwraps it.
//!
//! The private-key operation is AWS-LC's (through aws-lc-rs), never the `rsa` crate's: AWS-LC's
//! RSA decryption is blinded and constant time, and its OAEP decoding does not branch on secret
//! data (the `rsa` crate's private-key operations have a published timing side channel,
//! RUSTSEC-2023-0071); AWS-LC also has a FIPS 140-3 validated build. Every way unwrapping can fail
//! is the one [`DecryptionFailed`], so the vault's answer is the same for any bad envelope (no
//! padding oracle, [RFC 7516 §11.5]).
//!
//! Keys are 2048 to 4096 bits ([`cardvault::envelope::RSA_BITS`], the range the field accepts).
//! A key is parsed once into a [`TransportKey`], which also holds its public [`Jwk`] and its
//! `kid`, the [RFC 7638] thumbprint computed by the same code as the field's
//! ([`cardvault::envelope::thumbprint`]).
//!
//! [RFC 7518 §4.3]: https://www.rfc-editor.org/rfc/rfc7518#section-4.3
//! [RFC 7516 §11.5]: https://www.rfc-editor.org/rfc/rfc7516#section-11.5
//! [RFC 7638]: https://www.rfc-editor.org/rfc/rfc7638

use core::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicKeyComponents,
};
use base64ct::{Base64UrlUnpadded, Encoding};
use cardvault::card::{Card, YearMonth};
use cardvault::envelope::{CEK_LEN, Envelope, EnvelopeError, RSA_BITS, SealingKey, thumbprint};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use super::KeyError;

/// The PEM label of a PKCS#8 private key ([RFC 7468 §10]). Encrypted PKCS#8 and PKCS#1
/// (`RSA PRIVATE KEY`) documents are refused.
///
/// [RFC 7468 §10]: https://www.rfc-editor.org/rfc/rfc7468#section-10
const PKCS8_LABEL: &str = "PRIVATE KEY";
/// The longest PEM document accepted: a 4096-bit PKCS#8 key is about 3.3 KB.
const MAX_PEM_LEN: usize = 16 * 1024;

/// An envelope's encrypted key did not unwrap. Deliberately without detail: wrong length, bad
/// OAEP padding, a key for another transport key and a content key of the wrong size all look
/// the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptionFailed;

impl fmt::Display for DecryptionFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("The encrypted key could not be unwrapped.")
    }
}

impl std::error::Error for DecryptionFailed {}

/// One of the vault's RSA transport key pairs, parsed once.
///
/// `Debug` shows the `kid` only; the private key leaves only through
/// [`to_pkcs8_der`](Self::to_pkcs8_der), to be wrapped by the master key.
pub struct TransportKey {
    /// Kept for export; shares AWS-LC's key object with `oaep`.
    private: PrivateDecryptingKey,
    oaep: OaepPrivateDecryptingKey,
    kid: String,
    n: String,
    e: String,
    bits: usize,
}

impl TransportKey {
    /// A new key pair of 2048, 3072 or 4096 bits (public exponent 65537). Any other size is
    /// [`KeyError::InvalidTransportKey`].
    pub fn generate(bits: usize) -> Result<TransportKey, KeyError> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => return Err(KeyError::InvalidTransportKey),
        };
        let private = PrivateDecryptingKey::generate(size).map_err(|_| KeyError::Crypto)?;
        TransportKey::new(private)
    }

    /// Parses a PKCS#8 (v1, [RFC 5208]) DER RSA private key of 2048 to 4096 bits, and nothing
    /// after it. AWS-LC checks the key's consistency (`RSA_check_key`).
    ///
    /// [RFC 5208]: https://www.rfc-editor.org/rfc/rfc5208
    pub fn from_pkcs8_der(der: &[u8]) -> Result<TransportKey, KeyError> {
        // AWS-LC parses the first structure and ignores whatever follows it: refuse trailing
        // data here, so that one key has one encoding.
        if der_sequence_len(der) != Some(der.len()) {
            return Err(KeyError::InvalidTransportKey);
        }
        let private =
            PrivateDecryptingKey::from_pkcs8(der).map_err(|_| KeyError::InvalidTransportKey)?;
        TransportKey::new(private)
    }

    /// Parses a PEM `-----BEGIN PRIVATE KEY-----` document (PKCS#8, [RFC 7468 §10], strict
    /// grammar; white space around it is ignored), as `cardvault keys import` takes it.
    ///
    /// [RFC 7468 §10]: https://www.rfc-editor.org/rfc/rfc7468#section-10
    pub fn from_pkcs8_pem(pem: &str) -> Result<TransportKey, KeyError> {
        let pem = pem.trim_ascii();
        if pem.len() > MAX_PEM_LEN {
            return Err(KeyError::InvalidTransportKey);
        }
        // Decoded into a zeroizing buffer of our own (the DER is shorter than its PEM).
        let mut buffer = Zeroizing::new(vec![0u8; pem.len()]);
        let (label, der) = pem_rfc7468::decode(pem.as_bytes(), &mut buffer)
            .map_err(|_| KeyError::InvalidTransportKey)?;
        if label != PKCS8_LABEL {
            return Err(KeyError::InvalidTransportKey);
        }
        TransportKey::from_pkcs8_der(der)
    }

    fn new(private: PrivateDecryptingKey) -> Result<TransportKey, KeyError> {
        // aws-lc-rs accepts 2048 to 8192 bits; the field accepts 2048 to 4096.
        let bits = private.key_size_bits();
        if !RSA_BITS.contains(&bits) {
            return Err(KeyError::InvalidTransportKey);
        }

        // n and e: from the public key's SubjectPublicKeyInfo, parsed by AWS-LC itself, as
        // big-endian bytes without leading zeros (what RFC 7518 §6.3.1 asks of a JWK).
        let public = private.public_key();
        let spki = public.as_der().map_err(|_| KeyError::Crypto)?;
        let parsed = aws_lc_rs::rsa::PublicKey::from_der(spki.as_ref())
            .map_err(|_| KeyError::InvalidTransportKey)?;
        let components = PublicKeyComponents::<Vec<u8>>::from(&parsed);
        let n = Base64UrlUnpadded::encode_string(&components.n);
        let e = Base64UrlUnpadded::encode_string(&components.e);

        // The field must be able to seal to this key: ask the field's own code.
        SealingKey::from_jwk(&n, &e).map_err(|_| KeyError::InvalidTransportKey)?;

        let oaep = OaepPrivateDecryptingKey::new(private.clone()).map_err(|_| KeyError::Crypto)?;
        let key = TransportKey {
            private,
            oaep,
            kid: thumbprint(&n, &e),
            n,
            e,
            bits,
        };
        key.pairwise_check(public)?;
        Ok(key)
    }

    /// Proves the pair works as it will be used: a random content key, encrypted with the public
    /// half by RSA-OAEP-256, must unwrap to itself (a pairwise consistency test, as FIPS 140-3
    /// asks of generated keys; here also of imported ones).
    fn pairwise_check(&self, public: aws_lc_rs::rsa::PublicEncryptingKey) -> Result<(), KeyError> {
        let encrypting = OaepPublicEncryptingKey::new(public).map_err(|_| KeyError::Crypto)?;
        let mut cek = Zeroizing::new([0u8; CEK_LEN]);
        super::fill(&mut *cek)?;
        let mut ciphertext = vec![0u8; encrypting.ciphertext_size()];
        let ciphertext = encrypting
            .encrypt(&OAEP_SHA256_MGF1SHA256, &*cek, &mut ciphertext, None)
            .map_err(|_| KeyError::Crypto)?;
        let unwrapped = self.unwrap_cek(ciphertext);
        if unwrapped.is_valid() && bool::from(unwrapped.key().ct_eq(&*cek)) {
            Ok(())
        } else {
            Err(KeyError::InvalidTransportKey)
        }
    }

    /// The private key as PKCS#8 v1 DER, in a buffer zeroized on drop: for the master key to
    /// wrap before it is stored.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let der = self.private.as_der().map_err(|_| KeyError::Crypto)?;
        // aws-lc-rs zeroizes its own buffer when `der` drops.
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    /// The RFC 7638 SHA-256 thumbprint of the public JWK, base64url: the envelope's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The modulus size in bits (2048 to 4096).
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The public key as published at `/.well-known/jwks.json`.
    pub fn jwk(&self) -> Jwk {
        Jwk {
            kty: "RSA",
            n: self.n.clone(),
            e: self.e.clone(),
            kid: self.kid.clone(),
            alg: "RSA-OAEP-256",
            use_: "enc",
        }
    }

    /// Unwraps an envelope's JWE Encrypted Key: RSA-OAEP with SHA-256 and MGF1-SHA-256
    /// (`RSA-OAEP-256`, RFC 7518 §4.3), no label, to the 32-byte A256GCM content key.
    ///
    /// It never returns early. When unwrapping fails (a ciphertext that is not exactly the
    /// modulus size, bad padding, a content key that is not 32 bytes), the key is a random one,
    /// marked invalid, and the caller goes on to AES-GCM with it all the same, so that every
    /// failure takes the path of a wrong content key ([RFC 7516 §11.5]): see
    /// [`open`](Self::open).
    ///
    /// [RFC 7516 §11.5]: https://www.rfc-editor.org/rfc/rfc7516#section-11.5
    pub fn unwrap_cek(&self, encrypted_key: &[u8]) -> UnwrappedKey {
        // The random key is drawn on every call, the good path too, so the two paths differ
        // only in which key is kept. A generator failure leaves zeros; `valid` still decides.
        let mut key = Zeroizing::new([0u8; CEK_LEN]);
        let _ = super::fill(&mut *key);
        let unwrapped = self.decrypt_oaep(encrypted_key);
        let (valid, cek) = match &unwrapped {
            Ok(cek) if cek.len() == CEK_LEN => (Choice::from(1), &cek[..]),
            _ => (Choice::from(0), &key[..]),
        };
        let mut chosen = Zeroizing::new([0u8; CEK_LEN]);
        chosen.copy_from_slice(cek);
        UnwrappedKey { key: chosen, valid }
    }

    /// RSA-OAEP-256 decryption without a label (AWS-LC checks the padding in constant time):
    /// the one private-key operation [`unwrap_cek`](Self::unwrap_cek) runs. Every failure is
    /// the same [`DecryptionFailed`].
    pub(crate) fn decrypt_oaep(
        &self,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DecryptionFailed> {
        if ciphertext.len() != self.oaep.key_size_bytes() {
            return Err(DecryptionFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; self.oaep.min_output_size()]);
        let len = self
            .oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, ciphertext, &mut out, None)
            .map_err(|_| DecryptionFailed)?
            .len();
        // The rest of the buffer is spare capacity now, still zeroized on drop.
        out.truncate(len);
        Ok(out)
    }

    /// Opens an envelope sealed to this key, as of `today`: unwraps its content key, then
    /// decrypts and checks the card. AES-GCM runs whether the unwrap succeeded or not (with a
    /// random key when it did not), and every unwrap or decryption failure is the same
    /// [`EnvelopeError::DecryptionFailed`].
    pub fn open(&self, envelope: &Envelope, today: YearMonth) -> Result<Card, EnvelopeError> {
        let cek = self.unwrap_cek(envelope.encrypted_key());
        open_with(&cek, envelope, today)
    }
}

/// The second half of [`TransportKey::open`]: AES-GCM with whatever key the unwrap gave, and
/// only then the verdict of the unwrap. A random key fails GCM's tag check but for a 2^-128
/// chance; the flag makes that chance, or a generator that failed, no way in.
fn open_with(
    cek: &UnwrappedKey,
    envelope: &Envelope,
    today: YearMonth,
) -> Result<Card, EnvelopeError> {
    let opened = envelope.open(cek.key(), today);
    if !bool::from(cek.valid) {
        return Err(EnvelopeError::DecryptionFailed);
    }
    opened
}

/// A content key from [`TransportKey::unwrap_cek`]: the unwrapped one, or a random stand-in
/// when unwrapping failed. Zeroized on drop; `Debug` shows neither the key nor its validity.
pub struct UnwrappedKey {
    key: Zeroizing<[u8; CEK_LEN]>,
    valid: Choice,
}

impl UnwrappedKey {
    /// The key to run AES-GCM with.
    pub fn key(&self) -> &[u8; CEK_LEN] {
        &self.key
    }

    /// Whether it is the unwrapped key (not a stand-in). For tests and for
    /// [`TransportKey::open`], which asks only after AES-GCM ran.
    pub fn is_valid(&self) -> bool {
        bool::from(self.valid)
    }
}

impl fmt::Debug for UnwrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnwrappedKey(redacted)")
    }
}

impl fmt::Debug for TransportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The length of the DER `SEQUENCE` at the start of `der`, header included ([X.690 §8.1], §10.1):
/// tag `0x30`, then a definite length in its shortest form. `None` if it is not one. Only the
/// outer header is read; AWS-LC parses the contents.
///
/// [X.690 §8.1]: https://www.itu.int/rec/T-REC-X.690
fn der_sequence_len(der: &[u8]) -> Option<usize> {
    const SEQUENCE: u8 = 0x30;
    let (&tag, rest) = der.split_first()?;
    if tag != SEQUENCE {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        // Short form: the length itself.
        return Some(2 + usize::from(first));
    }
    // Long form: the low bits count the length bytes that follow (0 would be the indefinite
    // form, which DER forbids; more than 4 would be a key of gigabytes).
    let count = usize::from(first & 0x7f);
    if !(1..=4).contains(&count) {
        return None;
    }
    let bytes = rest.get(..count)?;
    if bytes.first() == Some(&0) {
        return None;
    }
    let len = bytes
        .iter()
        .fold(0usize, |len, &b| (len << 8) | usize::from(b));
    if len < 0x80 {
        return None;
    }
    len.checked_add(2 + count)
}

/// A transport key's public half as a JWK ([RFC 7517 §4], [RFC 7518 §6.3.1]): `n` and `e` are
/// base64url without padding of the big-endian integers, without leading zero bytes.
///
/// [RFC 7517 §4]: https://www.rfc-editor.org/rfc/rfc7517#section-4
/// [RFC 7518 §6.3.1]: https://www.rfc-editor.org/rfc/rfc7518#section-6.3.1
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct Jwk {
    /// Always `"RSA"`.
    pub kty: &'static str,
    /// The modulus.
    pub n: String,
    /// The public exponent.
    pub e: String,
    /// The RFC 7638 thumbprint.
    pub kid: String,
    /// Always `"RSA-OAEP-256"`.
    pub alg: &'static str,
    /// Always `"enc"`.
    #[serde(rename = "use")]
    pub use_: &'static str,
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use cardvault::card::{Cvc, Name};

    use super::*;

    const AUD: &str = "pk_test_merchant";

    /// One 2048-bit key for the tests that do not need a fresh one (generation takes time).
    fn shared() -> &'static TransportKey {
        static KEY: OnceLock<TransportKey> = OnceLock::new();
        KEY.get_or_init(|| TransportKey::generate(2048).unwrap())
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    /// A card that is valid today, whenever the tests run.
    fn card() -> Card {
        let today = YearMonth::now();
        Card::new(
            "4242424242424242",
            12,
            u32::from(today.year) + 3,
            Some("123"),
            Some("Ada Lovelace"),
            today,
        )
        .unwrap()
    }

    /// What the browser does (the `rsa` crate, through `SealingKey`) and what the vault does
    /// (aws-lc-rs, through `TransportKey`) agree.
    fn field_seals_vault_opens(key: &TransportKey) {
        let jwk = key.jwk();
        let sealing = SealingKey::from_jwk(&jwk.n, &jwk.e).unwrap();
        assert_eq!(sealing.kid(), key.kid());
        let envelope = sealing.seal(&card(), AUD, now()).unwrap();

        let envelope = Envelope::parse(envelope.as_bytes()).unwrap();
        assert_eq!(envelope.header().kid(), key.kid());
        assert!(key.unwrap_cek(envelope.encrypted_key()).is_valid());
        let opened = key.open(&envelope, YearMonth::now()).unwrap();
        assert_eq!(opened.number.expose(), "4242424242424242");
        assert_eq!(opened.expiry.month(), 12);
        assert_eq!(opened.cvc.as_ref().map(Cvc::expose), Some("123"));
        assert_eq!(opened.name.as_ref().map(Name::expose), Some("Ada Lovelace"));
    }

    #[test]
    fn the_field_and_the_vault_agree() {
        field_seals_vault_opens(shared());
    }

    #[test]
    fn every_size_works() {
        for bits in [3072, 4096] {
            let key = TransportKey::generate(bits).unwrap();
            assert_eq!(key.bits(), bits);
            field_seals_vault_opens(&key);
        }
    }

    #[test]
    fn other_sizes_are_not_generated() {
        for bits in [0, 1024, 2047, 2049, 8192] {
            assert_eq!(
                TransportKey::generate(bits).unwrap_err(),
                KeyError::InvalidTransportKey
            );
        }
    }

    #[test]
    fn jwk_members() {
        let key = shared();
        let jwk = key.jwk();
        assert_eq!(jwk.e, "AQAB");
        assert_eq!(jwk.kid, key.kid());
        assert_eq!(jwk.kid, thumbprint(&jwk.n, &jwk.e));
        let n = Base64UrlUnpadded::decode_vec(&jwk.n).unwrap();
        assert_eq!(n.len(), 256);
        assert_ne!(n[0], 0);
        assert_eq!(key.bits(), 2048);
        let json = serde_json::to_value(&jwk).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kty": "RSA", "n": jwk.n, "e": "AQAB", "kid": jwk.kid,
                "alg": "RSA-OAEP-256", "use": "enc",
            })
        );
    }

    #[test]
    fn der_round_trip_keeps_the_kid() {
        let key = shared();
        let der = key.to_pkcs8_der().unwrap();
        let again = TransportKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(again.jwk(), key.jwk());
        assert_eq!(again.bits(), 2048);
        // The imported key opens what was sealed to the original.
        field_seals_vault_opens(&again);
        // Trailing data is refused.
        let mut longer = der.to_vec();
        longer.push(0);
        assert_eq!(
            TransportKey::from_pkcs8_der(&longer).unwrap_err(),
            KeyError::InvalidTransportKey
        );
        assert_eq!(
            TransportKey::from_pkcs8_der(&der[..der.len() - 1]).unwrap_err(),
            KeyError::InvalidTransportKey
        );
        assert_eq!(
            TransportKey::from_pkcs8_der(b"").unwrap_err(),
            KeyError::InvalidTransportKey
        );
    }

    #[test]
    fn pem_import() {
        let key = shared();
        let der = key.to_pkcs8_der().unwrap();
        let pem =
            pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(TransportKey::from_pkcs8_pem(&pem).unwrap().kid(), key.kid());
        // As files usually are: CRLF line endings, a blank line after.
        let crlf =
            pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::CRLF, &der).unwrap();
        let padded = format!("\n{crlf}\r\n\r\n");
        assert_eq!(
            TransportKey::from_pkcs8_pem(&padded).unwrap().kid(),
            key.kid()
        );
        // Another label (PKCS#1, encrypted PKCS#8, a certificate) is refused, even around the
        // right bytes.
        for label in [
            "RSA PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "CERTIFICATE",
            "PUBLIC KEY",
        ] {
            let other =
                pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, &der).unwrap();
            assert_eq!(
                TransportKey::from_pkcs8_pem(&other).unwrap_err(),
                KeyError::InvalidTransportKey,
                "{label}"
            );
        }
        let huge = format!("{pem}{}", " ".repeat(MAX_PEM_LEN)).replace(' ', "\n ");
        assert_eq!(
            TransportKey::from_pkcs8_pem(&huge).unwrap_err(),
            KeyError::InvalidTransportKey
        );
        for bad in [
            "",
            "not pem",
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        ] {
            assert_eq!(
                TransportKey::from_pkcs8_pem(bad).unwrap_err(),
                KeyError::InvalidTransportKey
            );
        }
    }

    #[test]
    fn openssl_key_import() {
        // A fresh import of a 2048-bit key made by `openssl genpkey`: the common case for
        // `cardvault keys import`.
        let key = TransportKey::from_pkcs8_pem(include_str!("testdata/rsa2048.pem")).unwrap();
        assert_eq!(key.bits(), 2048);
        field_seals_vault_opens(&key);
    }

    #[test]
    fn wrong_keys_are_refused() {
        for (pem, what) in [
            (include_str!("testdata/rsa1024.pem"), "1024-bit RSA"),
            (include_str!("testdata/rsa4608.pem"), "4608-bit RSA"),
            (include_str!("testdata/p256.pem"), "P-256"),
        ] {
            assert_eq!(
                TransportKey::from_pkcs8_pem(pem).unwrap_err(),
                KeyError::InvalidTransportKey,
                "{what}"
            );
        }
    }

    /// A sealed envelope as compact text, with its encrypted key replaced by `encrypted_key`
    /// and its content encrypted again under `cek` (same header, so same AAD, and same IV).
    pub(crate) fn reseal(compact: &str, real: &[u8], encrypted_key: &[u8], cek: &[u8]) -> String {
        use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
        let parts: Vec<&str> = compact.split('.').collect();
        let b64 = |s: &str| Base64UrlUnpadded::decode_vec(s).unwrap();
        let iv: [u8; 12] = b64(parts[2]).try_into().unwrap();
        let mut content = b64(parts[3]);
        content.extend(b64(parts[4]));
        let gcm = |key: &[u8]| LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).unwrap());
        let aad = || Aad::from(parts[0].as_bytes());
        let plaintext = gcm(real)
            .open_in_place(Nonce::assume_unique_for_key(iv), aad(), &mut content)
            .unwrap()
            .to_vec();
        let mut sealed = plaintext;
        let tag = gcm(cek)
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), aad(), &mut sealed)
            .unwrap();
        let enc = Base64UrlUnpadded::encode_string;
        format!(
            "{}.{}.{}.{}.{}",
            parts[0],
            enc(encrypted_key),
            parts[2],
            enc(&sealed),
            enc(tag.as_ref())
        )
    }

    /// A sealed envelope to the shared key, as text and parsed, and its content key.
    fn sealed() -> (String, Envelope, Zeroizing<[u8; CEK_LEN]>) {
        let key = shared();
        let jwk = key.jwk();
        let sealing = SealingKey::from_jwk(&jwk.n, &jwk.e).unwrap();
        let compact = sealing.seal(&card(), AUD, now()).unwrap();
        let envelope = Envelope::parse(compact.as_bytes()).unwrap();
        let cek = key.unwrap_cek(envelope.encrypted_key());
        assert!(cek.is_valid());
        (compact, envelope, Zeroizing::new(*cek.key()))
    }

    #[test]
    fn changed_ciphertexts_fail_alike() {
        let key = shared();
        let (_, envelope, real) = sealed();
        let encrypted = envelope.encrypted_key();

        let mut bad: Vec<Vec<u8>> = [0, 1, 100, encrypted.len() - 1]
            .into_iter()
            .map(|i| {
                let mut changed = encrypted.to_vec();
                changed[i] ^= 0x01;
                changed
            })
            .collect();
        let mut longer = encrypted.to_vec();
        longer.push(0);
        bad.extend([
            encrypted[1..].to_vec(),
            longer,
            Vec::new(),
            // A value not below the modulus.
            vec![0xff; encrypted.len()],
        ]);
        for changed in &bad {
            let cek = key.unwrap_cek(changed);
            assert!(!cek.is_valid());
            assert_ne!(cek.key(), &*real);
            assert_eq!(key.decrypt_oaep(changed).unwrap_err(), DecryptionFailed);
        }
        // Sealed to another transport key.
        let other = TransportKey::generate(2048).unwrap();
        assert!(!other.unwrap_cek(encrypted).is_valid());
        assert_eq!(
            other.open(&envelope, YearMonth::now()).unwrap_err(),
            EnvelopeError::DecryptionFailed
        );
    }

    /// RFC 7516 §11.5: a failed unwrap does not return; it hands AES-GCM a fresh random key
    /// (a new one each time, never the real one, never zeros), and the answer is the one
    /// decryption error, the same as for a good key and a changed ciphertext.
    #[test]
    fn a_failed_unwrap_goes_on_with_a_random_key() {
        let key = shared();
        let (compact, envelope, real) = sealed();
        let mut changed = envelope.encrypted_key().to_vec();
        changed[7] ^= 0x80;
        let first = key.unwrap_cek(&changed);
        let second = key.unwrap_cek(&changed);
        assert!(!first.is_valid() && !second.is_valid());
        assert_ne!(first.key(), second.key());
        assert_ne!(first.key(), &*real);
        assert_ne!(first.key(), &[0u8; CEK_LEN]);

        let today = YearMonth::now();
        let bad_key =
            Envelope::parse(reseal(&compact, &real[..], &changed, &real[..]).as_bytes()).unwrap();
        let bad_tag = {
            let mut text = compact.clone();
            let last = text.pop().map(|c| if c == 'A' { 'Q' } else { 'A' });
            text.extend(last);
            Envelope::parse(text.as_bytes()).unwrap()
        };
        assert_eq!(
            key.open(&bad_key, today).unwrap_err(),
            EnvelopeError::DecryptionFailed
        );
        assert_eq!(
            key.open(&bad_tag, today).unwrap_err(),
            EnvelopeError::DecryptionFailed
        );
        assert!(key.open(&envelope, today).is_ok());
    }

    /// The unwrap's verdict is read after AES-GCM and overrides it: content that GCM would
    /// authenticate under the stand-in key (as if the random draw had been predicted, or the
    /// generator had failed) still opens to nothing.
    #[test]
    fn the_stand_in_key_never_opens_anything() {
        let key = shared();
        let (compact, envelope, real) = sealed();
        let mut changed = envelope.encrypted_key().to_vec();
        changed[0] ^= 0x01;
        let stand_in = key.unwrap_cek(&changed);
        let forged =
            Envelope::parse(reseal(&compact, &real[..], &changed, stand_in.key()).as_bytes())
                .unwrap();
        let today = YearMonth::now();
        // GCM alone accepts it with that key...
        assert!(forged.open(stand_in.key(), today).is_ok());
        // ...the vault's path does not.
        assert_eq!(
            open_with(&stand_in, &forged, today).unwrap_err(),
            EnvelopeError::DecryptionFailed
        );
    }

    #[test]
    fn a_content_key_of_another_size_is_refused() {
        // Valid RSA-OAEP-256 around 16 bytes (an A128GCM key): not ours.
        let key = shared();
        let der = key.to_pkcs8_der().unwrap();
        let private = PrivateDecryptingKey::from_pkcs8(&der).unwrap();
        let encrypting = OaepPublicEncryptingKey::new(private.public_key()).unwrap();
        for len in [0, 16, 31, 33] {
            let mut out = vec![0u8; encrypting.ciphertext_size()];
            let message = vec![7u8; len];
            let ciphertext = encrypting
                .encrypt(&OAEP_SHA256_MGF1SHA256, &message, &mut out, None)
                .unwrap();
            assert_eq!(&key.decrypt_oaep(ciphertext).unwrap()[..], &message[..]);
            assert!(!key.unwrap_cek(ciphertext).is_valid());
        }
        let mut out = vec![0u8; encrypting.ciphertext_size()];
        let ciphertext = encrypting
            .encrypt(&OAEP_SHA256_MGF1SHA256, &[7u8; 32], &mut out, None)
            .unwrap();
        let cek = key.unwrap_cek(ciphertext);
        assert!(cek.is_valid());
        assert_eq!(cek.key(), &[7u8; 32]);
    }

    /// Project Wycheproof's RSA-OAEP vectors with SHA-256 and MGF1-SHA-256 at 2048, 3072 and
    /// 4096 bits, imported as `cardvault keys import` would, through the vault's path:
    ///
    /// - the OAEP decryption `unwrap_cek` runs: every valid vector without a label gives its
    ///   message; every invalid one, and every one with a label (`RSA-OAEP-256` has none), the
    ///   one `DecryptionFailed`;
    /// - the whole open, each vector's ciphertext as an envelope's encrypted key (with the
    ///   content encrypted under the vector's message where it is 32 bytes, else under the
    ///   envelope's real key): only a valid, unlabelled, 32-byte content key opens the card;
    ///   everything else is the one `EnvelopeError::DecryptionFailed`.
    #[test]
    fn wycheproof_rsa_oaep_sha256() {
        use wycheproof::TestResult;
        use wycheproof::rsa_oaep::{TestName, TestSet};
        let today = YearMonth::now();
        for (name, bits) in [
            (TestName::Rsa2048Sha256Mgf1Sha256, 2048),
            (TestName::Rsa3072Sha256Mgf1Sha256, 3072),
            (TestName::Rsa4096Sha256Mgf1Sha256, 4096),
        ] {
            let set = TestSet::load(name).unwrap();
            let (mut opened, mut valid, mut refused) = (0, 0, 0);
            for group in &set.test_groups {
                let key = TransportKey::from_pkcs8_der(&group.pkcs8).unwrap();
                assert_eq!(key.bits(), bits);
                let jwk = key.jwk();
                let sealing = SealingKey::from_jwk(&jwk.n, &jwk.e).unwrap();
                let compact = sealing.seal(&card(), AUD, now()).unwrap();
                let envelope = Envelope::parse(compact.as_bytes()).unwrap();
                let real = Zeroizing::new(*key.unwrap_cek(envelope.encrypted_key()).key());
                for test in &group.tests {
                    let id = test.tc_id;
                    let opens = test.result == TestResult::Valid && test.label.is_empty();
                    match key.decrypt_oaep(&test.ct) {
                        Ok(message) if opens => {
                            assert_eq!(&message[..], &test.pt[..], "{bits} tcId {id}");
                            valid += 1;
                        }
                        Ok(_) => panic!("{bits} tcId {id}: decrypted, {:?}", test.result),
                        Err(DecryptionFailed) => {
                            assert!(!opens, "{bits} tcId {id}: refused");
                            refused += 1;
                        }
                    }

                    if test.ct.len() != key.oaep.key_size_bytes() {
                        // Not the modulus size: the parser refuses such an envelope already.
                        continue;
                    }
                    let content_key: &[u8] = if test.pt.len() == CEK_LEN {
                        &test.pt
                    } else {
                        &real[..]
                    };
                    let resealed = reseal(&compact, &real[..], &test.ct, content_key);
                    let envelope = Envelope::parse(resealed.as_bytes()).unwrap();
                    match key.open(&envelope, today) {
                        Ok(card) => {
                            assert!(opens && test.pt.len() == CEK_LEN, "{bits} tcId {id}");
                            assert_eq!(card.number.expose(), "4242424242424242");
                            opened += 1;
                        }
                        Err(e) => {
                            assert!(!opens || test.pt.len() != CEK_LEN, "{bits} tcId {id}");
                            assert_eq!(e, EnvelopeError::DecryptionFailed, "{bits} tcId {id}");
                        }
                    }
                }
            }
            assert!(
                opened >= 1 && valid >= 5 && refused >= 15,
                "{bits}: {opened} {valid} {refused}"
            );
        }
    }

    #[test]
    fn debug_shows_the_kid_only() {
        let key = shared();
        let shown = format!("{key:?}");
        assert_eq!(
            shown,
            format!("TransportKey {{ kid: {:?}, .. }}", key.kid())
        );
        assert!(!shown.contains(&key.jwk().n[..16]));
        assert_eq!(
            DecryptionFailed.to_string(),
            "The encrypted key could not be unwrapped."
        );
        let (_, envelope, _) = sealed();
        let cek = key.unwrap_cek(envelope.encrypted_key());
        assert_eq!(format!("{cek:?}"), "UnwrappedKey(redacted)");
    }

    #[test]
    fn der_outer_header() {
        assert_eq!(der_sequence_len(&[0x30, 0x00]), Some(2));
        assert_eq!(der_sequence_len(&[0x30, 0x7f]), Some(0x81));
        assert_eq!(der_sequence_len(&[0x30, 0x81, 0x80]), Some(0x83));
        assert_eq!(der_sequence_len(&[0x30, 0x82, 0x04, 0xbd]), Some(0x04c1));
        // Not minimal, indefinite, too long, truncated, not a SEQUENCE, empty.
        assert_eq!(der_sequence_len(&[0x30, 0x81, 0x7f]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x82, 0x00, 0xff]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x80]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x85, 1, 0, 0, 0, 0]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x82, 0x04]), None);
        assert_eq!(der_sequence_len(&[0x31, 0x00]), None);
        assert_eq!(der_sequence_len(&[0x30]), None);
        assert_eq!(der_sequence_len(&[]), None);
        assert_eq!(
            der_sequence_len(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            0xffff_ffffusize.checked_add(6)
        );
    }

    #[test]
    fn shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<TransportKey>();
    }
}
