//! The plaintext: the contract's card JSON,
//! `{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","name":"Ada"}`
//! (`cvc` and `name` optional).

use alloc::string::String;

use zeroize::Zeroizing;

use crate::card::Card;
#[cfg(feature = "open")]
use crate::card::{CardError, YearMonth};

/// Writes a card's JSON into a buffer that is zeroized when dropped.
pub(crate) fn write(card: &Card) -> Zeroizing<String> {
    let mut json = Zeroizing::new(String::with_capacity(160));
    json.push_str(r#"{"number":""#);
    json.push_str(card.number.expose());
    json.push_str(r#"","exp_month":"#);
    push_number(&mut json, card.expiry.month().into());
    json.push_str(r#","exp_year":"#);
    push_number(&mut json, card.expiry.year().into());
    if let Some(cvc) = &card.cvc {
        json.push_str(r#","cvc":""#);
        json.push_str(cvc.expose());
        json.push('"');
    }
    if let Some(name) = &card.name {
        json.push_str(r#","name":""#);
        push_json_escaped(&mut json, name.expose());
        json.push('"');
    }
    json.push('}');
    json
}

/// Appends `n` as a JSON number. By hand rather than with `to_string`: the browser field
/// needs nothing else from `core::fmt`, which would weigh more than all of this module.
pub(crate) fn push_number(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&digit| char::from(digit)));
}

/// Appends `text` as the inside of a JSON string. Names carry no control characters (a card
/// rule), so only `"` and `\` need escaping.
fn push_json_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Reads a card's JSON and checks the card as of `today`.
///
/// The number and CVC are borrowed from the (zeroized) plaintext, never copied outside the
/// secret types. The number must be digits only.
#[cfg(feature = "open")]
pub(crate) fn read(json: &[u8], today: YearMonth) -> Result<Card, super::EnvelopeError> {
    use alloc::borrow::Cow;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw<'a> {
        number: &'a str,
        exp_month: u32,
        exp_year: u32,
        #[serde(default)]
        cvc: Option<&'a str>,
        #[serde(default, borrow)]
        name: Option<Cow<'a, str>>,
    }
    let raw: Raw =
        serde_json::from_slice(json).map_err(|_| super::EnvelopeError::InvalidPayload)?;
    if !raw.number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::InvalidNumber.into());
    }
    let card = Card::new(
        raw.number,
        raw.exp_month,
        raw.exp_year,
        raw.cvc,
        raw.name.as_deref(),
        today,
    );
    // A name with escapes was unescaped into a buffer of its own.
    if let Some(Cow::Owned(mut owned)) = raw.name {
        zeroize::Zeroize::zeroize(&mut owned);
    }
    Ok(card?)
}

#[cfg(all(test, feature = "open"))]
mod tests {
    use super::*;
    use crate::envelope::EnvelopeError;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    #[test]
    fn round_trip() {
        let card = Card::new(
            "4242424242424242",
            12,
            2030,
            Some("123"),
            Some(r#"Ada "Q" \ Lovelace"#),
            TODAY,
        )
        .unwrap();
        let json = write(&card);
        assert_eq!(
            json.as_str(),
            r#"{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","name":"Ada \"Q\" \\ Lovelace"}"#
        );
        let back = read(json.as_bytes(), TODAY).unwrap();
        assert_eq!(back.number.expose(), "4242424242424242");
        assert_eq!(back.name.unwrap().expose(), r#"Ada "Q" \ Lovelace"#);
        let minimal = read(
            br#"{"number":"4242424242424242","exp_month":1,"exp_year":2027}"#,
            TODAY,
        )
        .unwrap();
        assert!(minimal.cvc.is_none() && minimal.name.is_none());
    }

    #[test]
    fn refusals() {
        let read = |json: &str| read(json.as_bytes(), TODAY).unwrap_err();
        assert_eq!(read("{}"), EnvelopeError::InvalidPayload);
        assert_eq!(read("not json"), EnvelopeError::InvalidPayload);
        assert_eq!(
            read(r#"{"number":"4242424242424242","exp_month":12,"exp_year":2030,"pin":"1"}"#),
            EnvelopeError::InvalidPayload
        );
        assert_eq!(
            read(r#"{"number":4242424242424242,"exp_month":12,"exp_year":2030}"#),
            EnvelopeError::InvalidPayload
        );
        assert_eq!(
            read(r#"{"number":"4242 4242 4242 4242","exp_month":12,"exp_year":2030}"#),
            EnvelopeError::Card(CardError::InvalidNumber)
        );
        assert_eq!(
            read(r#"{"number":"4242424242424242","exp_month":12,"exp_year":2020}"#),
            EnvelopeError::Card(CardError::Expired)
        );
        assert_eq!(
            read(r#"{"number":"4242424242424242","exp_month":12,"exp_year":30}"#),
            EnvelopeError::Card(CardError::InvalidExp)
        );
        assert_eq!(
            read(r#"{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"12"}"#),
            EnvelopeError::Card(CardError::IncompleteCvc)
        );
    }
}

#[cfg(test)]
mod number_tests {
    use super::push_number;

    #[test]
    fn numbers_in_decimal() {
        for n in [0, 7, 10, 12, 2030, 1_795_798_800, u64::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }
}
