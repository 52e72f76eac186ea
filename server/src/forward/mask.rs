//! Masking card numbers in what a receiver answers, before the merchant sees it.
//!
//! Two passes, each keeping the last four digits of what it masks (`4242424242424242` →
//! `************4242`): the merchant already knows the last four, and keeping them lets it match
//! an echoed number to its token.
//!
//! - **The card's own number**, when the forward opened the card (to send its number or name),
//!   wherever it appears, however it is written: digits split by spaces, dashes or any other
//!   punctuation (up to 8 characters between two digits), digits written as JSON escapes
//!   (`\u0034`) or full-width digits (`４`), and text that was UTF-16 (a NUL after every
//!   character). Letters between two digits end a match. Each masked digit becomes one `*`,
//!   whatever it was written as; what lies between the digits stays.
//! - **Anything that looks like a card number**: every run of 13 to 19 ASCII digits that passes
//!   Luhn. A run of 14 to 19 digits that fails Luhn but starts with a valid card number (brand,
//!   length and Luhn: a number glued to an expiry or a digit) is masked whole too. A run longer
//!   than 19 digits (a number padded with zeros, or glued to other digits) is masked whole if any
//!   stretch of 13 to 19 digits inside it passes Luhn; that errs on the side of masking (most long
//!   digit runs contain such a stretch), which is the side to err on, and a run of more than 1,024
//!   digits is masked without looking. Other runs, and runs shorter than 13 digits, are left as
//!   they are (a 16-digit transaction id that fails Luhn stays readable). This pass only sees
//!   unbroken runs of ASCII digits: a number it was not sent, split by spaces, stays.

use std::borrow::Cow;

use cardvault::card::{Brand, CardNumber, luhn_valid};
use zeroize::Zeroizing;

/// The shortest and longest card numbers.
const MIN: usize = 13;
const MAX: usize = 19;
/// Longer digit runs are masked without searching them (the search is quadratic).
const LONGEST_SEARCHED: usize = 1024;
/// Digits left in clear at the end of a masked run.
const KEEP: usize = 4;
/// The most characters between two digits of the sent number that still join them.
const MAX_GAP: usize = 8;

/// `text` as the merchant may see it: the number this forward sent (`sent`), and anything else
/// that looks like a card number, masked (see the module's comment).
pub fn mask<'a>(text: &'a str, sent: Option<&CardNumber>) -> Cow<'a, str> {
    match sent.and_then(|number| mask_sent(text, number.expose())) {
        // Zeroized: another card number may still be in it, for the second pass.
        Some(masked) => Cow::Owned(mask_runs(&Zeroizing::new(masked)).into_owned()),
        None => mask_runs(text),
    }
}

/// An answer's body as text, to mask and to hand to the merchant: UTF-16 when its
/// `Content-Type` names a UTF-16 charset or it starts with a UTF-16 byte order mark (`utf-16`
/// without one is big-endian), else UTF-8. What does not decode becomes U+FFFD.
pub fn body_text(content_type: Option<&str>, body: &[u8]) -> String {
    let charset = content_type.and_then(|value| {
        value.split(';').skip(1).find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        })
    });
    let (little_endian, start) = match (body.get(..2), charset.as_deref()) {
        (Some([0xff, 0xfe]), _) => (true, 2),
        (Some([0xfe, 0xff]), _) => (false, 2),
        (_, Some("utf-16le")) => (true, 0),
        (_, Some("utf-16be" | "utf-16")) => (false, 0),
        _ => return String::from_utf8_lossy(body).into_owned(),
    };
    let units = body
        .get(start..)
        .unwrap_or_default()
        .chunks(2)
        .map(|pair| match *pair {
            [a, b] if little_endian => u16::from_le_bytes([a, b]),
            [a, b] => u16::from_be_bytes([a, b]),
            _ => 0xfffd,
        });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Where a digit is written in the text, and what lies between it and the digit before. Its
/// value is read from the text when compared, so the answer's digits are not copied.
struct Digit {
    start: usize,
    end: usize,
    /// Characters since the previous digit; `usize::MAX` when a letter came between.
    gap: usize,
}

impl Digit {
    /// Its value, as an ASCII digit.
    fn value(&self, text: &str) -> Option<u8> {
        let written = text.get(self.start..self.end)?;
        match written.len() {
            1 => Some(written.as_bytes()[0]),
            6 => escaped(written.as_bytes().get(2..)).and_then(|c| u8::try_from(c).ok()),
            _ => {
                let c = written.chars().next()?;
                u8::try_from(u32::from(c).checked_sub(0xff10)? + u32::from(b'0')).ok()
            }
        }
    }
}

