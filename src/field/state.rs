//! The field's state, without the DOM: how an edit to an input becomes its new display value and
//! caret, where each input stands (empty, still being typed, complete, wrong), which errors the
//! shopper sees and when, and the summary the merchant's page is told about.
//!
//! Every rule comes from [`crate::card`]; this module only decides what to show when.
//! Carets are positions in UTF-16 units, as the DOM counts them.

use alloc::string::String;

use zeroize::Zeroizing;

use crate::card::{
    self, Brand, Card, CardError, Cvc, Expiry, Field, Issuer, Name, NumberState, YearMonth,
};

/// The most digits read from one edit (a paste of anything longer is cut).
const MAX_DIGITS: usize = 64;

/// The inputs, in tab order and in the order errors are reported.
pub const FIELDS: [Field; 4] = [Field::Number, Field::Exp, Field::Cvc, Field::Name];

/// How the browser changed an input, from `InputEvent.inputType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKind {
    /// Typing, pasting, autofill, dropping: anything but a deletion.
    Insert,
    /// Backspace.
    DeleteBackward,
    /// Delete.
    DeleteForward,
    /// Any other deletion (a word, a line, cutting).
    Delete,
}

impl EditKind {
    /// Reads `InputEvent.inputType` (`""` for a synthetic event).
    pub fn from_input_type(input_type: &str) -> EditKind {
        match input_type {
            "deleteContentBackward" => EditKind::DeleteBackward,
            "deleteContentForward" => EditKind::DeleteForward,
            t if t.starts_with("delete") => EditKind::Delete,
            _ => EditKind::Insert,
        }
    }

    /// Whether the shopper is removing text.
    pub fn deleting(self) -> bool {
        self != EditKind::Insert
    }
}

/// What an input shows after an edit: the value and the caret (UTF-16 units).
pub struct Display {
    /// The new value. For the number and CVC this is card data: zeroized on drop.
    pub value: Zeroizing<String>,
    /// Where the caret goes.
    pub caret: usize,
}

/// The char index at UTF-16 offset `pos` of `value` (the offset rounded up to a char boundary).
fn char_index(value: &str, pos: usize) -> usize {
    let mut units = 0;
    for (i, c) in value.chars().enumerate() {
        if units >= pos {
            return i;
        }
        units += c.len_utf16();
    }
    value.chars().count()
}

/// The number of ASCII digits among the first `chars` chars of `value`.
fn digits_before(value: &str, chars: usize) -> usize {
    value
        .chars()
        .take(chars)
        .filter(char::is_ascii_digit)
        .count()
}

/// The byte position just after the `n`-th digit of `value` (0 for `n == 0`).
fn after_digit(value: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    value
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .nth(n - 1)
        .map_or(value.len(), |(i, _)| i + 1)
}

/// Removes the digit at `at` of `digits`. By `retain` rather than `String::remove`, whose error
/// path would bring `core::fmt`'s char escaping and Unicode tables into the field.
fn remove_digit(digits: &mut String, at: usize) {
    let mut index = 0;
    digits.retain(|_| {
        index += 1;
        index != at + 1
    });
}

/// The number input after the browser applied an edit: `value` and `caret` as the browser left
/// them, `previous_len` the count of digits before the edit.
///
/// The digits are kept (spaces, dashes and anything else dropped: a paste of
/// `4242-4242 4242 4242` is accepted), shown with the brand's gaps ([`card::format`]) and capped
/// at the brand's longest length; the caret stays after the same digit
/// ([`card::caret_to_raw`], [`card::caret_to_formatted`]). A backspace or delete that only
/// removed a gap removes the digit beyond it instead. Digits over the cap are dropped from what
/// was just inserted, so typing into a full number changes nothing.
pub fn edit_number(value: &str, caret: usize, kind: EditKind, previous_len: usize) -> Display {
    let mut digits = Zeroizing::new(card::digits_of(value, MAX_DIGITS));
    let mut raw = card::caret_to_raw(value, char_index(value, caret)).min(digits.len());
    if digits.len() == previous_len {
        match kind {
            EditKind::DeleteBackward if raw > 0 => {
                raw -= 1;
                remove_digit(&mut digits, raw);
            }
            EditKind::DeleteForward if raw < digits.len() => {
                remove_digit(&mut digits, raw);
            }
            _ => {}
        }
    }
    let max = Issuer::detect(&digits).max_length();
    if digits.len() > max {
        let excess = digits.len() - max;
        let inserted = digits.len().saturating_sub(previous_len);
        if excess <= inserted && excess <= raw {
            for _ in 0..excess {
                raw -= 1;
                remove_digit(&mut digits, raw);
            }
        }
        // The brand (so the cap) may differ once digits are gone.
        let max = Issuer::detect(&digits).max_length();
        digits.truncate(max);
        raw = raw.min(digits.len());
    }
    Display {
        value: Zeroizing::new(card::format(&digits)),
        caret: card::caret_to_formatted(&digits, raw),
    }
}

