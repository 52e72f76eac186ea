//! Any bytes as the card JSON inside an envelope (sealed with the fixture's key, so AES-GCM
//! passes and the payload reader gets the input): it never panics, refuses with a card error or
//! "not the card JSON", and a card it accepts passes every rule again.
#![no_main]

use cardvault::envelope::{Envelope, EnvelopeError};
use cardvault_fuzz::{TODAY, check_card, fixture, seal_plaintext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let compact = seal_plaintext(data);
    // Empty and over-long content is refused by the parser, before any key.
    let Ok(envelope) = Envelope::parse(compact.as_bytes()) else {
        return;
    };
    match envelope.open(&fixture().cek, TODAY) {
        Ok(card) => check_card(&card),
        Err(EnvelopeError::Card(_) | EnvelopeError::InvalidPayload) => {}
        Err(other) => panic!("the payload reader answered {other:?}"),
    }
});
