//! Durations as operators type them (`30d`, `12h`, `90s`).

use std::time::Duration;

/// A duration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid duration {input:?}: expected a number and a unit, like 30d, 12h or 90s")]
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
    Ok(now_secs + parse(input)?.as_secs() as i64)
}

/// Unix seconds as an RFC 3339 UTC time, for display.
pub fn format_unix(secs: i64) -> String {
    let at = std::time::UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod expiry_tests {
    use super::*;

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