/// Where each digit of `text` is, however written: an ASCII digit, a JSON escape of one
/// (`\u0034`) or a full-width one (`４`).
fn digits(text: &str) -> Vec<Digit> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut gap = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        // (is a digit, bytes it takes, is a letter)
        let (digit, len, letter) = match bytes[i] {
            b'0'..=b'9' => (true, 1, false),
            b'\\' if bytes.get(i + 1) == Some(&b'u') => match escaped(bytes.get(i + 2..i + 6)) {
                Some(c) => (c.is_ascii_digit(), 6, c.is_ascii_alphabetic()),
                None => (false, 1, false),
            },
            b if b.is_ascii_alphabetic() => (false, 1, true),
            _ => {
                let c = text
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or(' ');
                (('\u{ff10}'..='\u{ff19}').contains(&c), c.len_utf8(), false)
            }
        };
        if digit {
            found.push(Digit {
                start: i,
                end: i + len,
                gap,
            });
            gap = 0;
        } else if letter {
            gap = usize::MAX;
        } else {
            gap = gap.saturating_add(1);
        }
        i += len;
    }
    found
}

/// The character a JSON escape's four hex digits stand for.
fn escaped(hex: Option<&[u8]>) -> Option<char> {
    let hex = hex?;
    if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    char::from_u32(u32::from_str_radix(core::str::from_utf8(hex).ok()?, 16).ok()?)
}

