//! Reporting periods: which instant decides the period a response counts in, and the
//! periods reports cover (month, quarter, semester, year) with their printed titles.

use crate::element::Lang;
use crate::time::{Date, UnixSeconds};

/// Device clocks may run a little fast; a `submitted_at` further ahead than this is not trusted.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// A `submitted_at` this much older than the receive time is not trusted either: 400 days
/// is older than any yearly report still open, while a phone that held a response for weeks
/// (offline, then forgotten) is still well inside it.
pub const MAX_DEVICE_AGE_SECS: i64 = 400 * 86_400;

/// The instant that decides a response's reporting period: the device's `submitted_at`,
/// however late it arrives, unless it is more than [`CLOCK_SKEW_SECS`] ahead of the receive
/// time or more than [`MAX_DEVICE_AGE_SECS`] behind it (a wrong or reset device clock, or a
/// client trying to place a response in an old period); then the receive time, which the
/// collector always records too.
pub fn reporting_instant(submitted_at: UnixSeconds, received_at: UnixSeconds) -> UnixSeconds {
    let trusted = received_at.saturating_sub(MAX_DEVICE_AGE_SECS)
        ..=received_at.saturating_add(CLOCK_SKEW_SECS);
    if trusted.contains(&submitted_at) {
        submitted_at
    } else {
        received_at
    }
}

