//! Any bytes as an envelope: the parser never panics, and what parses goes through the vault's
//! whole open (RSA-OAEP unwrap with the test key, AES-GCM, the card's checks). A failure is one
//! of the answers the vault gives (decryption failed, not card JSON, which part of the card is
//! wrong), and a card that opens passes every rule again.
#![no_main]

use cardvault::envelope::{Envelope, EnvelopeError};
use cardvault_fuzz::{TODAY, check_card, fixture};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(envelope) = Envelope::parse(data) else {
        return;
    };
    let _ = format!("{envelope:?}");
    let header = envelope.header();
    let _ = (header.kid(), header.aud(), header.jti(), header.iat());
    match fixture().key.open(&envelope, TODAY) {
        Ok(card) => check_card(&card),
        Err(
            EnvelopeError::DecryptionFailed
            | EnvelopeError::InvalidPayload
            | EnvelopeError::Card(_),
        ) => {}
        Err(other) => panic!("open answered {other:?}"),
    }
});