/// The expiry input after an edit: auto-slashed by [`card::format_expiry`] (`1` stays, `4`
/// becomes `04 / `, a backspace after `12 / ` leaves `12`). A caret at the end stays at the end;
/// elsewhere it stays after the same digit.
pub fn edit_expiry(value: &str, caret: usize, kind: EditKind) -> Display {
    let formatted = card::format_expiry(value, kind.deleting());
    let chars = char_index(value, caret);
    let caret = if chars >= value.chars().count() {
        formatted.len()
    } else {
        // `format_expiry` may have put a `0` before a one-digit month.
        let added =
            digits_before(&formatted, usize::MAX).saturating_sub(digits_before(value, usize::MAX));
        after_digit(&formatted, digits_before(value, chars) + added)
    };
    Display {
        value: Zeroizing::new(formatted),
        caret,
    }
}

/// The CVC input after an edit: digits only, at most as many as the brand's CVC has.
pub fn edit_cvc(value: &str, caret: usize, brand: Brand) -> Display {
    let max = brand.cvc_lengths().last().map_or(4, |&n| usize::from(n));
    let digits = Zeroizing::new(card::digits_of(value, max));
    let caret = digits_before(value, char_index(value, caret)).min(digits.len());
    Display {
        value: digits,
        caret,
    }
}

/// The shopper-facing name of a brand, shown next to the number (`None` when unknown).
pub fn brand_name(brand: Brand) -> Option<&'static str> {
    Some(match brand {
        Brand::Visa => "Visa",
        Brand::Mastercard => "Mastercard",
        Brand::Amex => "American Express",
        Brand::Discover => "Discover",
        Brand::Diners => "Diners Club",
        Brand::Jcb => "JCB",
        Brand::UnionPay => "UnionPay",
        Brand::Maestro => "Maestro",
        Brand::Mir => "Mir",
        Brand::Elo => "Elo",
        Brand::Hiper => "Hiper",
        Brand::Hipercard => "Hipercard",
        _ => return None,
    })
}

/// Where one input stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing typed.
    Empty,
    /// Not valid yet, but the shopper may still be typing: the error is shown only after the
    /// input loses focus or the card is submitted.
    Pending(CardError),
    /// Valid.
    Complete,
    /// Wrong whatever comes next: the error is shown at once.
    Invalid(CardError),
}

/// The four inputs' values, as read from the DOM (zeroized on drop).
#[derive(Default)]
pub struct Values {
    /// The number, as displayed (with gaps).
    pub number: Zeroizing<String>,
    /// The expiry, as displayed (`MM / YY`).
    pub exp: Zeroizing<String>,
    /// The CVC.
    pub cvc: Zeroizing<String>,
    /// The cardholder's name.
    pub name: Zeroizing<String>,
}

/// Whether the shopper must give a CVC: the merchant's `cvc` option, which should match how its
/// account is set up at the vault (`merchant create --cvc-optional`), since the vault checks too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CvcPolicy {
    /// A card is complete only with its CVC (the default).
    #[default]
    Required,
    /// A card is complete without a CVC; one that is typed must be valid.
    Optional,
}

/// Where every input stands, and the brand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// The brand of the number so far.
    pub brand: Brand,
    /// The number.
    pub number: Status,
    /// The expiry.
    pub exp: Status,
    /// The CVC.
    pub cvc: Status,
    /// The name.
    pub name: Status,
    /// Whether an empty CVC is missing.
    pub cvc_policy: CvcPolicy,
}

