//! Masking card numbers in what a receiver answers, before the merchant sees it.
//!
//! Every run of 13 to 19 ASCII digits that passes Luhn becomes `*`s but for its last four
//! digits (`4242424242424242` → `************4242`): the merchant already knows the last four,
//! and keeping them lets it match an echoed number to its token. A run of 14 to 19 digits that
//! fails Luhn but starts with a valid card number (brand, length and Luhn: a number glued to an
//! expiry or a digit) is masked whole too. A run longer than 19 digits (a number padded with
//! zeros, or glued to other digits) is masked whole if any stretch of 13 to 19 digits inside it
//! passes Luhn; that errs on the side of masking (most long digit runs contain such a stretch),
//! which is the side to err on, and a run of more than 1,024 digits is masked without looking.
//! Other runs, and runs shorter than 13 digits, are left as they are (a 16-digit transaction id
//! that fails Luhn stays readable). Digits separated by spaces or dashes are separate runs: a
//! processor that formats a full number that way is not covered.

use std::borrow::Cow;

use cardvault::card::{Brand, CardNumber, luhn_valid};

/// The shortest and longest card numbers.
const MIN: usize = 13;
const MAX: usize = 19;
/// Longer digit runs are masked without searching them (the search is quadratic).
const LONGEST_SEARCHED: usize = 1024;
/// Digits left in clear at the end of a masked run.
const KEEP: usize = 4;

/// Whether a run of ASCII digits is, or hides, a card number.
fn is_card_like(run: &str) -> bool {
    let len = run.len();
    if len < MIN {
        return false;
    }
    if len <= MAX {
        return luhn_valid(run)
            || (MIN..len).any(|width| {
                run.get(..width).is_some_and(|prefix| {
                    CardNumber::parse(prefix).is_ok_and(|n| n.brand() != Brand::Unknown)
                })
            });
    }
    if len > LONGEST_SEARCHED {
        return true;
    }
    (MIN..=MAX).any(|width| {
        (0..=len - width).any(|start| run.get(start..start + width).is_some_and(luhn_valid))
    })
}

/// `text` with every card-like digit run masked.
pub fn mask(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if is_card_like(text.get(start..i).unwrap_or_default()) {
            let out = out.get_or_insert_with(|| bytes.to_vec());
            for b in out.iter_mut().take(i - KEEP).skip(start) {
                *b = b'*';
            }
        }
    }
    match out {
        // Only ASCII digits were replaced by an ASCII `*`: still UTF-8.
        Some(out) => Cow::Owned(
            String::from_utf8(out)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_runs_of_13_to_19_digits_keep_their_last_four() {
        assert_eq!(mask("4242424242424242"), "************4242");
        assert_eq!(
            mask(r#"{"card":"5555555555554444","amex":378282246310005}"#),
            r#"{"card":"************4444","amex":***********0005}"#
        );
        // 13 and 19 digits.
        assert_eq!(mask("n=4222222222222."), "n=*********2222.");
        assert_eq!(mask("6011000990139424"), "************9424");
        assert_eq!(mask("x4000000000000000006y"), "x***************0006y");
        // Around non-ASCII text.
        assert_eq!(mask("né 4242424242424242 ü"), "né ************4242 ü");
    }

    #[test]
    fn other_digit_runs_are_untouched() {
        for text in [
            "4242424242424241", // fails Luhn
            "424242424242",     // 12 digits
            "0000000000000001", // fails Luhn
            "amount 4850 at 1764201600",
            "4242 4242 4242 4242", // groups are separate short runs
            "",
            "no digits",
        ] {
            assert!(matches!(mask(text), Cow::Borrowed(_)), "{text}");
        }
        // Luhn-valid but 12 digits: not a card number.
        assert!(luhn_valid("000000000000"));
        assert_eq!(mask("000000000000"), "000000000000");
    }

    #[test]
    fn longer_runs_hiding_a_number_are_masked_whole() {
        // Zero-padded, or glued to an expiry.
        assert_eq!(mask("00004242424242424242"), "****************4242");
        assert_eq!(mask("42424242424242421230"), "****************1230");
        // A long run with no Luhn stretch of 13-19 digits stays.
        let plain = "1".repeat(30);
        let has_stretch = (13..=19).any(|w| (0..=30 - w).any(|s| luhn_valid(&plain[s..s + w])));
        assert_eq!(mask(&plain) == plain.as_str(), !has_stretch);
    }

    #[test]
    fn several_numbers_in_one_text() {
        assert_eq!(
            mask("a 4242424242424242 b 4242424242424241 c 5555555555554444"),
            "a ************4242 b 4242424242424241 c ************4444"
        );
    }

    #[test]
    fn a_number_glued_to_a_few_digits_is_masked() {
        // 16 + 2 (a month), 16 + 1, Amex 15 + 2: the whole run fails Luhn.
        for (text, masked) in [
            ("424242424242424212", "**************4212"),
            ("42424242424242421", "*************2421"),
            ("37828224631000501", "*************0501"),
        ] {
            assert!(!luhn_valid(text), "{text}");
            assert_eq!(mask(text), masked);
        }
        // Far too long to search: masked whole.
        let long = "7".repeat(2000);
        assert_eq!(mask(&long).matches('*').count(), 1996);
    }
}
