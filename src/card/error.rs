//! Why a card was refused: small, stable codes whose messages never contain the input.

use core::fmt;

/// Which part of the card an error is about (the contract's `field`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The card number.
    Number,
    /// The expiry date.
    Exp,
    /// The card verification code.
    Cvc,
    /// The cardholder's name.
    Name,
}

impl Field {
    /// The contract's name of the field: `number`, `exp`, `cvc` or `name`.
    pub fn id(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Exp => "exp",
            Field::Cvc => "cvc",
            Field::Name => "name",
        }
    }
}

/// Why a card, or one of its parts, is not valid.
///
/// The messages are fixed English sentences: they never contain any part of the input, so an
/// error can be logged, shown or returned over HTTP without leaking card data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardError {
    /// The number has characters other than digits, spaces and dashes, a length its brand never
    /// issues, or fails the Luhn check.
    InvalidNumber,
    /// The number is too short to be complete.
    IncompleteNumber,
    /// The expiry is not a month and year in one of the accepted forms, or is too far ahead.
    InvalidExp,
    /// The expiry is too short to be complete.
    IncompleteExp,
    /// The card expired before the current month.
    Expired,
    /// The CVC has characters other than digits, or the wrong length for the brand.
    InvalidCvc,
    /// The CVC is too short to be complete (or missing where required).
    IncompleteCvc,
    /// The name is longer than 100 characters or has control characters.
    InvalidName,
}

impl CardError {
    /// Every card error, for tables that must cover them all (messages, translations).
    pub const ALL: [CardError; 8] = [
        CardError::InvalidNumber,
        CardError::IncompleteNumber,
        CardError::InvalidExp,
        CardError::IncompleteExp,
        CardError::Expired,
        CardError::InvalidCvc,
        CardError::IncompleteCvc,
        CardError::InvalidName,
    ];

    /// The stable code: `invalid_number`, `incomplete_number`, `invalid_exp`, `incomplete_exp`,
    /// `expired`, `invalid_cvc`, `incomplete_cvc` or `invalid_name`.
    pub fn code(self) -> &'static str {
        match self {
            CardError::InvalidNumber => "invalid_number",
            CardError::IncompleteNumber => "incomplete_number",
            CardError::InvalidExp => "invalid_exp",
            CardError::IncompleteExp => "incomplete_exp",
            CardError::Expired => "expired",
            CardError::InvalidCvc => "invalid_cvc",
            CardError::IncompleteCvc => "incomplete_cvc",
            CardError::InvalidName => "invalid_name",
        }
    }

    /// The part of the card the error is about.
    pub fn field(self) -> Field {
        match self {
            CardError::InvalidNumber | CardError::IncompleteNumber => Field::Number,
            CardError::InvalidExp | CardError::IncompleteExp | CardError::Expired => Field::Exp,
            CardError::InvalidCvc | CardError::IncompleteCvc => Field::Cvc,
            CardError::InvalidName => Field::Name,
        }
    }

    /// A sentence for the shopper, in English.
    pub fn message(self) -> &'static str {
        match self {
            CardError::InvalidNumber => "The card number is not valid.",
            CardError::IncompleteNumber => "The card number is incomplete.",
            CardError::InvalidExp => "The expiry date is not valid.",
            CardError::IncompleteExp => "The expiry date is incomplete.",
            CardError::Expired => "The card has expired.",
            CardError::InvalidCvc => "The security code is not valid.",
            CardError::IncompleteCvc => "The security code is incomplete.",
            CardError::InvalidName => "The name on the card is not valid.",
        }
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for CardError {}