impl Check {
    /// Checks every input as of `today`.
    pub fn of(values: &Values, today: YearMonth, cvc_policy: CvcPolicy) -> Check {
        let digits = Zeroizing::new(card::digits_of(&values.number, MAX_DIGITS));
        let (brand, state) = card::check_partial(&digits);
        let number = match state {
            NumberState::Empty => Status::Empty,
            NumberState::Incomplete => Status::Pending(CardError::IncompleteNumber),
            NumberState::Complete => Status::Complete,
            NumberState::Invalid => Status::Invalid(CardError::InvalidNumber),
        };
        Check {
            brand,
            number,
            exp: exp_status(&values.exp, today),
            cvc: cvc_status(&values.cvc, brand),
            name: match Name::parse(&values.name) {
                Ok(None) => Status::Empty,
                Ok(Some(_)) => Status::Complete,
                Err(e) => Status::Invalid(e),
            },
            cvc_policy,
        }
    }

    /// The status of one input.
    pub fn status(&self, field: Field) -> Status {
        match field {
            Field::Number => self.number,
            Field::Exp => self.exp,
            Field::Cvc => self.cvc,
            Field::Name => self.name,
        }
    }

    /// Whether the card can be submitted: number, expiry and CVC valid (the CVC empty too, when
    /// optional), the name valid or empty.
    pub fn complete(&self) -> bool {
        self.number == Status::Complete
            && self.exp == Status::Complete
            && (self.cvc == Status::Complete
                || (self.cvc == Status::Empty && self.cvc_policy == CvcPolicy::Optional))
            && matches!(self.name, Status::Empty | Status::Complete)
    }

    /// The error an input shows when empty after a submit (the name is optional, and the CVC
    /// may be).
    fn required(&self, field: Field) -> Option<CardError> {
        match field {
            Field::Number => Some(CardError::IncompleteNumber),
            Field::Exp => Some(CardError::IncompleteExp),
            Field::Cvc if self.cvc_policy == CvcPolicy::Required => Some(CardError::IncompleteCvc),
            Field::Cvc | Field::Name => None,
        }
    }

    /// Whether nothing at all is typed.
    pub fn empty(&self) -> bool {
        FIELDS.iter().all(|&f| self.status(f) == Status::Empty)
    }
}

/// The expiry's status. A month that cannot be (`13`) is wrong at once; a two-digit year is
/// final unless it reads `20`, which may be the start of a four-digit year.
fn exp_status(value: &str, today: YearMonth) -> Status {
    if value.trim().is_empty() {
        return Status::Empty;
    }
    let month = value.split_once('/').map_or(value, |(month, _)| month);
    let month = card::digits_of(month, 2);
    if let [tens, units] = month.as_bytes()
        && !(1..=12).contains(&((tens - b'0') * 10 + (units - b'0')))
    {
        return Status::Invalid(CardError::InvalidExp);
    }
    let year_digits = value
        .split_once('/')
        .map_or(0, |(_, year)| digits_before(year, usize::MAX));
    match Expiry::parse(value).and_then(|exp| exp.check(today)) {
        Ok(_) => Status::Complete,
        Err(e @ CardError::IncompleteExp) => Status::Pending(e),
        Err(e) if year_digits == 3 => Status::Pending(e),
        Err(e) if year_digits == 2 && value.trim_end().ends_with("20") => Status::Pending(e),
        Err(e) => Status::Invalid(e),
    }
}

/// The CVC's status for a card of `brand`.
fn cvc_status(value: &str, brand: Brand) -> Status {
    if value.is_empty() {
        return Status::Empty;
    }
    match Cvc::parse(value, brand) {
        Ok(_) => Status::Complete,
        Err(e @ CardError::IncompleteCvc) => Status::Pending(e),
        Err(e) => Status::Invalid(e),
    }
}

/// How far an input's errors are revealed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reveal {
    /// Being typed: only errors no more typing can fix.
    #[default]
    Typing,
    /// Left with something in it: every error of what is there.
    Blurred,
    /// The card was submitted: every error, including a missing value.
    Submitted,
}

/// What the merchant's page is told in a `change` message: never any digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The brand of the number so far.
    pub brand: Brand,
    /// Whether the card can be submitted.
    pub complete: bool,
    /// Whether nothing is typed.
    pub empty: bool,
    /// The first error the shopper sees, if any.
    pub error: Option<CardError>,
}

/// Which errors the shopper sees: errors show on blur, on submit, or at once when a value is
/// wrong whatever comes next, never on every keystroke.
#[derive(Debug, Default)]
pub struct Form {
    reveal: [Reveal; 4],
}

