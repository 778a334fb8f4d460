//! Reading the TOML file, with errors that say where: the line, the setting (with its
//! section) and what was expected, e.g. `line 3, setting listen: invalid socket address
//! syntax`.

use std::path::Path;

use super::{Config, ConfigError};

/// Parses `text` (read from `path`) over the defaults.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: located(text, e.span().map(|s| s.start), e.message()),
    })
}

/// `message` prefixed with the line (and setting) at byte `at` of `text`.
fn located(text: &str, at: Option<usize>, message: &str) -> String {
    let Some(at) = at.filter(|&at| at <= text.len()) else {
        return message.to_owned();
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_text = text[before.rfind('\n').map_or(0, |i| i + 1)..]
        .lines()
        .next()
        .unwrap_or_default();
    let section = before.lines().rev().find_map(|l| {
        let l = l.trim();
        (l.starts_with('[') && !l.starts_with("[[")).then(|| l.trim_matches(['[', ']']).trim())
    });
    match line_text.split_once('=').map(|(key, _)| key.trim()) {
        Some(key) if !key.is_empty() && !key.starts_with('#') => {
            let setting = match section {
                Some(section) => format!("{section}.{key}"),
                None => key.to_owned(),
            };
            format!("line {line}, setting {setting}: {message}")
        }
        _ => format!("line {line}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::path::Path;

    fn error(text: &str) -> String {
        parse(Path::new("gw.toml"), text).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_file_line_and_setting() {
        assert_eq!(
            error("workers = 1\nlisten = \"localhost\"\n"),
            "invalid config file gw.toml: line 2, setting listen: invalid socket address syntax"
        );
        let duration = error("[upstream]\nmax_attempts = 2\nheader_timeout = \"ten\"\n");
        assert!(
            duration.starts_with(
                "invalid config file gw.toml: line 3, setting upstream.header_timeout: "
            ),
            "{duration}"
        );
        let unknown = error("[balance]\nstratgy = \"round-robin\"\n");
        assert!(
            unknown.contains("line 2, setting balance.stratgy: unknown field"),
            "{unknown}"
        );
        assert!(unknown.contains("expected one of"), "{unknown}");
    }
}
