//! The card rules: what a valid card is, shared by the field (as the shopper types) and the
//! vault (again, after it opens the envelope).
//!
//! Pure Rust, no DOM, no clock: "today" is passed in as a [`YearMonth`].

mod brand;
mod error;
mod expiry;
mod format;
mod number;
mod secret;

pub use brand::{ALL as ALL_BRANDS, Brand, Issuer, Lengths};
pub use error::{CardError, Field};
pub use expiry::{Expiry, MAX_YEARS_AHEAD, YearMonth};
pub use format::{caret_to_formatted, caret_to_raw, digits_of, format, format_expiry};
pub use number::{CardNumber, NumberState, check_partial, luhn_valid};
pub use secret::{Cvc, MAX_NAME_CHARS, Name};

/// A card that passed every rule: number, expiry (not expired at the time of checking),
/// optional CVC and optional name. Its `Debug` shows no card data.
#[derive(Debug)]
pub struct Card {
    /// The number.
    pub number: CardNumber,
    /// The expiry.
    pub expiry: Expiry,
    /// The CVC, where one was given.
    pub cvc: Option<Cvc>,
    /// The cardholder's name, where one was given.
    pub name: Option<Name>,
}

impl Card {
    /// Checks every part of a card as of `today`, reporting the first error in the order
    /// number, expiry, CVC, name.
    pub fn new(
        number: &str,
        exp_month: u32,
        exp_year: u32,
        cvc: Option<&str>,
        name: Option<&str>,
        today: YearMonth,
    ) -> Result<Card, CardError> {
        let number = CardNumber::parse(number)?;
        let expiry = Expiry::new(exp_month, exp_year)?.check(today)?;
        let cvc = cvc.map(|c| Cvc::parse(c, number.brand())).transpose()?;
        let name = match name {
            Some(n) => Name::parse(n)?,
            None => None,
        };
        Ok(Card {
            number,
            expiry,
            cvc,
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    #[test]
    fn a_whole_card() {
        let card = Card::new(
            "4242 4242 4242 4242",
            12,
            2030,
            Some("123"),
            Some("Ada"),
            TODAY,
        )
        .unwrap();
        assert_eq!(card.number.brand(), Brand::Visa);
        assert_eq!(card.expiry.month(), 12);
        assert_eq!(card.cvc.as_ref().map(Cvc::expose), Some("123"));
        assert_eq!(card.name.as_ref().map(Name::expose), Some("Ada"));
    }

    #[test]
    fn first_error_wins() {
        let err = |n, m, y, c| Card::new(n, m, y, c, None, TODAY).unwrap_err();
        assert_eq!(
            err("4242", 13, 2030, Some("1")),
            CardError::IncompleteNumber
        );
        assert_eq!(
            err("4242424242424242", 13, 2030, Some("1")),
            CardError::InvalidExp
        );
        assert_eq!(
            err("4242424242424242", 1, 2026, Some("1")),
            CardError::Expired
        );
        assert_eq!(
            err("378282246310005", 1, 2027, Some("123")),
            CardError::IncompleteCvc
        );
        assert!(Card::new("378282246310005", 1, 2027, None, None, TODAY).is_ok());
    }

    #[test]
    fn formatting_secrets_shows_no_card_data() {
        let card = Card::new(
            "4242424242424242",
            12,
            2030,
            Some("987"),
            Some("Ada Lovelace"),
            TODAY,
        )
        .unwrap();
        let debug = format!("{card:?} {:?} {:?} {:?}", card.number, card.cvc, card.name);
        for secret in ["4242", "987", "Ada", "Lovelace"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        for error in CardError::ALL {
            let shown = format!("{error} {error:?} {}", error.code());
            assert!(!shown.chars().any(|c| c.is_ascii_digit()), "{shown}");
        }
    }
}
