//! Reporting periods: which instant decides the period a response counts in.

use crate::time::UnixSeconds;

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
