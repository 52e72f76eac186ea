//! Seal → open round trips, tampering and hostile input, with a test-only RSA private key.
//! (The vault unwraps with aws-lc-rs; the `rsa` crate's private-key operations are used here
//! only to play the vault's part in tests.)

use std::sync::OnceLock;

use proptest::prelude::*;
use rsa::sha2::Sha256;
use rsa::traits::PublicKeyParts;

use super::*;
use crate::card::{Card, CardError, YearMonth};

const TODAY: YearMonth = YearMonth {
    year: 2026,
    month: 11,
};
const AUD: &str = "pk_test_merchant";
const IAT: u64 = 1_795_798_800;

struct Vault {
    private: rsa::PrivateKey,
    sealing: SealingKey,
}

fn jwk_members(key: &rsa::PrivateKey) -> (String, String) {
    let public = key.to_public_key();
    (
        b64::encode(&public.n().to_be_bytes_trimmed_vartime()),
        b64::encode(&public.e().to_be_bytes_trimmed_vartime()),
    )
}

fn vault() -> &'static Vault {
    static VAULT: OnceLock<Vault> = OnceLock::new();
    VAULT.get_or_init(|| {
        let private = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        let (n, e) = jwk_members(&private);
        let sealing = SealingKey::from_jwk(&n, &e).unwrap();
        Vault { private, sealing }
    })
}

/// What the vault does: parse, unwrap with the private key, open.
fn open_with(key: &rsa::PrivateKey, envelope: &[u8]) -> Result<Card, EnvelopeError> {
    let envelope = Envelope::parse(envelope)?;
    let cek = key
        .oaep_decrypt::<Sha256>(envelope.encrypted_key())
        .map_err(|_| EnvelopeError::DecryptionFailed)?;
    envelope.open(&cek, TODAY)
}

fn open(envelope: &[u8]) -> Result<Card, EnvelopeError> {
    open_with(&vault().private, envelope)
}

fn test_card() -> Card {
    Card::new(
        "4242424242424242",
        12,
        2030,
        Some("123"),
        Some("Ada Lovelace"),
        TODAY,
    )
    .unwrap()
}

fn sealed() -> String {
    vault().sealing.seal(&test_card(), AUD, IAT).unwrap()
}

#[test]
fn header_is_exactly_the_contracts() {
    let envelope = sealed();
    let parsed = Envelope::parse(envelope.as_bytes()).unwrap();
    let header = parsed.header();
    assert_eq!(header.kid(), vault().sealing.kid());
    assert_eq!(header.iat(), IAT);
    assert_eq!(header.aud(), AUD);
    assert_eq!(b64::decode(header.jti()).unwrap().len(), 16);
    let first = envelope.split('.').next().unwrap();
    let json = String::from_utf8(b64::decode(first).unwrap()).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}","iat":{IAT},"jti":"{}","aud":"{AUD}"}}"#,
            header.kid(),
            header.jti()
        )
    );
}

#[test]
fn every_seal_is_fresh() {
    let (a, b) = (sealed(), sealed());
    let (a, b) = (
        Envelope::parse(a.as_bytes()).unwrap(),
        Envelope::parse(b.as_bytes()).unwrap(),
    );
    assert_ne!(a.header().jti(), b.header().jti());
    assert_ne!(a.encrypted_key(), b.encrypted_key());
}

#[test]
fn round_trip_with_the_published_jwk() {
    let card = open(sealed().as_bytes()).unwrap();
    assert_eq!(card.number.expose(), "4242424242424242");
    assert_eq!(card.cvc.unwrap().expose(), "123");
    assert_eq!(card.name.unwrap().expose(), "Ada Lovelace");
    assert_eq!((card.expiry.month(), card.expiry.year()), (12, 2030));
}

#[test]
fn another_key_cannot_open() {
    let other = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
    assert_eq!(
        open_with(&other, sealed().as_bytes()).unwrap_err(),
        EnvelopeError::DecryptionFailed
    );
}

#[test]
fn the_card_is_checked_again_when_opened() {
    // Valid when sealed (November 2026), expired when opened a month later.
    let card = Card::new("4242424242424242", 11, 2026, None, None, TODAY).unwrap();
    let envelope = vault().sealing.seal(&card, AUD, IAT).unwrap();
    let parsed = Envelope::parse(envelope.as_bytes()).unwrap();
    let cek = vault()
        .private
        .oaep_decrypt::<Sha256>(parsed.encrypted_key())
        .unwrap();
    let december = YearMonth {
        year: 2026,
        month: 12,
    };
    assert_eq!(
        parsed.open(&cek, december).unwrap_err(),
        EnvelopeError::Card(CardError::Expired)
    );
}

#[test]
fn sealing_refuses_a_bad_audience() {
    for aud in ["", "sk_live_x", "pk_", "pk_a\"b"] {
        assert_eq!(
            vault().sealing.seal(&test_card(), aud, IAT).unwrap_err(),
            EnvelopeError::InvalidAudience
        );
    }
}

