//! Durations as operators type them (`30d`, `12h`, `90s`).

use std::time::Duration;

/// The furthest an expiry may lie ahead: a hundred years.
pub const MAX_EXPIRY_SECS: i64 = 100 * 365 * 86_400;

/// A duration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid duration {input:?}: expected a number and a unit, like 30d, 12h or 90s (at most 100 years ahead)")]
pub struct DurationError {
    input: String,
}

/// Parses `30d`, `12h`, `1h30m`, `90s`. Zero is rejected: it is never what anyone means.
pub fn parse(input: &str) -> Result<Duration, DurationError> {
    let err = || DurationError {
        input: input.to_owned(),
    };
    let d = humantime::parse_duration(input.trim()).map_err(|_| err())?;
    if d.is_zero() {
        return Err(err());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_hours_and_rejects_garbage() {
        assert_eq!(parse("30d").unwrap(), Duration::from_secs(30 * 86_400));
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5_400));
        assert!(parse("soon").is_err());
        assert!(parse("0s").is_err());
    }
}

/// An expiry as operators give it: a duration from now (`30d`) or an RFC 3339 time.
/// Returns Unix seconds.
pub fn parse_expiry(input: &str, now_secs: i64) -> Result<i64, DurationError> {
    if let Ok(at) = humantime::parse_rfc3339_weak(input.trim()) {
        let secs = at
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| DurationError {
                input: input.to_owned(),
            })?
            .as_secs();
        return Ok(secs as i64);
    }
    let ahead = parse(input)?.as_secs();
    if ahead > MAX_EXPIRY_SECS as u64 {
        return Err(DurationError {
            input: input.to_owned(),
        });
    }
    Ok(now_secs + ahead as i64)
}

/// Unix seconds as an RFC 3339 UTC time, for display.
pub fn format_unix(secs: i64) -> String {
    // RFC 3339 ends with the year 9999; a later time (which no input allows) is shown as
    // its number rather than failing.
    const LAST: i64 = 253_402_300_799;
    if secs > LAST {
        return format!("@{secs}");
    }
    let at = std::time::UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod expiry_tests {
    use super::*;

    #[test]
    fn absurd_expiries_are_refused_and_any_time_can_be_shown() {
        assert!(parse_expiry("100000000000d", 1_000).is_err());
        assert!(parse_expiry("101y", 1_000).is_err());
        assert!(parse_expiry("99y", 1_000).is_ok());
        assert_eq!(format_unix(i64::MAX), format!("@{}", i64::MAX));
    }

    #[test]
    fn expiry_takes_durations_and_timestamps() {
        assert_eq!(parse_expiry("1h", 1_000).unwrap(), 4_600);
        assert_eq!(
            parse_expiry("2030-01-01T00:00:00Z", 0).unwrap(),
            1_893_456_000
        );
        assert_eq!(format_unix(1_893_456_000), "2030-01-01T00:00:00Z");
        assert!(parse_expiry("tomorrow", 0).is_err());
    }
}
