//! Any text as a receiver's answer, masked as the merchant would see it (with and without what
//! the forward sent): never panics, and the result holds neither the sent number's digits in a
//! row nor any unbroken run of 13 to 19 ASCII digits that passes Luhn; the CVC and the name,
//! written after the text each standing alone, are masked whatever comes before them. The same for the text as a header value (under a header name
//! made of its first line), and the body decoding never panics either.
#![no_main]

use cardvault::card::luhn_valid;
use cardvault_server::forward::mask::{Sent, body_text, mask, mask_headers};
use libfuzzer_sys::fuzz_target;

const NUMBER: &str = "4000056655665556";
const CVC: &str = "737";
const NAME: &str = "Ada Lovelace";

fn assert_clean(masked: &str, sent: &Sent<'_>) {
    if sent.number.is_some() {
        assert!(!masked.contains(NUMBER), "the sent number survived");
    }
    for run in masked.split(|c: char| !c.is_ascii_digit()) {
        assert!(
            !((13..=19).contains(&run.len()) && luhn_valid(run)),
            "a card-shaped run survived"
        );
    }
}

/// What the fuzzer's text is followed by: the CVC and the name, each standing alone.
const TAIL: &str = " 737 Ada Lovelace ";

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let text = match choice % 3 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => body_text(Some("text/plain; charset=utf-16le"), rest),
        _ => body_text(Some("application/json"), rest),
    };
    let everything = Sent {
        number: Some(NUMBER),
        cvc: Some(CVC),
        name: Some(NAME),
    };
    for sent in [everything, Sent::default()] {
        let mut masked = format!("{text}{TAIL}");
        mask(&sent, &mut masked);
        assert_clean(&masked, &sent);
        // The tail, masked character for character (the text before it may glue itself to the
        // tail's first space, never to what follows).
        let tail = masked.get(masked.len().saturating_sub(TAIL.len() - 1)..);
        if sent.cvc.is_some()
            && let Some(tail) = tail
        {
            assert!(!tail.contains("737"), "the CVC survived: {tail:?}");
            assert!(!tail.contains(NAME), "the name survived: {tail:?}");
        }
    }
    let (name, value) = rest.split_at(rest.iter().position(|&b| b == b'\n').unwrap_or(0));
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let headers = mask_headers(&everything, [(name.as_str(), value), (name.as_str(), value)]);
    for (name, value) in &headers {
        assert_clean(&format!("{name}: {value}"), &everything);
    }
});