#[test]
fn every_single_byte_change_is_refused() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let envelope = sealed().into_bytes();
    let mut decryption_failures = 0;
    for i in 0..envelope.len() {
        for replacement in [b'.', b'=', b' ', b'A', b'_'] {
            let pick = if envelope[i] == replacement {
                ALPHABET[(ALPHABET.iter().position(|&c| c == replacement).unwrap_or(0) + 1) % 64]
            } else {
                replacement
            };
            let mut changed = envelope.clone();
            changed[i] = pick;
            let err = open(&changed).expect_err("a changed envelope opened");
            assert!(
                matches!(
                    err,
                    EnvelopeError::Malformed | EnvelopeError::DecryptionFailed
                ),
                "{err:?}"
            );
            decryption_failures += usize::from(err == EnvelopeError::DecryptionFailed);
        }
    }
    // The changes that keep the form valid reach the cryptography, and fail there alike.
    assert!(decryption_failures > envelope.len());
}

#[test]
fn truncation_and_trailing_data_are_refused() {
    let envelope = sealed();
    for cut in [0, 1, envelope.len() / 2, envelope.len() - 1] {
        assert!(open(&envelope.as_bytes()[..cut]).is_err());
    }
    for suffix in [".", "A", "\n", " ", ".AAAA"] {
        assert!(
            open(format!("{envelope}{suffix}").as_bytes()).is_err(),
            "{suffix:?}"
        );
    }
}

#[test]
fn debug_output_shows_no_card_data() {
    let envelope = sealed();
    let parsed = Envelope::parse(envelope.as_bytes()).unwrap();
    let card = open(envelope.as_bytes()).unwrap();
    let shown = format!(
        "{parsed:?} {:?} {card:?} {:?} {:?}",
        vault().sealing,
        card.number,
        card.cvc
    );
    for secret in ["4242", "123", "Ada"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    for err in [
        EnvelopeError::Malformed,
        EnvelopeError::DecryptionFailed,
        EnvelopeError::InvalidPayload,
        EnvelopeError::Card(CardError::InvalidNumber),
        EnvelopeError::InvalidKey,
        EnvelopeError::InvalidAudience,
        EnvelopeError::Random,
    ] {
        let shown = format!("{err} {err:?}");
        assert!(!shown.chars().any(|c| c.is_ascii_digit()), "{shown}");
    }
}

/// Valid test numbers of several brands and lengths.
const NUMBERS: &[&str] = &[
    "4242424242424242",
    "4222222222222",
    "378282246310005",
    "36227206271667",
    "6205500000000000004",
    "5555555555554444",
    "6062826786276634",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn seal_then_open_round_trips(
        number in proptest::sample::select(NUMBERS),
        month in 1u32..=12,
        year in 2027u32..=2046,
        with_cvc in any::<bool>(),
        name in proptest::option::of("[^\\p{Cc}]{1,100}"),
    ) {
        let brand_cvc = if number.starts_with("37") { "1234" } else { "123" };
        let cvc = with_cvc.then_some(brand_cvc);
        let card = Card::new(number, month, year, cvc, name.as_deref(), TODAY).unwrap();
        let envelope = vault().sealing.seal(&card, AUD, IAT).unwrap();
        let back = open(envelope.as_bytes()).unwrap();
        prop_assert_eq!(back.number.expose(), number);
        prop_assert_eq!((back.expiry.month(), back.expiry.year()), (month as u8, year as u16));
        prop_assert_eq!(back.cvc.as_ref().map(|c| c.expose()), cvc);
        let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        prop_assert_eq!(back.name.as_ref().map(|n| n.expose()), name);
    }

    #[test]
    fn any_changed_byte_is_refused(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let envelope = sealed().into_bytes();
        let i = index.index(envelope.len());
        prop_assume!(envelope[i] != byte);
        let mut changed = envelope;
        changed[i] = byte;
        prop_assert!(open(&changed).is_err());
    }

    #[test]
    fn random_bytes_never_panic_the_parser(input in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let _ = Envelope::parse(&input);
    }

    #[test]
    fn random_compact_strings_never_panic_the_parser(input in "[A-Za-z0-9_.-]{0,1200}") {
        prop_assert!(Envelope::parse(input.as_bytes()).is_err());
    }

    #[test]
    fn random_headers_never_panic_the_parser(json in "\\{(\"[a-z]{1,4}\":(\"[A-Za-z0-9_-]{0,50}\"|[0-9]{1,20}),?){0,8}\\}") {
        let header = b64::encode(json.as_bytes());
        let envelope = format!("{header}.{}.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA", "A".repeat(342));
        prop_assert!(Envelope::parse(envelope.as_bytes()).is_err());
    }
}
