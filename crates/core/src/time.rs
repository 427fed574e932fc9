//! Timestamps and office-local calendar days without a date library.
//!
//! Indonesia has no daylight saving, so each office zone is a fixed offset: WIB +7, WITA +8,
//! WIT +9. A hand-written RFC 3339 reader keeps a date crate out of the widget's wasm.

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
pub type UnixSeconds = i64;

/// A calendar day (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Reads `YYYY-MM-DD`; None unless it is a real calendar day.
    pub fn parse(s: &str) -> Option<Date> {
        let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() else {
            return None;
        };
        let year = digits(&[y0, y1, y2, y3])? as i32;
        let month = digits(&[m0, m1])? as u8;
        let day = digits(&[d0, d1])? as u8;
        Date::new(year, month, day)
    }

    /// A date if `day` exists in that month.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Date {
        Date { day: 1, ..self }
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Date {
        Date {
            day: days_in_month(self.year, self.month),
            ..self
        }
    }

    /// The first day of the month `n` months later (negative: earlier).
    pub fn add_months(self, n: i32) -> Date {
        let index = self.year * 12 + i32::from(self.month) - 1 + n;
        Date {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u8,
            day: 1,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A fixed offset from UTC in minutes, the office's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset {
    pub minutes: i32,
}

impl UtcOffset {
    /// WIB, the zone of Jakarta and Bengkulu.
    pub const WIB: UtcOffset = UtcOffset { minutes: 7 * 60 };

    /// Reads an Indonesian IANA zone (`Asia/Jakarta`, `Asia/Pontianak`, `Asia/Makassar`,
    /// `Asia/Jayapura`), `WIB`/`WITA`/`WIT`, `UTC`, or a fixed `UTC+07:00` / `+07:00`.
    pub fn parse(zone: &str) -> Option<UtcOffset> {
        let hours = match zone {
            "Asia/Jakarta" | "Asia/Pontianak" | "WIB" => 7,
            "Asia/Makassar" | "WITA" => 8,
            "Asia/Jayapura" | "WIT" => 9,
            "UTC" | "Etc/UTC" | "Z" => 0,
            other => {
                let rest = other.strip_prefix("UTC").unwrap_or(other);
                return parse_offset(rest.as_bytes()).map(|minutes| UtcOffset { minutes });
            }
        };
        Some(UtcOffset {
            minutes: hours * 60,
        })
    }

    /// The office-local calendar day of an instant.
    pub fn local_date(self, at: UnixSeconds) -> Date {
        let local = at + i64::from(self.minutes) * 60;
        Date::from_days_since_epoch(local.div_euclid(86_400))
    }

    /// The instant at which the office-local day `date` begins.
    pub fn start_of(self, date: Date) -> UnixSeconds {
        date.days_since_epoch() * 86_400 - i64::from(self.minutes) * 60
    }

    /// The office-local day of an instant as a day number (days since 1970-01-01): the key
    /// of the collector's per-day tables, the same day as [`UtcOffset::local_date`].
    pub fn local_day(self, at: UnixSeconds) -> i64 {
        (at + i64::from(self.minutes) * 60).div_euclid(86_400)
    }

    /// The instants `[start, end)` covering the whole office-local days `first..=last`.
    pub fn span(self, first: Date, last: Date) -> (UnixSeconds, UnixSeconds) {
        let end = Date::from_days_since_epoch(last.days_since_epoch() + 1);
        (self.start_of(first), self.start_of(end))
    }
}

/// An office's time zone as configured: the name it was given (printed in reports) and its
/// offset, read once; a name that is not a time zone never gets this far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    name: String,
    offset: UtcOffset,
}

impl TimeZone {
    /// What a name that is not a time zone is told to use instead.
    pub const EXPECTED: &'static str =
        "Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura or UTC+HH:MM";

    /// A zone [`UtcOffset::parse`] knows, under the name given.
    pub fn parse(name: &str) -> Option<TimeZone> {
        Some(TimeZone {
            offset: UtcOffset::parse(name)?,
            name: name.to_string(),
        })
    }

