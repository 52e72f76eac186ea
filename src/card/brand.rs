//! Card brands: detection by issuer prefix (IIN/BIN ranges), and each brand's lengths, CVC
//! length and display gaps.

use core::fmt;

/// A card brand, as named in the contract (`visa`, `mastercard`, … or `unknown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Brand {
    /// Visa.
    Visa,
    /// Mastercard, including the 2221-2720 range.
    Mastercard,
    /// American Express.
    Amex,
    /// Discover, including 622126-622925 and 644-649.
    Discover,
    /// Diners Club.
    Diners,
    /// JCB.
    Jcb,
    /// UnionPay.
    UnionPay,
    /// Maestro.
    Maestro,
    /// Mir.
    Mir,
    /// Elo.
    Elo,
    /// Hiper.
    Hiper,
    /// Hipercard.
    Hipercard,
    /// No known issuer prefix.
    Unknown,
}

/// A set of number lengths (bit `n` set: `n` digits), small enough to be `Copy` and `const`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lengths(u32);

impl Lengths {
    /// `lo..=hi` digits.
    const fn span(lo: u8, hi: u8) -> Lengths {
        Lengths(((1u32 << (hi + 1)) - 1) & !((1u32 << lo) - 1))
    }

    /// These lengths and `n` digits too.
    const fn and(self, n: u8) -> Lengths {
        Lengths(self.0 | 1 << n)
    }

    /// Whether `len` digits is one of these lengths.
    pub fn contains(self, len: usize) -> bool {
        len < 32 && self.0 & (1 << len) != 0
    }

    /// The shortest length.
    pub fn min(self) -> usize {
        self.0.trailing_zeros() as usize
    }

    /// The longest length.
    pub fn max(self) -> usize {
        31 - self.0.leading_zeros() as usize
    }

    /// The lengths, shortest first.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..32).filter(move |&n| self.contains(n))
    }
}

/// One issuer range: numbers whose first `digits` digits lie in `lo..=hi` belong to `brand`
/// and are issued at `lengths`.
struct Range {
    lo: u32,
    hi: u32,
    digits: u8,
    brand: Brand,
    lengths: Lengths,
}

const fn r(lo: u32, hi: u32, digits: u8, brand: Brand, lengths: Lengths) -> Range {
    Range {
        lo,
        hi,
        digits,
        brand,
        lengths,
    }
}

use Brand::*;

const fn only(n: u8) -> Lengths {
    Lengths::span(n, n)
}
const fn span(lo: u8, hi: u8) -> Lengths {
    Lengths::span(lo, hi)
}

/// What a number with no known prefix may be: any length ISO/IEC 7812 allows a payment card.
const ANY: Lengths = span(12, 19);

