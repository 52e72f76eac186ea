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

/// One issuer range: numbers whose first `digits` digits lie in `lo..=hi` belong to `brand`.
struct Range {
    lo: u32,
    hi: u32,
    digits: u8,
    brand: Brand,
}

const fn r(lo: u32, hi: u32, digits: u8, brand: Brand) -> Range {
    Range {
        lo,
        hi,
        digits,
        brand,
    }
}

use Brand::*;

/// The issuer ranges. Where ranges overlap, the one with the longest prefix wins
/// (`622126` is Discover although `62` is UnionPay; `401178` is Elo although `4` is Visa).
const RANGES: &[Range] = &[
    r(4, 4, 1, Visa),
    r(51, 55, 2, Mastercard),
    r(2221, 2720, 4, Mastercard),
    r(34, 34, 2, Amex),
    r(37, 37, 2, Amex),
    r(6011, 6011, 4, Discover),
    r(644, 649, 3, Discover),
    r(65, 65, 2, Discover),
    r(622126, 622925, 6, Discover),
    r(300, 305, 3, Diners),
    r(309, 309, 3, Diners),
    r(36, 36, 2, Diners),
    r(38, 39, 2, Diners),
    r(3528, 3589, 4, Jcb),
    r(62, 62, 2, UnionPay),
    r(81, 81, 2, UnionPay),
    r(5018, 5018, 4, Maestro),
    r(5020, 5020, 4, Maestro),
    r(5038, 5038, 4, Maestro),
    r(5893, 5893, 4, Maestro),
    r(6304, 6304, 4, Maestro),
    r(6759, 6759, 4, Maestro),
    r(6761, 6763, 4, Maestro),
    r(2200, 2204, 4, Mir),
    r(401178, 401179, 6, Elo),
    r(431274, 431274, 6, Elo),
    r(438935, 438935, 6, Elo),
    r(451416, 451416, 6, Elo),
    r(457393, 457393, 6, Elo),
    r(457631, 457632, 6, Elo),
    r(504175, 504175, 6, Elo),
    r(506699, 506778, 6, Elo),
    r(509000, 509999, 6, Elo),
    r(627780, 627780, 6, Elo),
    r(636297, 636297, 6, Elo),
    r(636368, 636368, 6, Elo),
    r(650031, 650033, 6, Elo),
    r(650035, 650051, 6, Elo),
    r(650405, 650439, 6, Elo),
    r(650485, 650538, 6, Elo),
    r(650541, 650598, 6, Elo),
    r(650700, 650718, 6, Elo),
    r(650720, 650727, 6, Elo),
    r(650901, 650978, 6, Elo),
    r(651652, 651679, 6, Elo),
    r(655000, 655019, 6, Elo),
    r(655021, 655058, 6, Elo),
    r(637095, 637095, 6, Hiper),
    r(637568, 637568, 6, Hiper),
    r(637599, 637599, 6, Hiper),
    r(637609, 637609, 6, Hiper),
    r(637612, 637612, 6, Hiper),
    r(63737423, 63737423, 8, Hiper),
    r(63743358, 63743358, 8, Hiper),
    r(606282, 606282, 6, Hipercard),
    r(384100, 384100, 6, Hipercard),
    r(384140, 384140, 6, Hipercard),
    r(384160, 384160, 6, Hipercard),
];

/// Every brand, `Unknown` last.
pub const ALL: [Brand; 13] = [
    Visa, Mastercard, Amex, Discover, Diners, Jcb, UnionPay, Maestro, Mir, Elo, Hiper, Hipercard,
    Unknown,
];

impl Brand {
    /// Detects the brand from the leading digits of a number (complete or partial).
    ///
    /// Longest prefix wins. A partial number is assigned the brand of the longest range its
    /// digits already match in full; with too few digits to match any range it is `Unknown`.
    /// `digits` must be ASCII digits only; anything else gives `Unknown`.
    pub fn detect(digits: &str) -> Brand {
        let bytes = digits.as_bytes();
        let mut best: Option<&Range> = None;
        for range in RANGES {
            let n = usize::from(range.digits);
            if bytes.len() < n {
                continue;
            }
            let Some(prefix) = leading_value(&bytes[..n]) else {
                return Unknown;
            };
            if (range.lo..=range.hi).contains(&prefix)
                && best.is_none_or(|b| range.digits > b.digits)
            {
                best = Some(range);
            }
        }
        best.map_or(Unknown, |range| range.brand)
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

    /// The number lengths this brand issues.
    pub fn lengths(self) -> &'static [u8] {
        match self {
            Visa => &[13, 16, 19],
            Mastercard | Mir => &[16],
            Amex => &[15],
            Discover | Jcb | UnionPay => &[16, 17, 18, 19],
            Diners => &[14, 15, 16, 17, 18, 19],
            Maestro | Unknown => &[12, 13, 14, 15, 16, 17, 18, 19],
            Elo | Hiper | Hipercard => &[16],
        }
    }

    /// The longest number this brand issues.
    pub fn max_length(self) -> usize {
        self.lengths().last().map_or(19, |&n| usize::from(n))
    }

    /// Whether `len` digits is a length this brand issues.
    pub fn allows_length(self, len: usize) -> bool {
        self.lengths().iter().any(|&n| usize::from(n) == len)
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
        assert_eq!(Visa.max_length(), 19);
        assert_eq!(Mastercard.max_length(), 16);
    }
}