    /// Western Indonesia, the default.
    pub fn wib() -> TimeZone {
        TimeZone {
            name: "Asia/Jakarta".into(),
            offset: UtcOffset::WIB,
        }
    }

    /// The name as configured (`Asia/Jakarta`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset from UTC.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }
}

impl std::fmt::Display for TimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl serde::Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

/// Reads an RFC 3339 timestamp (`2026-11-01T00:30:00+07:00`, `…Z`, fractions allowed) to Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<UnixSeconds> {
    let (day, time) = (s.get(0..10)?, s.as_bytes().get(10..)?);
    let [b'T' | b't' | b' ', h0, h1, b':', i0, i1, b':', s0, s1, rest @ ..] = time else {
        return None;
    };
    let date = Date::parse(day)?;
    let hour = digits(&[*h0, *h1])?;
    let minute = digits(&[*i0, *i1])?;
    let second = digits(&[*s0, *s1])?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = rest;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = frac.get(n..)?;
    }
    let offset_minutes = match rest {
        b"Z" | b"z" => 0,
        _ => parse_offset(rest)?,
    };
    let seconds = i64::from(hour * 3600 + minute * 60 + second.min(59));
    Some(date.days_since_epoch() * 86_400 + seconds - i64::from(offset_minutes) * 60)
}

/// Writes an instant as RFC 3339 UTC with second precision, e.g. `2026-11-30T01:02:03Z`.
pub fn format_rfc3339(at: UnixSeconds) -> String {
    let date = Date::from_days_since_epoch(at.div_euclid(86_400));
    let secs = at.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Reads `+HH:MM` / `-HH:MM` into minutes east of UTC.
fn parse_offset(b: &[u8]) -> Option<i32> {
    let [sign, h0, h1, b':', m0, m1] = *b else {
        return None;
    };
    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = (digits(&[h0, h1])?, digits(&[m0, m1])?);
    (h <= 14 && m <= 59).then_some(sign * (h as i32 * 60 + m as i32))
}

/// A run of ASCII digits as a number; None for anything else.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn half_past_midnight_wib_on_1_november_is_november() {
        let at = parse_rfc3339("2026-10-31T17:30:00Z").unwrap();
        assert_eq!(
            UtcOffset::WIB.local_date(at),
            Date::new(2026, 11, 1).unwrap()
        );
        assert_eq!(parse_rfc3339("2026-11-01T00:30:00+07:00"), Some(at));
        let start = UtcOffset::WIB.start_of(Date::new(2026, 11, 1).unwrap());
        assert_eq!(format_rfc3339(start), "2026-10-31T17:00:00Z");
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "",
            "2026-11-01",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-01T24:00:00Z",
            "2026-11-01T00:00:00",
            "2026-11-01T00:00:00.Z",
            "2026-11-01T00:00:00+7",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert!(parse_rfc3339("2026-11-30T01:02:03.456Z").is_some());
    }

    #[test]
    fn zones_and_months() {
        assert_eq!(UtcOffset::parse("Asia/Makassar").unwrap().minutes, 480);
        assert_eq!(UtcOffset::parse("UTC+09:00").unwrap().minutes, 540);
        assert_eq!(UtcOffset::parse("Europe/Nowhere"), None);
        let d = Date::new(2026, 1, 31).unwrap();
        assert_eq!(d.add_months(-1), Date::new(2025, 12, 1).unwrap());
        assert_eq!(d.add_months(13), Date::new(2027, 2, 1).unwrap());
        assert_eq!(Date::new(2024, 2, 10).unwrap().last_of_month().day, 29);
        assert_eq!(Date::parse("2026-02-29"), None);
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -1_000_000i64..1_000_000) {
            let d = Date::from_days_since_epoch(days);
            prop_assert_eq!(d.days_since_epoch(), days);
            prop_assert_eq!(Date::parse(&d.to_string()).filter(|_| d.year >= 0 && d.year <= 9999).map(|p| p == d).unwrap_or(true), true);
        }

        #[test]
        fn format_then_parse_is_identity(at in 0i64..4_000_000_000) {
            prop_assert_eq!(parse_rfc3339(&format_rfc3339(at)), Some(at));
        }
    }
}
