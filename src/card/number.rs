//! The card number: a secret type that can only be obtained by parsing.

use alloc::string::String;
use core::fmt;

use zeroize::Zeroizing;

use super::{Brand, CardError, brand::Issuer};

/// A card number that passed every check: digits only, a length its brand issues, Luhn.
///
/// It is a secret: `Debug` prints no digit, there is no `Display`, and the digits are zeroized
/// when it is dropped. [`expose`](Self::expose) is the one way to the digits, for the code that
/// must seal, encrypt or forward them.
pub struct CardNumber {
    digits: Zeroizing<String>,
    brand: Brand,
}

impl CardNumber {
    /// Parses a number as a shopper may write it: spaces and dashes are ignored, anything else
    /// that is not a digit is refused.
    pub fn parse(input: &str) -> Result<CardNumber, CardError> {
        let mut digits = Zeroizing::new(String::with_capacity(input.len()));
        for c in input.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(CardError::InvalidNumber),
            }
        }
        let issuer = Issuer::detect(&digits);
        let len = digits.len();
        if len < issuer.min_length() {
            return Err(CardError::IncompleteNumber);
        }
        if !issuer.allows_length(len) || !luhn_valid(&digits) {
            return Err(CardError::InvalidNumber);
        }
        Ok(CardNumber {
            digits,
            brand: issuer.brand(),
        })
    }

    /// The brand, detected from the issuer prefix.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The last four digits, which may be shown to people (PCI DSS 3.4.1).
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The first six digits, the BIN, which may be stored in clear (PCI DSS 3.4.1).
    pub fn bin(&self) -> &str {
        &self.digits[..6]
    }

    /// The digits. Every call is a place where the full number is handled: keep them few.
    pub fn expose(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({}, redacted)", self.brand)
    }
}

/// Where a number being typed stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberState {
    /// Nothing typed yet.
    Empty,
    /// Not yet valid, but more digits could make it valid.
    Incomplete,
    /// Valid as it is (for some brands, more digits could still make a longer valid number).
    Complete,
    /// No digits added to the end can make it valid any more.
    Invalid,
}

/// Checks a partial number as the shopper types it: its brand (known from the first digits)
/// and whether it is complete, can still become valid, or no longer can.
///
/// `digits` is the number without gaps; any character other than a digit makes it `Invalid`.
pub fn check_partial(digits: &str) -> (Brand, NumberState) {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (Brand::Unknown, NumberState::Invalid);
    }
    let issuer = Issuer::detect(digits);
    let len = digits.len();
    let state = if len == 0 {
        NumberState::Empty
    } else if len > issuer.max_length() {
        NumberState::Invalid
    } else if issuer.allows_length(len) && luhn_valid(digits) {
        NumberState::Complete
    } else if len == issuer.max_length() {
        NumberState::Invalid
    } else {
        NumberState::Incomplete
    };
    (issuer.brand(), state)
}

/// The Luhn (mod 10) check over ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published test numbers of every brand (processors' and networks' test card lists).
    const TEST_NUMBERS: &[(&str, Brand)] = &[
        ("4242424242424242", Brand::Visa),
        ("4000056655665556", Brand::Visa),
        ("4111111111111111", Brand::Visa),
        ("4222222222222", Brand::Visa),
        ("4000000000000000006", Brand::Visa),
        ("5555555555554444", Brand::Mastercard),
        ("2223003122003222", Brand::Mastercard),
        ("5200828282828210", Brand::Mastercard),
        ("2221000000000009", Brand::Mastercard),
        ("378282246310005", Brand::Amex),
        ("371449635398431", Brand::Amex),
        ("6011111111111117", Brand::Discover),
        ("6011000990139424", Brand::Discover),
        ("6445644564456445", Brand::Discover),
        ("6500000000000002", Brand::Discover),
        ("3056930009020004", Brand::Diners),
        ("36227206271667", Brand::Diners),
        ("30569309025904", Brand::Diners),
        ("3566002020360505", Brand::Jcb),
        ("3530111333300000", Brand::Jcb),
        ("6200000000000005", Brand::UnionPay),
        ("6200000000000047", Brand::UnionPay),
        ("6205500000000000004", Brand::UnionPay),
        ("6759649826438453", Brand::Maestro),
        ("6304000000000000", Brand::Maestro),
        ("2200000000000004", Brand::Mir),
        ("2201382000000013", Brand::Mir),
        ("5066991111111118", Brand::Elo),
        ("6362970000457013", Brand::Elo),
        ("6370950000000005", Brand::Hiper),
        ("6062825624254001", Brand::Hipercard),
        ("6062826786276634", Brand::Hipercard),
    ];

    #[test]
    fn published_test_numbers_parse_with_their_brand() {
        for &(number, brand) in TEST_NUMBERS {
            let parsed = CardNumber::parse(number).unwrap_or_else(|e| panic!("{brand}: {e}"));
            assert_eq!(parsed.brand(), brand, "brand of a {brand} test number");
            assert_eq!(parsed.expose(), number);
            assert_eq!(check_partial(number), (brand, NumberState::Complete));
        }
    }

    #[test]
    fn spaces_and_dashes_are_stripped() {
        let n = CardNumber::parse("4242-4242 4242 4242").unwrap();
        assert_eq!(n.expose(), "4242424242424242");
        assert_eq!(n.last4(), "4242");
        assert_eq!(n.bin(), "424242");
    }

    #[test]
    fn refusals() {
        assert_eq!(
            CardNumber::parse("").unwrap_err(),
            CardError::IncompleteNumber
        );
        assert_eq!(
            CardNumber::parse("4242 4242").unwrap_err(),
            CardError::IncompleteNumber
        );
        assert_eq!(
            CardNumber::parse("4242424242424241").unwrap_err(),
            CardError::InvalidNumber
        );
        assert_eq!(
            CardNumber::parse("4242.4242.4242.4242").unwrap_err(),
            CardError::InvalidNumber
        );
        assert_eq!(
            CardNumber::parse("４２４２424242424242").unwrap_err(),
            CardError::InvalidNumber
        );
        // Luhn-valid, but JCB's 1800 range is 15 digits.
        assert_eq!(
            CardNumber::parse("1800000000000000").unwrap_err(),
            CardError::InvalidNumber
        );
        // Amex is 15 digits.
        assert_eq!(
            CardNumber::parse("3782822463100052").unwrap_err(),
            CardError::InvalidNumber
        );
    }

    #[test]
    fn partial_states() {
        assert_eq!(check_partial(""), (Brand::Unknown, NumberState::Empty));
        assert_eq!(check_partial("4"), (Brand::Visa, NumberState::Incomplete));
        assert_eq!(
            check_partial("378282"),
            (Brand::Amex, NumberState::Incomplete)
        );
        // A full-length Amex that fails Luhn can never become valid.
        assert_eq!(
            check_partial("378282246310006"),
            (Brand::Amex, NumberState::Invalid)
        );
        // Too long for Mastercard.
        assert_eq!(
            check_partial("55555555555544440"),
            (Brand::Mastercard, NumberState::Invalid)
        );
        // A 16-digit Visa failing Luhn could still become a valid 19-digit one.
        assert_eq!(
            check_partial("4242424242424241"),
            (Brand::Visa, NumberState::Incomplete)
        );
        assert_eq!(check_partial("42a"), (Brand::Unknown, NumberState::Invalid));
        assert_eq!(
            check_partial("42424242424242424242"),
            (Brand::Visa, NumberState::Invalid)
        );
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7992739871x"));
    }
}