/// The issuer ranges, from the networks' published tables (Visa's, Mastercard's and Maestro's,
/// Discover's (with Diners Club International), JCB's, UnionPay's, Mir's, and the Brazilian
/// networks'). Where ranges overlap, the one with the longest prefix wins: `622126` is Discover
/// although `62` is UnionPay, `401178` is Elo although `4` is Visa, `6011` is Discover although
/// `6` is Maestro. Lengths belong to the range, not the brand: a JCB `1800` is 15 digits, a JCB
/// `3528` 16 to 19.
const RANGES: &[Range] = &[
    // Visa issues 13 to 19 digits under its rules (VisaNet carries up to 19).
    r(4, 4, 1, Visa, span(13, 19)),
    r(51, 55, 2, Mastercard, only(16)),
    r(2221, 2720, 4, Mastercard, only(16)),
    r(34, 34, 2, Amex, only(15)),
    r(37, 37, 2, Amex, only(15)),
    r(6011, 6011, 4, Discover, span(16, 19)),
    r(644, 649, 3, Discover, span(16, 19)),
    r(65, 65, 2, Discover, span(16, 19)),
    r(622126, 622925, 6, Discover, span(16, 19)),
    // Carte Blanche's 300-305 are 14 digits, Diners Club International's 16 to 19; 36 is 14
    // to 19.
    r(300, 305, 3, Diners, span(16, 19).and(14)),
    r(3095, 3095, 4, Diners, span(16, 19)),
    r(36, 36, 2, Diners, span(14, 19)),
    r(38, 39, 2, Diners, span(16, 19)),
    // JCB's legacy ranges are 15 digits.
    r(1800, 1800, 4, Jcb, only(15)),
    r(2131, 2131, 4, Jcb, only(15)),
    r(3528, 3589, 4, Jcb, span(16, 19)),
    r(62, 62, 2, UnionPay, span(14, 19)),
    r(81, 81, 2, UnionPay, span(14, 19)),
    // Maestro: Mastercard's 50 and 56-69, less what other networks hold there (their longer
    // prefixes win), and the one Maestro range inside Visa's 4.
    r(50, 50, 2, Maestro, ANY),
    r(56, 59, 2, Maestro, ANY),
    r(6, 6, 1, Maestro, ANY),
    r(493698, 493698, 6, Maestro, ANY),
    r(2200, 2204, 4, Mir, span(16, 19)),
    r(401178, 401179, 6, Elo, only(16)),
    r(431274, 431274, 6, Elo, only(16)),
    r(438935, 438935, 6, Elo, only(16)),
    r(451416, 451416, 6, Elo, only(16)),
    r(457393, 457393, 6, Elo, only(16)),
    r(457631, 457632, 6, Elo, only(16)),
    r(504175, 504175, 6, Elo, only(16)),
    r(506699, 506778, 6, Elo, only(16)),
    r(509000, 509999, 6, Elo, only(16)),
    r(627780, 627780, 6, Elo, only(16)),
    r(636297, 636297, 6, Elo, only(16)),
    r(636368, 636368, 6, Elo, only(16)),
    r(650031, 650033, 6, Elo, only(16)),
    r(650035, 650051, 6, Elo, only(16)),
    r(650405, 650439, 6, Elo, only(16)),
    r(650485, 650538, 6, Elo, only(16)),
    r(650541, 650598, 6, Elo, only(16)),
    r(650700, 650718, 6, Elo, only(16)),
    r(650720, 650727, 6, Elo, only(16)),
    r(650901, 650978, 6, Elo, only(16)),
    r(651652, 651679, 6, Elo, only(16)),
    r(655000, 655019, 6, Elo, only(16)),
    r(655021, 655058, 6, Elo, only(16)),
    r(637095, 637095, 6, Hiper, only(16)),
    r(637568, 637568, 6, Hiper, only(16)),
    r(637599, 637599, 6, Hiper, only(16)),
    r(637609, 637609, 6, Hiper, only(16)),
    r(637612, 637612, 6, Hiper, only(16)),
    r(63737423, 63737423, 8, Hiper, only(16)),
    r(63743358, 63743358, 8, Hiper, only(16)),
    r(606282, 606282, 6, Hipercard, only(16)),
    r(384100, 384100, 6, Hipercard, only(16)),
    r(384140, 384140, 6, Hipercard, only(16)),
    r(384160, 384160, 6, Hipercard, only(16)),
];

/// Every brand, `Unknown` last.
pub const ALL: [Brand; 13] = [
    Visa, Mastercard, Amex, Discover, Diners, Jcb, UnionPay, Maestro, Mir, Elo, Hiper, Hipercard,
    Unknown,
];

/// What the leading digits of a number say: its brand and the lengths its issuer range issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issuer {
    brand: Brand,
    lengths: Lengths,
}

