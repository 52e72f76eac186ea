//! Any text as a receiver's answer, masked as the merchant would see it (with and without the
//! number the forward sent): never panics, and the result holds neither the sent number's
//! digits in a row nor any unbroken run of 13 to 19 ASCII digits that passes Luhn. The UTF-16
//! body decoding never panics either.
//!
//! Written against `forward::mask` as it is on `main`; the `mask` branch changes its API.
#![no_main]

use cardvault::card::{CardNumber, luhn_valid};
use cardvault_server::forward::mask::{body_text, mask};
use libfuzzer_sys::fuzz_target;

const SENT: &str = "4000056655665556";

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let sent = CardNumber::parse(SENT).expect("a valid number");
    let text = match choice % 3 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => body_text(Some("text/plain; charset=utf-16le"), rest),
        _ => body_text(Some("application/json"), rest),
    };
    for masked in [mask(&text, Some(&sent)), mask(&text, None)] {
        assert!(!masked.contains(SENT), "the sent number survived");
        for run in masked.split(|c: char| !c.is_ascii_digit()) {
            assert!(
                !((13..=19).contains(&run.len()) && luhn_valid(run)),
                "a card-shaped run survived"
            );
        }
    }
});