fn index(field: Field) -> usize {
    match field {
        Field::Number => 0,
        Field::Exp => 1,
        Field::Cvc => 2,
        Field::Name => 3,
    }
}

impl Form {
    /// The shopper changed `field`: back to showing only final errors there.
    pub fn input(&mut self, field: Field) {
        self.reveal[index(field)] = Reveal::Typing;
    }

    /// `field` lost focus while in `status`: its errors show, unless it is empty.
    pub fn blur(&mut self, field: Field, status: Status) {
        let reveal = &mut self.reveal[index(field)];
        if status != Status::Empty && *reveal == Reveal::Typing {
            *reveal = Reveal::Blurred;
        }
    }

    /// The card was submitted: every error shows.
    pub fn submit(&mut self) {
        self.reveal = [Reveal::Submitted; 4];
    }

    /// The inputs were emptied: nothing shows.
    pub fn clear(&mut self) {
        self.reveal = [Reveal::Typing; 4];
    }

    /// The error `field` shows, if any.
    pub fn error(&self, check: &Check, field: Field) -> Option<CardError> {
        let reveal = self.reveal[index(field)];
        match check.status(field) {
            Status::Invalid(e) => Some(e),
            Status::Pending(e) if reveal != Reveal::Typing => Some(e),
            Status::Empty if reveal == Reveal::Submitted => check.required(field),
            _ => None,
        }
    }

    /// The summary for the merchant's page.
    pub fn summary(&self, check: &Check) -> Summary {
        Summary {
            brand: check.brand,
            complete: check.complete(),
            empty: check.empty(),
            error: FIELDS.iter().find_map(|&f| self.error(check, f)),
        }
    }
}

