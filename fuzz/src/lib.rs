//! What the fuzz targets share: a transport key (the server's test key), a fixed "today", and
//! an envelope sealed to that key whose header, encrypted key and IV the card JSON target reuses
//! around its input.

#![forbid(unsafe_code)]

use std::sync::OnceLock;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64ct::{Base64UrlUnpadded, Encoding};
use cardvault::card::{Card, YearMonth};
use cardvault::envelope::{CEK_LEN, Envelope, IV_LEN, SealingKey};
use cardvault_server::keys::TransportKey;

/// The audience the fixture's envelopes are sealed for.
pub const AUD: &str = "pk_fuzz";

/// "Today" for every target: fixed, so that a crash replays the same way on any day.
pub const TODAY: YearMonth = YearMonth {
    year: 2026,
    month: 11,
};

/// The transport key and one envelope sealed to it.
pub struct Fixture {
    /// The server's 2048-bit test key (`server/src/keys/testdata/rsa2048.pem`).
    pub key: TransportKey,
    /// The envelope's encoded protected header (the AAD).
    pub header: String,
    /// The envelope's encoded encrypted key.
    pub encrypted_key: String,
    /// The envelope's IV.
    pub iv: [u8; IV_LEN],
    /// The content key the encrypted key unwraps to.
    pub cek: [u8; CEK_LEN],
}

/// The fixture, made once per process.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = TransportKey::from_pkcs8_pem(include_str!(
            "../../server/src/keys/testdata/rsa2048.pem"
        ))
        .expect("the test key parses");
        let jwk = key.jwk();
        let sealing = SealingKey::from_jwk(&jwk.n, &jwk.e).expect("the field accepts it");
        let card = Card::new(
            "4242424242424242",
            12,
            2030,
            Some("123"),
            Some("Ada"),
            TODAY,
        )
        .expect("a valid card");
        let compact = sealing
            .seal(&card, AUD, 1_795_798_800)
            .expect("sealing works");
        let envelope = Envelope::parse(compact.as_bytes()).expect("it parses");
        let cek = key.unwrap_cek(envelope.encrypted_key());
        let parts: Vec<&str> = compact.split('.').collect();
        let iv = Base64UrlUnpadded::decode_vec(parts[2]).expect("base64url");
        Fixture {
            header: parts[0].to_owned(),
            encrypted_key: parts[1].to_owned(),
            iv: iv.try_into().expect("12 bytes"),
            cek: *cek.key(),
            key,
        }
    })
}

/// An envelope in compact form whose content is `plaintext`, encrypted under the fixture's
/// content key (with its header, encrypted key and IV).
pub fn seal_plaintext(plaintext: &[u8]) -> String {
    let f = fixture();
    let gcm = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &f.cek).expect("a 32-byte key"));
    let mut content = plaintext.to_vec();
    let tag = gcm
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(f.iv),
            Aad::from(f.header.as_bytes()),
            &mut content,
        )
        .expect("GCM seals");
    let enc = Base64UrlUnpadded::encode_string;
    format!(
        "{}.{}.{}.{}.{}",
        f.header,
        f.encrypted_key,
        enc(&f.iv),
        enc(&content),
        enc(tag.as_ref())
    )
}

/// Checks what every opened card must satisfy: its number parses again to the same brand, its
/// expiry holds today, and its secrets' `Debug` is the fixed redacted text.
pub fn check_card(card: &Card) {
    let number = card.number.expose();
    let again = cardvault::card::CardNumber::parse(number).expect("an opened number parses");
    assert_eq!(again.brand(), card.number.brand());
    assert!(card.expiry.check(TODAY).is_ok());
    assert_eq!(
        format!("{:?}", card.number),
        format!("CardNumber({}, redacted)", card.number.brand())
    );
    if let Some(cvc) = &card.cvc {
        assert_eq!(format!("{cvc:?}"), "Cvc(redacted)");
    }
    if let Some(name) = &card.name {
        assert_eq!(format!("{name:?}"), "Name(redacted)");
    }
}