/// The `n`-th name of a list counted from 1 (a month, a quarter's numeral); empty if none.
fn nth(names: &[&'static str], n: u8) -> &'static str {
    usize::from(n)
        .checked_sub(1)
        .and_then(|i| names.get(i))
        .copied()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    #[test]
    fn device_time_counts_unless_it_is_implausible() {
        let received = parse_rfc3339("2026-11-15T03:00:00Z").unwrap();
        let at = |s: &str| reporting_instant(parse_rfc3339(s).unwrap(), received);
        // Late, even by months: the device's time (the phone held it offline).
        assert_eq!(
            at("2026-08-01T10:00:00Z"),
            parse_rfc3339("2026-08-01T10:00:00Z").unwrap()
        );
        assert_eq!(
            at("2025-10-12T03:00:00Z"),
            parse_rfc3339("2025-10-12T03:00:00Z").unwrap()
        );
        // A little fast: still the device's time.
        assert_eq!(
            at("2026-11-15T03:04:00Z"),
            parse_rfc3339("2026-11-15T03:04:00Z").unwrap()
        );
        // Far ahead, or older than 400 days (three years ago, year 1): the receive time.
        assert_eq!(at("2027-03-01T00:00:00Z"), received);
        assert_eq!(at("2025-10-10T02:59:59Z"), received);
        assert_eq!(at("2023-11-15T03:00:00Z"), received);
        assert_eq!(at("0001-01-01T00:00:00Z"), received);
        assert_eq!(reporting_instant(i64::MIN, received), received);
        assert_eq!(reporting_instant(i64::MAX, received), received);
    }
}

/// A reporting period: a month (the immigration practice), a quarter (*triwulan*), a
/// semester or a year, in the office's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Month { year: i32, month: u8 },
    Quarter { year: i32, quarter: u8 },
    Semester { year: i32, semester: u8 },
    Year { year: i32 },
}

/// Indonesian month names, as titles print them.
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// English month names.
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Roman numerals for quarters and semesters (*Triwulan IV*, *Semester II*).
const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl Period {
    /// Reads `YYYY-MM`, `YYYY-Qn` (n = 1–4), `YYYY-Sn` (n = 1–2) or `YYYY`.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let (year, rest) = match text.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (text, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let number = |s: &str| -> Option<u8> {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let period = match rest {
            None => Period::Year { year },
            Some(q) if q.starts_with(['Q', 'q']) => Period::Quarter {
                year,
                quarter: number(&q[1..]).filter(|n| (1..=4).contains(n))?,
            },
            Some(s) if s.starts_with(['S', 's']) => Period::Semester {
                year,
                semester: number(&s[1..]).filter(|n| (1..=2).contains(n))?,
            },
            Some(m) if m.len() == 2 => Period::Month {
                year,
                month: number(m).filter(|n| (1..=12).contains(n))?,
            },
            Some(_) => return None,
        };
        Some(period)
    }

    /// The month of a day.
    pub fn month_of(date: Date) -> Period {
        Period::Month {
            year: date.year,
            month: date.month,
        }
    }

    /// The canonical key (`2026-11`, `2026-Q4`, `2026-S2`, `2026`), as URLs and the
    /// database write it.
    pub fn key(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
            Period::Semester { year, semester } => format!("{year:04}-S{semester}"),
            Period::Year { year } => format!("{year:04}"),
        }
    }

    /// The title a report prints: *November 2026*, *Triwulan IV 2026*, *Semester II 2026*,
    /// *Tahun 2026* (or in English).
    pub fn label(self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            Period::Month { year, month } => {
                let names = if en { &MONTHS_EN } else { &MONTHS_ID };
                format!("{} {year}", nth(names, month))
            }
            Period::Quarter { year, quarter } => {
                let word = if en { "Quarter" } else { "Triwulan" };
                format!("{word} {} {year}", nth(&ROMAN, quarter))
            }
            Period::Semester { year, semester } => {
                format!("Semester {} {year}", nth(&ROMAN, semester))
            }
            Period::Year { year } => format!("{} {year}", if en { "Year" } else { "Tahun" }),
        }
    }

    /// The first and the last month of the period (`first_month`, `last_month` are 1–12).
    fn months_span(self) -> (i32, u8, u8) {
        match self {
            Period::Month { year, month } => (year, month, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2, quarter * 3),
            Period::Semester { year, semester } => (year, semester * 6 - 5, semester * 6),
            Period::Year { year } => (year, 1, 12),
        }
    }

    /// The period's first day.
    pub fn first_day(self) -> Date {
        let (year, first, _) = self.months_span();
        Date {
            year,
            month: first,
            day: 1,
        }
    }

    /// The instants `[start, end)` of the period's whole days in the time zone `offset`.
    pub fn span(self, offset: crate::time::UtcOffset) -> (UnixSeconds, UnixSeconds) {
        offset.span(self.first_day(), self.last_day())
    }

    /// The period's last day.
    pub fn last_day(self) -> Date {
        let (year, _, last) = self.months_span();
        Date {
            year,
            month: last,
            day: 1,
        }
        .last_of_month()
    }

    /// The months the period spans, first to last.
    pub fn months(self) -> Vec<Period> {
        let (year, first, last) = self.months_span();
        (first..=last)
            .map(|month| Period::Month { year, month })
            .collect()
    }

    /// Whether the office-local day `date` falls in the period.
    pub fn contains(self, date: Date) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn every_kind_of_period_reads_prints_and_spans() {
        let cases = [
            (
                "2026-11",
                "November 2026",
                "November 2026",
                "2026-11-01",
                "2026-11-30",
            ),
            (
                "2026-Q4",
                "Triwulan IV 2026",
                "Quarter IV 2026",
                "2026-10-01",
                "2026-12-31",
            ),
            (
                "2026-S2",
                "Semester II 2026",
                "Semester II 2026",
                "2026-07-01",
                "2026-12-31",
            ),
            (
                "2026",
                "Tahun 2026",
                "Year 2026",
                "2026-01-01",
                "2026-12-31",
            ),
            (
                "2024-02",
                "Februari 2024",
                "February 2024",
                "2024-02-01",
                "2024-02-29",
            ),
            (
                "2026-Q1",
                "Triwulan I 2026",
                "Quarter I 2026",
                "2026-01-01",
                "2026-03-31",
            ),
        ];
        for (key, id, en, first, last) in cases {
            let p = Period::parse(key).unwrap();
            assert_eq!(p.key(), key);
            assert_eq!(p.label(Lang::Id), id);
            assert_eq!(p.label(Lang::En), en);
            assert_eq!(p.first_day().to_string(), first);
            assert_eq!(p.last_day().to_string(), last);
        }
        assert_eq!(Period::parse("2026-q3").unwrap().key(), "2026-Q3");
        assert_eq!(Period::parse("2026-Q4").unwrap().months().len(), 3);
        assert_eq!(Period::parse("2026").unwrap().months()[11].key(), "2026-12");
        for bad in [
            "2026-13",
            "2026-Q5",
            "2026-S3",
            "2026-Q0",
            "26-11",
            "2026-1",
            "2026-11-01",
            "x",
            "",
            "2026-Q",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        let q4 = Period::parse("2026-Q4").unwrap();
        assert!(q4.contains(Date::new(2026, 11, 30).unwrap()));
        assert!(!q4.contains(Date::new(2026, 9, 30).unwrap()));
    }
}
