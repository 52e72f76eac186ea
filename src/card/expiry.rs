//! The expiry date: a month and a year; a card is valid through the last day of its month.

use alloc::string::String;

use super::CardError;

/// How many years ahead an expiry may lie before it is refused as implausible.
pub const MAX_YEARS_AHEAD: u16 = 20;

/// A calendar month (UTC): what "now" is for expiry checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    /// The year, e.g. 2026.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
}

impl YearMonth {
    /// The month (UTC) that contains `secs` seconds since the Unix epoch.
    pub fn from_unix(secs: u64) -> YearMonth {
        // Howard Hinnant's `civil_from_days`, for days since 1970-01-01.
        let days = (secs / 86_400) as i64;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        YearMonth {
            year: u16::try_from(year).unwrap_or(u16::MAX),
            month: month as u8,
        }
    }

    /// The current month, from the system clock.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn now() -> YearMonth {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        YearMonth::from_unix(secs)
    }
}

/// A card's expiry: month 1-12 and a four-digit year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    month: u8,
    year: u16,
}

impl Expiry {
    /// An expiry from its month (1-12) and four-digit year (2000-2099).
    pub fn new(month: u32, year: u32) -> Result<Expiry, CardError> {
        if !(1..=12).contains(&month) || !(2000..=2099).contains(&year) {
            return Err(CardError::InvalidExp);
        }
        Ok(Expiry {
            month: month as u8,
            year: year as u16,
        })
    }

    /// Parses `MM/YY`, `MM / YY`, `MMYY` or `MM/YYYY` (a one-digit month is accepted before a
    /// slash). Two-digit years are 20YY.
    pub fn parse(input: &str) -> Result<Expiry, CardError> {
        let compact: String = input.chars().filter(|c| *c != ' ').collect();
        let (month, year) = match compact.split_once('/') {
            Some((m, y)) => (m, y),
            None if compact.len() <= 2 => (compact.as_str(), ""),
            // A character that straddles byte 2 is not a digit: refused below either way.
            None => compact.split_at_checked(2).ok_or(CardError::InvalidExp)?,
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(month) || !all_digits(year) {
            return Err(CardError::InvalidExp);
        }
        if month.is_empty() || year.len() < 2 {
            return Err(CardError::IncompleteExp);
        }
        if month.len() > 2 || !(year.len() == 2 || year.len() == 4) {
            return Err(CardError::InvalidExp);
        }
        let month: u32 = month.parse().map_err(|_| CardError::InvalidExp)?;
        let mut year: u32 = year.parse().map_err(|_| CardError::InvalidExp)?;
        if year < 100 {
            year += 2000;
        }
        Expiry::new(month, year)
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The four-digit year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// Refuses an expiry before `today`'s month (`Expired`) or more than
    /// [`MAX_YEARS_AHEAD`] years after it (`InvalidExp`).
    pub fn check(self, today: YearMonth) -> Result<Expiry, CardError> {
        let this = YearMonth {
            year: self.year,
            month: self.month,
        };
        if this < today {
            return Err(CardError::Expired);
        }
        if self.year > today.year.saturating_add(MAX_YEARS_AHEAD) {
            return Err(CardError::InvalidExp);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_2026: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    #[test]
    fn accepted_forms() {
        for input in ["12/30", "12 / 30", "1230", "12/2030", " 12 /2030 ", "123 0"] {
            assert_eq!(Expiry::parse(input), Expiry::new(12, 2030), "{input}");
        }
        assert_eq!(Expiry::parse("1/30"), Expiry::new(1, 2030));
        assert_eq!(Expiry::parse("01/30"), Expiry::new(1, 2030));
    }

    #[test]
    fn refused_forms() {
        assert_eq!(Expiry::parse(""), Err(CardError::IncompleteExp));
        assert_eq!(Expiry::parse("12"), Err(CardError::IncompleteExp));
        assert_eq!(Expiry::parse("12 / 3"), Err(CardError::IncompleteExp));
        assert_eq!(Expiry::parse("13/30"), Err(CardError::InvalidExp));
        assert_eq!(Expiry::parse("00/30"), Err(CardError::InvalidExp));
        assert_eq!(Expiry::parse("12/203"), Err(CardError::InvalidExp));
        assert_eq!(Expiry::parse("12-30"), Err(CardError::InvalidExp));
        // Not a digit, and byte 2 inside it: refused, not a panic.
        assert_eq!(Expiry::parse("€1230"), Err(CardError::InvalidExp));
        assert_eq!(Expiry::parse("12/30/1"), Err(CardError::InvalidExp));
        assert_eq!(Expiry::parse("ab/cd"), Err(CardError::InvalidExp));
        assert_eq!(Expiry::new(12, 1999), Err(CardError::InvalidExp));
    }

    #[test]
    fn valid_through_the_end_of_its_month() {
        assert!(Expiry::new(11, 2026).unwrap().check(NOV_2026).is_ok());
        assert_eq!(
            Expiry::new(10, 2026).unwrap().check(NOV_2026),
            Err(CardError::Expired)
        );
        assert_eq!(
            Expiry::new(12, 2025).unwrap().check(NOV_2026),
            Err(CardError::Expired)
        );
        assert!(Expiry::new(12, 2046).unwrap().check(NOV_2026).is_ok());
        assert_eq!(
            Expiry::new(1, 2047).unwrap().check(NOV_2026),
            Err(CardError::InvalidExp)
        );
    }

    #[test]
    fn calendar() {
        assert_eq!(
            YearMonth::from_unix(0),
            YearMonth {
                year: 1970,
                month: 1
            }
        );
        // 2026-11-27T17:00:00Z
        assert_eq!(YearMonth::from_unix(1_795_798_800), NOV_2026);
        // 2024-02-29T23:59:59Z and the next second.
        assert_eq!(
            YearMonth::from_unix(1_709_251_199),
            YearMonth {
                year: 2024,
                month: 2
            }
        );
        assert_eq!(
            YearMonth::from_unix(1_709_251_200),
            YearMonth {
                year: 2024,
                month: 3
            }
        );
    }
}