impl Issuer {
    /// The issuer of a number (complete or partial), by the longest issuer range its leading
    /// digits match in full; `Unknown` (any length from 12 to 19) when none does yet.
    /// `digits` must be ASCII digits only; anything else gives `Unknown`.
    pub fn detect(digits: &str) -> Issuer {
        let bytes = digits.as_bytes();
        let unknown = Issuer {
            brand: Unknown,
            lengths: ANY,
        };
        let mut best: Option<&Range> = None;
        for range in RANGES {
            let n = usize::from(range.digits);
            if bytes.len() < n {
                continue;
            }
            let Some(prefix) = leading_value(&bytes[..n]) else {
                return unknown;
            };
            if (range.lo..=range.hi).contains(&prefix)
                && best.is_none_or(|b| range.digits > b.digits)
            {
                best = Some(range);
            }
        }
        best.map_or(unknown, |range| Issuer {
            brand: range.brand,
            lengths: range.lengths,
        })
    }

    /// The brand.
    pub fn brand(self) -> Brand {
        self.brand
    }

    /// The number lengths this issuer range issues.
    pub fn lengths(self) -> Lengths {
        self.lengths
    }

    /// Whether `len` digits is a length this issuer range issues.
    pub fn allows_length(self, len: usize) -> bool {
        self.lengths.contains(len)
    }

    /// The shortest number this issuer range issues.
    pub fn min_length(self) -> usize {
        self.lengths.min()
    }

    /// The longest number this issuer range issues.
    pub fn max_length(self) -> usize {
        self.lengths.max()
    }
}

impl Brand {
    /// Detects the brand from the leading digits of a number (complete or partial): the brand
    /// of [`Issuer::detect`].
    pub fn detect(digits: &str) -> Brand {
        Issuer::detect(digits).brand
    }