/// `text` with every appearance of `number` (its digits, in order, joined by at most `MAX_GAP`
/// characters that are not letters) masked but its last four digits; `None` if there is none.
fn mask_sent(text: &str, number: &str) -> Option<String> {
    let wanted = number.as_bytes();
    let found = digits(text);
    let mut masked: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i + wanted.len() <= found.len() {
        let candidate = &found[i..i + wanted.len()];
        let matches = candidate
            .iter()
            .zip(wanted)
            .enumerate()
            .all(|(k, (digit, &want))| {
                (k == 0 || digit.gap <= MAX_GAP) && digit.value(text) == Some(want)
            });
        if matches {
            let hidden = &candidate[..wanted.len().saturating_sub(KEEP)];
            masked.extend(hidden.iter().map(|digit| (digit.start, digit.end)));
            i += wanted.len();
        } else {
            i += 1;
        }
    }
    if masked.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in masked {
        out.push_str(text.get(at..start)?);
        out.push('*');
        at = end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

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

/// `text` with every card-like run of ASCII digits masked.
fn mask_runs(text: &str) -> Cow<'_, str> {
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

    const PAN: &str = "4242424242424242";

    fn sent(text: &str, number: &str) -> String {
        let number = CardNumber::parse(number).unwrap();
        mask(text, Some(&number)).into_owned()
    }

    #[test]
    fn the_sent_number_is_masked_however_it_is_split() {
        for (text, masked) in [
            ("4242 4242 4242 4242", "**** **** **** 4242"),
            ("4242-4242-4242-4242", "****-****-****-4242"),
            (
                "n=4242 - 4242 - 4242 - 4242.",
                "n=**** - **** - **** - 4242.",
            ),
            (
                "4 2 4 2 4 2 4 2 4 2 4 2 4 2 4 2",
                "* * * * * * * * * * * * 4 2 4 2",
            ),
            // 8 characters between two digits still join them.
            (
                "4242 ,\t;:/.|4242424242424242",
                "**** ,\t;:/.|********42424242",
            ),
            // Twice.
            (
                "a 4242424242424242 b 4242 4242 4242 4242",
                "a ************4242 b **** **** **** 4242",
            ),
        ] {
            assert_eq!(sent(text, PAN), masked, "{text}");
        }
        assert_eq!(
            sent("3782 822463 10005", "378282246310005"),
            "**** ****** *0005"
        );
    }

    #[test]
    fn the_sent_number_is_masked_inside_longer_digit_runs() {
        // Padded and glued to an expiry: only its own digits are masked.
        let text = format!("00{PAN}1230");
        assert_eq!(sent(&text, PAN), "00************42421230");
    }

    #[test]
    fn the_sent_number_is_masked_however_its_digits_are_written() {
        // JSON escapes (either case of hex digit), each becoming one `*`: the JSON stays valid.
        let escaped = r#"{"n":"\u0034\u0032\u00342424242424242","m":"\u003424242424242424\u0032"}"#;
        let masked = sent(escaped, PAN);
        assert_eq!(
            masked,
            r#"{"n":"************4242","m":"************424\u0032"}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&masked).is_ok());
        // Full-width digits.
        assert_eq!(
            sent("４２４２４２４２４２４２４２４２", PAN),
            "************４２４２"
        );
        // Text that was UTF-16: a NUL after every character.
        let utf16: String = format!("n: {PAN}.")
            .chars()
            .flat_map(|c| [c, '\0'])
            .collect();
        let masked = sent(&utf16, PAN);
        let expected: String = "n: ************4242."
            .chars()
            .flat_map(|c| [c, '\0'])
            .collect();
        assert_eq!(masked, expected);
    }

    #[test]
    fn what_is_not_the_sent_number_is_left() {
        for text in [
            // A letter between two digits, or written as an escape.
            "4242a4242b4242c4242",
            r"4242 4242\u00414242 4242",
            // 9 characters between two digits.
            "4242         424242424242",
            // Another number, or the same but for a digit.
            "5555 5555 5555 4444",
            "4242 4242 4242 4241",
        ] {
            assert_eq!(sent(text, PAN), text);
        }
        // The other pass still runs when a number was sent.
        assert_eq!(sent("5555555555554444", PAN), "************4444");
    }

    #[test]
    fn utf16_bodies_are_read_as_utf16() {
        let text = r#"{"n":"4242 4242 4242 4242","é":"ü"}"#;
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with_bom = |bom: [u8; 2], bytes: &[u8]| [&bom[..], bytes].concat();
        for (content_type, body) in [
            (Some("application/json; charset=utf-16le"), le.clone()),
            (Some("application/json;charset=\"UTF-16LE\""), le.clone()),
            (Some("text/plain; charset=utf-16be"), be.clone()),
            (Some("text/plain; charset=utf-16"), be.clone()),
            (
                Some("text/plain; charset=utf-16"),
                with_bom([0xff, 0xfe], &le),
            ),
            (None, with_bom([0xff, 0xfe], &le)),
            (None, with_bom([0xfe, 0xff], &be)),
        ] {
            assert_eq!(body_text(content_type, &body), text, "{content_type:?}");
        }
        // UTF-8 otherwise, invalid bytes replaced; an odd byte or a lone surrogate too.
        assert_eq!(body_text(Some("application/json"), text.as_bytes()), text);
        assert_eq!(body_text(None, b"a\xffb"), "a\u{fffd}b");
        assert_eq!(
            body_text(Some("text/plain; charset=utf-16le"), b"a\0b"),
            "a\u{fffd}"
        );
        assert_eq!(
            body_text(Some("text/plain; charset=utf-16be"), &[0xd8, 0, 0, b'x']),
            "\u{fffd}x"
        );
    }

    #[test]
    fn luhn_runs_of_13_to_19_digits_keep_their_last_four() {
        assert_eq!(mask_runs("4242424242424242"), "************4242");
        assert_eq!(
            mask_runs(r#"{"card":"5555555555554444","amex":378282246310005}"#),
            r#"{"card":"************4444","amex":***********0005}"#
        );
        // 13 and 19 digits.
        assert_eq!(mask_runs("n=4222222222222."), "n=*********2222.");
        assert_eq!(mask_runs("6011000990139424"), "************9424");
        assert_eq!(mask_runs("x4000000000000000006y"), "x***************0006y");
        // Around non-ASCII text.
        assert_eq!(mask_runs("né 4242424242424242 ü"), "né ************4242 ü");
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
            assert!(matches!(mask_runs(text), Cow::Borrowed(_)), "{text}");
        }
        // Luhn-valid but 12 digits: not a card number.
        assert!(luhn_valid("000000000000"));
        assert_eq!(mask_runs("000000000000"), "000000000000");
    }

    #[test]
    fn longer_runs_hiding_a_number_are_masked_whole() {
        // Zero-padded, or glued to an expiry.
        assert_eq!(mask_runs("00004242424242424242"), "****************4242");
        assert_eq!(mask_runs("42424242424242421230"), "****************1230");
        // A long run with no Luhn stretch of 13-19 digits stays.
        let plain = "1".repeat(30);
        let has_stretch = (13..=19).any(|w| (0..=30 - w).any(|s| luhn_valid(&plain[s..s + w])));
        assert_eq!(mask_runs(&plain) == plain.as_str(), !has_stretch);
    }

    #[test]
    fn several_numbers_in_one_text() {
        assert_eq!(
            mask_runs("a 4242424242424242 b 4242424242424241 c 5555555555554444"),
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
            assert_eq!(mask_runs(text), masked);
        }
        // Far too long to search: masked whole.
        let long = "7".repeat(2000);
        assert_eq!(mask_runs(&long).matches('*').count(), 1996);
    }
}
