//! The CVC and the cardholder's name: secret types like the number.

use alloc::{borrow::ToOwned, string::String};
use core::fmt;

use zeroize::Zeroizing;

use super::{Brand, CardError};

/// The card verification code: digits, as many as the brand uses (4 for Amex, else 3).
///
/// A secret: `Debug` prints no digit, there is no `Display`, zeroized on drop.
pub struct Cvc(Zeroizing<String>);

impl Cvc {
    /// Parses a CVC for a card of `brand`.
    pub fn parse(input: &str, brand: Brand) -> Result<Cvc, CardError> {
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::InvalidCvc);
        }
        let lengths = brand.cvc_lengths();
        let shortest = lengths.first().map_or(3, |&n| usize::from(n));
        if input.len() < shortest {
            return Err(CardError::IncompleteCvc);
        }
        if !lengths.iter().any(|&n| usize::from(n) == input.len()) {
            return Err(CardError::InvalidCvc);
        }
        Ok(Cvc(Zeroizing::new(input.to_owned())))
    }

    /// The digits. Only the code that seals or forwards the card calls this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(redacted)")
    }
}

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The cardholder's name as printed on the card: at most 100 characters, no control characters.
///
/// Cardholder data, so handled like the secrets: redacted `Debug`, zeroized on drop.
pub struct Name(Zeroizing<String>);

impl Name {
    /// Parses a name; surrounding white space is trimmed. An empty name is `None`.
    pub fn parse(input: &str) -> Result<Option<Name>, CardError> {
        let name = input.trim();
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(CardError::InvalidName);
        }
        Ok((!name.is_empty()).then(|| Name(Zeroizing::new(name.to_owned()))))
    }

    /// The name.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Name(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvc_length_by_brand() {
        assert!(Cvc::parse("123", Brand::Visa).is_ok());
        assert!(Cvc::parse("1234", Brand::Amex).is_ok());
        assert_eq!(
            Cvc::parse("123", Brand::Amex).unwrap_err(),
            CardError::IncompleteCvc
        );
        assert_eq!(
            Cvc::parse("1234", Brand::Visa).unwrap_err(),
            CardError::InvalidCvc
        );
        assert_eq!(
            Cvc::parse("12", Brand::Visa).unwrap_err(),
            CardError::IncompleteCvc
        );
        assert_eq!(
            Cvc::parse("12a", Brand::Visa).unwrap_err(),
            CardError::InvalidCvc
        );
        assert!(Cvc::parse("1234", Brand::Unknown).is_ok());
        assert!(Cvc::parse("123", Brand::Unknown).is_ok());
    }

    #[test]
    fn names() {
        assert_eq!(
            Name::parse("  Ada Lovelace ").unwrap().unwrap().expose(),
            "Ada Lovelace"
        );
        assert!(Name::parse("   ").unwrap().is_none());
        assert!(Name::parse(&"é".repeat(100)).unwrap().is_some());
        assert_eq!(
            Name::parse(&"a".repeat(101)).unwrap_err(),
            CardError::InvalidName
        );
        assert_eq!(
            Name::parse("Ada\nLovelace").unwrap_err(),
            CardError::InvalidName
        );
        assert_eq!(
            Name::parse("Ada\u{7f}").unwrap_err(),
            CardError::InvalidName
        );
    }
}