    /// The contract's id of the brand: `visa`, `mastercard`, …, `unknown`.
    pub fn id(self) -> &'static str {
        match self {
            Visa => "visa",
            Mastercard => "mastercard",
            Amex => "amex",
            Discover => "discover",
            Diners => "diners",
            Jcb => "jcb",
            UnionPay => "unionpay",
            Maestro => "maestro",
            Mir => "mir",
            Elo => "elo",
            Hiper => "hiper",
            Hipercard => "hipercard",
            Unknown => "unknown",
        }
    }

    /// The brand whose [`id`](Self::id) is `id`.
    pub fn from_id(id: &str) -> Option<Brand> {
        ALL.into_iter().find(|brand| brand.id() == id)
    }

    /// The CVC lengths this brand uses: 4 for Amex, 3 for the others, 3 or 4 when unknown.
    pub fn cvc_lengths(self) -> &'static [u8] {
        match self {
            Amex => &[4],
            Unknown => &[3, 4],
            _ => &[3],
        }
    }

    /// Where spaces go when a number of `len` digits of this brand is displayed: the digit
    /// indexes before which a gap stands. Amex is 4-6-5, a 14-digit Diners 4-6-4, the others
    /// 4-4-4-4(-3).
    pub fn gaps(self, len: usize) -> &'static [usize] {
        match self {
            Amex => &[4, 10],
            Diners if len <= 14 => &[4, 10],
            _ => &[4, 8, 12, 16],
        }
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The value of a short run of ASCII digits, or `None` if a byte is not a digit.
fn leading_value(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(Brand::detect("4242424242424242"), Visa);
        assert_eq!(Brand::detect("4011780000000000"), Elo);
        assert_eq!(Brand::detect("6221260000000000"), Discover);
        assert_eq!(Brand::detect("6229250000000000"), Discover);
        assert_eq!(Brand::detect("6229260000000000"), UnionPay);
        assert_eq!(Brand::detect("6221250000000000"), UnionPay);
        assert_eq!(Brand::detect("6370950000000000"), Hiper);
        assert_eq!(Brand::detect("6373742300000000"), Hiper);
        assert_eq!(Brand::detect("6062820000000000"), Hipercard);
        assert_eq!(Brand::detect("2221000000000000"), Mastercard);
        assert_eq!(Brand::detect("2720990000000000"), Mastercard);
        assert_eq!(Brand::detect("2721000000000000"), Unknown);
        assert_eq!(Brand::detect("2200000000000000"), Mir);
        assert_eq!(Brand::detect("6440000000000000"), Discover);
        assert_eq!(Brand::detect("6490000000000000"), Discover);
        assert_eq!(Brand::detect("9999999999999999"), Unknown);
        assert_eq!(Brand::detect("6011000000000000"), Discover);
        assert_eq!(Brand::detect("6000000000000000"), Maestro);
        assert_eq!(Brand::detect("4936980000000000"), Maestro);
        assert_eq!(Brand::detect("5041750000000000"), Elo);
        assert_eq!(Brand::detect("5041760000000000"), Maestro);
    }

    #[test]
    fn partial_numbers() {
        assert_eq!(Brand::detect(""), Unknown);
        assert_eq!(Brand::detect("4"), Visa);
        assert_eq!(Brand::detect("3"), Unknown);
        assert_eq!(Brand::detect("37"), Amex);
        assert_eq!(Brand::detect("22"), Unknown);
        assert_eq!(Brand::detect("2221"), Mastercard);
        assert_eq!(Brand::detect("62"), UnionPay);
        assert_eq!(Brand::detect("622126"), Discover);
        assert_eq!(Brand::detect("4x"), Unknown);
    }

    /// A Luhn-valid number of `len` digits that starts with `prefix` (zeros, then the check
    /// digit).
    fn number(prefix: &str, len: usize) -> String {
        let mut digits: String = prefix
            .chars()
            .chain(core::iter::repeat('0'))
            .take(len - 1)
            .collect();
        let check = (0..10u8)
            .map(|d| {
                let mut n = digits.clone();
                n.push(char::from(b'0' + d));
                n
            })
            .find(|n| crate::card::luhn_valid(n));
        digits = check.unwrap_or_default();
        digits
    }

    /// A prefix and the lengths its range issues.
    type Row = (&'static str, &'static [usize]);

    /// Each brand's ranges (their edges and a sample inside), with the lengths each issues.
    const TABLE: &[(Brand, &[Row])] = &[
        (
            Visa,
            &[
                ("4", &[13, 14, 15, 16, 17, 18, 19]),
                ("4999", &[13, 14, 15, 16, 17, 18, 19]),
            ],
        ),
        (
            Mastercard,
            &[
                ("51", &[16]),
                ("55", &[16]),
                ("2221", &[16]),
                ("2720", &[16]),
            ],
        ),
        (Amex, &[("34", &[15]), ("37", &[15])]),
        (
            Discover,
            &[
                ("6011", &[16, 17, 18, 19]),
                ("644", &[16, 17, 18, 19]),
                ("649", &[16, 17, 18, 19]),
                ("65", &[16, 17, 18, 19]),
                ("622126", &[16, 17, 18, 19]),
                ("622925", &[16, 17, 18, 19]),
            ],
        ),
        (
            Diners,
            &[
                ("300", &[14, 16, 17, 18, 19]),
                ("305", &[14, 16, 17, 18, 19]),
                ("3095", &[16, 17, 18, 19]),
                ("36", &[14, 15, 16, 17, 18, 19]),
                ("38", &[16, 17, 18, 19]),
                ("39", &[16, 17, 18, 19]),
            ],
        ),
        (
            Jcb,
            &[
                ("1800", &[15]),
                ("2131", &[15]),
                ("3528", &[16, 17, 18, 19]),
                ("3566", &[16, 17, 18, 19]),
                ("3589", &[16, 17, 18, 19]),
            ],
        ),
        (
            UnionPay,
            &[
                ("62", &[14, 15, 16, 17, 18, 19]),
                ("622125", &[14, 15, 16, 17, 18, 19]),
                ("622926", &[14, 15, 16, 17, 18, 19]),
                ("81", &[14, 15, 16, 17, 18, 19]),
                ("8171", &[14, 15, 16, 17, 18, 19]),
            ],
        ),
        (
            Maestro,
            &[
                ("50", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("5018", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("56", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("5893", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("59", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("6", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("6304", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("67", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("6759", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("6763", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("493698", &[12, 13, 14, 15, 16, 17, 18, 19]),
            ],
        ),
        (
            Mir,
            &[("2200", &[16, 17, 18, 19]), ("2204", &[16, 17, 18, 19])],
        ),
        (
            Elo,
            &[
                ("401178", &[16]),
                ("504175", &[16]),
                ("509999", &[16]),
                ("655058", &[16]),
            ],
        ),
        (
            Hiper,
            &[("637095", &[16]), ("63737423", &[16]), ("63743358", &[16])],
        ),
        (
            Hipercard,
            &[("606282", &[16]), ("384100", &[16]), ("384160", &[16])],
        ),
        (
            Unknown,
            &[
                ("1", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("1799", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("2130", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("2199", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("2205", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("2721", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("31", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("3527", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("3590", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("7", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("82", &[12, 13, 14, 15, 16, 17, 18, 19]),
                ("9", &[12, 13, 14, 15, 16, 17, 18, 19]),
            ],
        ),
    ];

    #[test]
    fn every_brand_has_a_table() {
        for brand in ALL {
            assert!(TABLE.iter().any(|(b, _)| *b == brand), "{brand}");
        }
    }

    /// Every range's valid lengths parse (with the brand, and `Complete` while typing); every
    /// other length from 10 to 20 digits is refused, and a number one digit past the range's
    /// longest can no longer become valid.
    #[test]
    fn each_brand_accepts_its_lengths_and_refuses_the_others() {
        use crate::card::{CardError, CardNumber, NumberState, check_partial};
        for &(brand, ranges) in TABLE {
            for &(prefix, lengths) in ranges {
                for len in 10..=20 {
                    let n = number(prefix, len);
                    assert_eq!(n.len(), len);
                    let parsed = CardNumber::parse(&n);
                    if lengths.contains(&len) {
                        let parsed =
                            parsed.unwrap_or_else(|e| panic!("{brand} {prefix} {len}: {e}"));
                        assert_eq!(parsed.brand(), brand, "{prefix} {len}");
                        assert_eq!(check_partial(&n), (brand, NumberState::Complete));
                    } else {
                        let err = parsed.err();
                        let expected = if len < lengths[0] {
                            CardError::IncompleteNumber
                        } else {
                            CardError::InvalidNumber
                        };
                        assert_eq!(err, Some(expected), "{brand} {prefix} {len}");
                    }
                }
                let longest = lengths[lengths.len() - 1];
                let issuer = Issuer::detect(&number(prefix, longest));
                assert_eq!(
                    issuer.lengths().iter().collect::<Vec<_>>(),
                    lengths,
                    "{prefix}"
                );
                assert_eq!(
                    check_partial(&number(prefix, longest + 1)),
                    (brand, NumberState::Invalid),
                    "{prefix}"
                );
            }
        }
    }

    #[test]
    fn ids_round_trip() {
        for brand in ALL {
            assert_eq!(Brand::from_id(brand.id()), Some(brand));
            assert_eq!(brand.to_string(), brand.id());
        }
        assert_eq!(Brand::from_id("VISA"), None);
    }

    #[test]
    fn cvc_and_gaps() {
        assert_eq!(Amex.cvc_lengths(), &[4]);
        assert_eq!(Visa.cvc_lengths(), &[3]);
        assert_eq!(Amex.gaps(15), &[4, 10]);
        assert_eq!(Diners.gaps(14), &[4, 10]);
        assert_eq!(Diners.gaps(16), &[4, 8, 12, 16]);
        assert_eq!(Issuer::detect("4").max_length(), 19);
        assert_eq!(Issuer::detect("5555").max_length(), 16);
        assert_eq!(Issuer::detect("1800").max_length(), 15);
    }
}
