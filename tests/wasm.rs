//! The card rules and sealing, run in headless Chromium (`wasm-bindgen-test`): the same code the
//! field runs, on the platform it runs on (browser `crypto.getRandomValues`, wasm32 integers).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use cardvault::card::{Brand, Card, CardError, NumberState, YearMonth, check_partial, format};
use cardvault::envelope::{Envelope, SealingKey, thumbprint};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const TODAY: YearMonth = YearMonth {
    year: 2026,
    month: 11,
};

/// The RSA public key of RFC 7638 §3.1.
const N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS\
                 oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65\
                 YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr\
                 dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK\
                 nqDKgw";

#[wasm_bindgen_test]
fn card_rules_in_the_browser() {
    assert_eq!(
        check_partial("3782"),
        (Brand::Amex, NumberState::Incomplete)
    );
    assert_eq!(
        check_partial("378282246310005"),
        (Brand::Amex, NumberState::Complete)
    );
    assert_eq!(format("378282246310005"), "3782 822463 10005");
    let card = Card::new("4242 4242 4242 4242", 12, 2030, Some("123"), None, TODAY).unwrap();
    assert_eq!(card.number.brand(), Brand::Visa);
    assert_eq!(
        Card::new("4242424242424241", 12, 2030, None, None, TODAY).unwrap_err(),
        CardError::InvalidNumber
    );
}

#[wasm_bindgen_test]
fn sealing_in_the_browser() {
    let key = SealingKey::from_jwk(N, "AQAB").unwrap();
    assert_eq!(key.kid(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert_eq!(key.kid(), thumbprint(N, "AQAB"));
    let card = Card::new(
        "4242424242424242",
        12,
        2030,
        Some("123"),
        Some("Ada"),
        TODAY,
    )
    .unwrap();
    let first = key.seal(&card, "pk_test_1", 1_795_798_800).unwrap();
    let second = key.seal(&card, "pk_test_1", 1_795_798_800).unwrap();
    assert_ne!(first, second, "fresh randomness for every seal");
    assert!(!first.contains("4242"));
    let parsed = Envelope::parse(first.as_bytes()).unwrap();
    assert_eq!(parsed.header().kid(), key.kid());
    assert_eq!(parsed.header().aud(), "pk_test_1");
    assert_eq!(parsed.encrypted_key().len(), 256);
}