impl Values {
    /// The card, when every input is valid as of `today` (the CVC as `cvc_policy` says, the
    /// name optional); else the first error in the order number, expiry, CVC, name.
    pub fn card(&self, today: YearMonth, cvc_policy: CvcPolicy) -> Result<Card, CardError> {
        let check = Check::of(self, today, cvc_policy);
        let mut submitted = Form::default();
        submitted.submit();
        if let Some(e) = FIELDS.iter().find_map(|&f| submitted.error(&check, f)) {
            return Err(e);
        }
        let exp = Expiry::parse(&self.exp)?;
        let digits = Zeroizing::new(card::digits_of(&self.number, MAX_DIGITS));
        Card::new(
            &digits,
            exp.month().into(),
            exp.year().into(),
            (!self.cvc.is_empty()).then_some(self.cvc.as_str()),
            Some(self.name.as_str()),
            today,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    /// Applies an edit to the number the way a browser would: `before` with the caret (or
    /// selection) at `start..end`, `typed` replacing the selection; then the field's reformat.
    fn type_number(before: &str, start: usize, end: usize, typed: &str) -> (String, usize) {
        let value = format!("{}{typed}{}", &before[..start], &before[end..]);
        let caret = start + typed.len();
        let previous = card::digits_of(before, 64).len();
        let d = edit_number(&value, caret, EditKind::Insert, previous);
        (d.value.to_string(), d.caret)
    }

    fn backspace_number(before: &str, caret: usize) -> (String, usize) {
        let value = format!("{}{}", &before[..caret - 1], &before[caret..]);
        let previous = card::digits_of(before, 64).len();
        let d = edit_number(&value, caret - 1, EditKind::DeleteBackward, previous);
        (d.value.to_string(), d.caret)
    }

    fn delete_number(before: &str, caret: usize) -> (String, usize) {
        let value = format!("{}{}", &before[..caret], &before[caret + 1..]);
        let previous = card::digits_of(before, 64).len();
        let d = edit_number(&value, caret, EditKind::DeleteForward, previous);
        (d.value.to_string(), d.caret)
    }

    #[test]
    fn typing_a_number_adds_gaps_and_keeps_the_caret_after_the_digit() {
        assert_eq!(type_number("", 0, 0, "4"), ("4".into(), 1));
        assert_eq!(type_number("4242", 4, 4, "4"), ("4242 4".into(), 6));
        // In the middle: the digit goes in, the rest shifts, the caret follows the new digit.
        assert_eq!(
            type_number("4242 4242", 5, 5, "1"),
            ("4242 1424 2".into(), 6)
        );
        assert_eq!(
            type_number("4242 4242", 4, 4, "1"),
            ("4242 1424 2".into(), 6)
        );
        // At the start, the brand changes: Amex gaps.
        assert_eq!(
            type_number("7828 2246 3100 05", 0, 0, "3"),
            ("3782 822463 10005".into(), 1)
        );
    }

    #[test]
    fn pasting_drops_separators_and_caps_at_the_brand_length() {
        assert_eq!(
            type_number("", 0, 0, "4242-4242 4242 4242"),
            ("4242 4242 4242 4242".into(), 19)
        );
        // Mastercard is 16 digits: the rest of a paste is dropped.
        assert_eq!(
            type_number("", 0, 0, "5555 5555 5555 4444 123"),
            ("5555 5555 5555 4444".into(), 19)
        );
        // Amex is 15.
        assert_eq!(
            type_number("", 0, 0, "3782822463100059999"),
            ("3782 822463 10005".into(), 17)
        );
        // Replacing a selection.
        assert_eq!(
            type_number("4242 4242 4242 4242", 5, 9, "1111"),
            ("4242 1111 4242 4242".into(), 9)
        );
    }

    #[test]
    fn typing_into_a_full_number_changes_nothing() {
        let full = "5555 5555 5555 4444";
        assert_eq!(type_number(full, 5, 5, "1"), (full.into(), 4));
        assert_eq!(type_number(full, 19, 19, "1"), (full.into(), 19));
        // A paste in the middle keeps what fits.
        assert_eq!(
            type_number("5555 5555 5555 44", 5, 5, "123"),
            ("5555 1255 5555 5544".into(), 7)
        );
    }

    #[test]
    fn deleting_over_a_gap_removes_the_digit_beyond_it() {
        // Backspace just after a gap removes the digit before the gap.
        assert_eq!(backspace_number("4242 4242", 5), ("4244 242".into(), 3));
        // Backspace on a digit.
        assert_eq!(backspace_number("4242 4242", 7), ("4242 442".into(), 6));
        assert_eq!(backspace_number("4242 4", 6), ("4242".into(), 4));
        // Delete just before a gap removes the digit after it.
        assert_eq!(delete_number("4242 4242", 4), ("4242 242".into(), 4));
        assert_eq!(delete_number("4242 4242", 0), ("2424 242".into(), 0));
    }

    #[test]
    fn carets_count_utf16_units() {
        // An emoji (two UTF-16 units) typed after `42`: the caret is after it.
        let d = edit_number("42😀", 4, EditKind::Insert, 2);
        assert_eq!((d.value.as_str(), d.caret), ("42", 2));
        assert_eq!(char_index("a😀b", 3), 2);
        assert_eq!(char_index("a😀b", 2), 2);
        assert_eq!(char_index("ab", 9), 2);
    }

    #[test]
    fn expiry_is_auto_slashed() {
        let exp = |v: &str, kind| {
            let d = edit_expiry(v, v.encode_utf16().count(), kind);
            (d.value.to_string(), d.caret)
        };
        assert_eq!(exp("1", EditKind::Insert), ("1".into(), 1));
        assert_eq!(exp("4", EditKind::Insert), ("04 / ".into(), 5));
        assert_eq!(exp("12", EditKind::Insert), ("12 / ".into(), 5));
        assert_eq!(exp("12 /", EditKind::DeleteBackward), ("12".into(), 2));
        assert_eq!(exp("12 / 3", EditKind::Insert), ("12 / 3".into(), 6));
        assert_eq!(exp("12/2030", EditKind::Insert), ("12 / 2030".into(), 9));
        // An edit in the middle keeps the caret after the same digit.
        let d = edit_expiry("1 / 30", 1, EditKind::DeleteForward);
        assert_eq!((d.value.as_str(), d.caret), ("13 / 0", 1));
        let d = edit_expiry("1 2/ 30", 2, EditKind::Insert);
        assert_eq!((d.value.as_str(), d.caret), ("12 / 30", 1));
    }

    #[test]
    fn cvc_length_by_brand() {
        let cvc = |v: &str, brand| edit_cvc(v, v.len(), brand).value.to_string();
        assert_eq!(cvc("1234", Brand::Visa), "123");
        assert_eq!(cvc("12345", Brand::Amex), "1234");
        assert_eq!(cvc("12345", Brand::Unknown), "1234");
        assert_eq!(cvc("1a2", Brand::Visa), "12");
        assert_eq!(edit_cvc("1a2", 2, Brand::Visa).caret, 1);
    }

    fn values(number: &str, exp: &str, cvc: &str, name: &str) -> Values {
        Values {
            number: Zeroizing::new(number.into()),
            exp: Zeroizing::new(exp.into()),
            cvc: Zeroizing::new(cvc.into()),
            name: Zeroizing::new(name.into()),
        }
    }

    #[test]
    fn statuses() {
        let check = |n, e, c, m| Check::of(&values(n, e, c, m), TODAY, CvcPolicy::Required);
        let c = check("", "", "", "");
        assert!(c.empty() && !c.complete());
        let c = check("4242 4242 4242 4242", "12 / 30", "123", "");
        assert!(c.complete() && !c.empty());
        assert_eq!(c.brand, Brand::Visa);
        let c = check("4242", "1", "12", "Ada");
        assert_eq!(c.number, Status::Pending(CardError::IncompleteNumber));
        assert_eq!(c.exp, Status::Pending(CardError::IncompleteExp));
        assert_eq!(c.cvc, Status::Pending(CardError::IncompleteCvc));
        assert_eq!(c.name, Status::Complete);
        // Wrong whatever comes next.
        let c = check("5555 5555 5555 4445", "13 / ", "1234", "A\u{7}");
        assert_eq!(c.number, Status::Invalid(CardError::InvalidNumber));
        assert_eq!(c.exp, Status::Invalid(CardError::InvalidExp));
        assert_eq!(c.cvc, Status::Invalid(CardError::InvalidCvc));
        assert_eq!(c.name, Status::Invalid(CardError::InvalidName));
        // A CVC that fit an unknown brand no longer fits once the brand is known.
        assert_eq!(
            check("37", "", "123", "").cvc,
            Status::Pending(CardError::IncompleteCvc)
        );
    }

    #[test]
    fn expiry_statuses() {
        let exp = |e| exp_status(e, TODAY);
        assert_eq!(exp("12 / 30"), Status::Complete);
        assert_eq!(exp("11 / 26"), Status::Complete);
        assert_eq!(exp("12 / 2030"), Status::Complete);
        assert_eq!(exp("10 / 26"), Status::Invalid(CardError::Expired));
        assert_eq!(exp("12 / 19"), Status::Invalid(CardError::Expired));
        // `20` may become `2030`: wait.
        assert_eq!(exp("12 / 20"), Status::Pending(CardError::Expired));
        assert_eq!(exp("12 / 203"), Status::Pending(CardError::InvalidExp));
        assert_eq!(exp("12 / 2020"), Status::Invalid(CardError::Expired));
        assert_eq!(exp("12 / 99"), Status::Invalid(CardError::InvalidExp));
        assert_eq!(exp("00"), Status::Invalid(CardError::InvalidExp));
        assert_eq!(exp("0"), Status::Pending(CardError::IncompleteExp));
        assert_eq!(exp("12 / "), Status::Pending(CardError::IncompleteExp));
    }

    #[test]
    fn errors_show_on_blur_or_when_final() {
        let mut form = Form::default();
        let check = Check::of(&values("4242", "", "", ""), TODAY, CvcPolicy::Required);
        assert_eq!(form.error(&check, Field::Number), None);
        form.blur(Field::Number, check.number);
        assert_eq!(
            form.error(&check, Field::Number),
            Some(CardError::IncompleteNumber)
        );
        // An empty input left alone shows nothing.
        form.blur(Field::Exp, check.exp);
        assert_eq!(form.error(&check, Field::Exp), None);
        assert_eq!(
            form.summary(&check),
            Summary {
                brand: Brand::Visa,
                complete: false,
                empty: false,
                error: Some(CardError::IncompleteNumber)
            }
        );
        // Typing again hides it until the next blur.
        form.input(Field::Number);
        assert_eq!(form.error(&check, Field::Number), None);
        // Submitting shows everything, including the missing values.
        form.submit();
        assert_eq!(
            form.error(&check, Field::Exp),
            Some(CardError::IncompleteExp)
        );
        assert_eq!(
            form.error(&check, Field::Cvc),
            Some(CardError::IncompleteCvc)
        );
        assert_eq!(form.error(&check, Field::Name), None);
        // A blur after a submit keeps everything shown.
        form.blur(Field::Exp, Status::Pending(CardError::IncompleteExp));
        assert_eq!(
            form.error(&check, Field::Cvc),
            Some(CardError::IncompleteCvc)
        );
        form.clear();
        assert_eq!(form.summary(&check).error, None);
        // Final errors show while typing.
        let check = Check::of(
            &values("5555 5555 5555 4445", "", "", ""),
            TODAY,
            CvcPolicy::Required,
        );
        assert_eq!(
            form.error(&check, Field::Number),
            Some(CardError::InvalidNumber)
        );
    }

    #[test]
    fn the_card_or_the_first_error() {
        let card = values("4242 4242 4242 4242", "12 / 30", "123", " Ada ")
            .card(TODAY, CvcPolicy::Required)
            .unwrap();
        assert_eq!(card.number.expose(), "4242424242424242");
        assert_eq!((card.expiry.month(), card.expiry.year()), (12, 2030));
        assert_eq!(card.name.as_ref().map(Name::expose), Some("Ada"));
        let err = |n, e, c| {
            values(n, e, c, "")
                .card(TODAY, CvcPolicy::Required)
                .unwrap_err()
        };
        assert_eq!(err("", "", ""), CardError::IncompleteNumber);
        assert_eq!(err("4242 4242 4242 4242", "", ""), CardError::IncompleteExp);
        assert_eq!(
            err("4242 4242 4242 4242", "12 / 20", ""),
            CardError::Expired
        );
        assert_eq!(
            err("4242 4242 4242 4242", "12 / 30", ""),
            CardError::IncompleteCvc
        );
        assert_eq!(
            err("3782 822463 10005", "12 / 30", "123"),
            CardError::IncompleteCvc
        );
        assert!(
            values("", "", "", "")
                .card(TODAY, CvcPolicy::Required)
                .is_err()
        );
    }

    #[test]
    fn an_optional_cvc_may_be_empty_but_not_wrong() {
        let optional = |c| values("4242 4242 4242 4242", "12 / 30", c, "");
        let check = Check::of(&optional(""), TODAY, CvcPolicy::Optional);
        assert!(check.complete());
        let mut form = Form::default();
        form.submit();
        assert_eq!(form.summary(&check).error, None);
        let card = optional("").card(TODAY, CvcPolicy::Optional).unwrap();
        assert!(card.cvc.is_none());
        // Typed, it must be right, and it is sealed.
        let check = Check::of(&optional("12"), TODAY, CvcPolicy::Optional);
        assert!(!check.complete());
        assert_eq!(
            form.error(&check, Field::Cvc),
            Some(CardError::IncompleteCvc)
        );
        let card = optional("123").card(TODAY, CvcPolicy::Optional).unwrap();
        assert_eq!(card.cvc.as_ref().map(|c| c.expose()), Some("123"));
        // Required, an empty one is missing.
        assert!(!Check::of(&optional(""), TODAY, CvcPolicy::Required).complete());
    }

    #[test]
    fn every_brand_has_a_name_but_unknown() {
        for brand in card::ALL_BRANDS {
            assert_eq!(brand_name(brand).is_some(), brand != Brand::Unknown);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_edit_gives_a_formatted_number_and_a_caret_inside_it(
            value in "[0-9 a-]{0,30}", caret in 0usize..40, previous in 0usize..20, kind in 0u8..4,
        ) {
            let kind = [EditKind::Insert, EditKind::DeleteBackward, EditKind::DeleteForward, EditKind::Delete][usize::from(kind)];
            let d = edit_number(&value, caret, kind, previous);
            let digits = card::digits_of(&d.value, 64);
            proptest::prop_assert_eq!(d.value.as_str(), card::format(&digits));
            proptest::prop_assert!(digits.len() <= Issuer::detect(&digits).max_length());
            proptest::prop_assert!(d.caret <= d.value.len());
        }

        #[test]
        fn any_expiry_edit_keeps_the_caret_inside(value in "[0-9/ ]{0,12}", caret in 0usize..14, deleting: bool) {
            let kind = if deleting { EditKind::DeleteBackward } else { EditKind::Insert };
            let d = edit_expiry(&value, caret, kind);
            proptest::prop_assert!(d.caret <= d.value.len());
        }
    }
}
