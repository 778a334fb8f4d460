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
