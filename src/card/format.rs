//! Display of a number while the shopper types, and the caret mapping that goes with it.
//!
//! The field keeps the raw digits and shows them with the brand's gaps. After each edit it
//! reformats, so it needs to know where the caret goes: [`caret_to_formatted`] maps a position
//! in the raw digits to the formatted string, and [`caret_to_raw`] maps back.

use alloc::string::String;

use super::Brand;

/// Formats raw digits for display with the gaps of their brand, e.g. `4242 4242 4242 4242`,
/// `3782 822463 10005`. No trailing space.
pub fn format(digits: &str) -> String {
    let gaps = Brand::detect(digits).gaps(digits.len());
    let mut out = String::with_capacity(digits.len() + gaps.len());
    for (i, c) in digits.chars().enumerate() {
        if gaps.contains(&i) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Maps a caret at `raw` (a position among `digits`, 0 to `digits.len()`) to its place in
/// [`format(digits)`](format). A caret just before a gap stays before it.
pub fn caret_to_formatted(digits: &str, raw: usize) -> usize {
    let raw = raw.min(digits.len());
    let gaps = Brand::detect(digits).gaps(digits.len());
    raw + gaps
        .iter()
        .filter(|&&g| g < raw && g < digits.len())
        .count()
}

/// Maps a caret at `pos` (a char position in a displayed value) to a position among its raw
/// digits: the number of digits before it.
pub fn caret_to_raw(formatted: &str, pos: usize) -> usize {
    formatted
        .chars()
        .take(pos)
        .filter(char::is_ascii_digit)
        .count()
}

/// The digits of what a shopper typed or pasted, dropping spaces, dashes and anything else, and
/// capping the result at `max` digits.
pub fn digits_of(input: &str, max: usize) -> String {
    input
        .chars()
        .filter(char::is_ascii_digit)
        .take(max)
        .collect()
}

/// Formats what a shopper typed into the expiry input: `1` stays `1` (it may become 10-12),
/// `1/` and `4` become `01 / ` and `04 / `, `12` becomes `12 / `, `1226` becomes `12 / 26`; at
/// most `MM / YYYY`. When the shopper is `deleting`, no separator is added after the month, so
/// that a backspace can remove it.
pub fn format_expiry(input: &str, deleting: bool) -> String {
    let mut digits = digits_of(input, 6);
    let month_ended = input.contains('/') && digits.len() == 1;
    if digits.starts_with(|c: char| ('2'..='9').contains(&c)) || month_ended {
        digits.insert(0, '0');
        digits.truncate(6);
    }
    // The digits are ASCII: inserting at 2 is on a char boundary.
    if digits.len() > 2 || (digits.len() == 2 && !deleting) {
        digits.insert_str(2, " / ");
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_by_brand() {
        assert_eq!(format("4242424242424242"), "4242 4242 4242 4242");
        assert_eq!(format("4242424242424242424"), "4242 4242 4242 4242 424");
        assert_eq!(format("378282246310005"), "3782 822463 10005");
        assert_eq!(format("36227206271667"), "3622 720627 1667");
        assert_eq!(format("4242"), "4242");
        assert_eq!(format("42424"), "4242 4");
        assert_eq!(format(""), "");
    }

    #[test]
    fn caret() {
        let d = "4242424242";
        assert_eq!(caret_to_formatted(d, 0), 0);
        assert_eq!(caret_to_formatted(d, 4), 4);
        assert_eq!(caret_to_formatted(d, 5), 6);
        assert_eq!(caret_to_formatted(d, 10), 12);
        assert_eq!(caret_to_formatted("4242", 4), 4);
        assert_eq!(caret_to_raw("4242 4242 42", 6), 5);
        assert_eq!(caret_to_raw("4242 4242 42", 5), 4);
        assert_eq!(caret_to_raw("4242 4242 42", 99), 10);
    }

    #[test]
    fn digits_of_input() {
        assert_eq!(digits_of("4242-4242 4242 4242", 19), "4242424242424242");
        assert_eq!(digits_of("1234567890", 4), "1234");
    }

    #[test]
    fn expiry_auto_slash() {
        assert_eq!(format_expiry("", false), "");
        assert_eq!(format_expiry("1", false), "1");
        assert_eq!(format_expiry("1/", false), "01 / ");
        assert_eq!(format_expiry("4", false), "04 / ");
        assert_eq!(format_expiry("12", false), "12 / ");
        assert_eq!(format_expiry("12 /", true), "12");
        assert_eq!(format_expiry("12 / 2", false), "12 / 2");
        assert_eq!(format_expiry("1226", false), "12 / 26");
        assert_eq!(format_expiry("12/2030", false), "12 / 2030");
        assert_eq!(format_expiry("4/30", false), "04 / 30");
    }

    proptest::proptest! {
        #[test]
        fn caret_round_trips_through_formatting(digits in "[0-9]{0,19}", raw in 0usize..20) {
            let raw = raw.min(digits.len());
            let formatted = format(&digits);
            let pos = caret_to_formatted(&digits, raw);
            proptest::prop_assert!(pos <= formatted.len());
            proptest::prop_assert_eq!(caret_to_raw(&formatted, pos), raw);
            proptest::prop_assert_eq!(digits_of(&formatted, 19), digits);
        }

        #[test]
        fn formatted_positions_map_to_the_nearest_digit_boundary(digits in "[0-9]{1,19}", pos in 0usize..30) {
            let formatted = format(&digits);
            let pos = pos.min(formatted.len());
            let raw = caret_to_raw(&formatted, pos);
            let back = caret_to_formatted(&digits, raw);
            // Back on the same spot, or moved left over exactly one gap.
            proptest::prop_assert!(back == pos || (back + 1 == pos && formatted.as_bytes()[back] == b' '));
        }

        #[test]
        fn parse_and_partial_check_agree(digits in "[0-9]{0,20}") {
            let (brand, state) = super::super::check_partial(&digits);
            if let Ok(number) = super::super::CardNumber::parse(&digits) {
                proptest::prop_assert_eq!(state, super::super::NumberState::Complete);
                proptest::prop_assert_eq!(number.brand(), brand);
            }
        }
    }
}
