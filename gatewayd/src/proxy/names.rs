//! What a client may name: request paths the gateway will forward, and model names it
//! will put into an upstream path or its stats. A path with dot segments, encoded
//! separators or backslashes, or a model name outside the allowed characters, is refused
//! with a 400 before anything else happens, so no client can steer a pooled credential
//! to another upstream resource.

use super::respond::Reject;
use super::route::Dialect;

/// Longest model name accepted.
const MAX_MODEL: usize = 128;

/// Refuses a path that could address anything but what it names literally.
pub fn check_path(path: &str) -> Result<(), Reject> {
    // `%2e` `%2f` `%5c` `%00` in any case, without copying the path.
    let encoded_separator = path.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1], w[2].to_ascii_lowercase()),
                (b'2', b'e' | b'f') | (b'5', b'c') | (b'0', b'0')
            )
    });
    let dot_segment = path.split('/').any(|s| s == "." || s == "..");
    if encoded_separator || dot_segment || path.contains('\\') || path.contains("//") {
        return Err(Reject::bad_request(
            "the request path has dot segments, encoded separators or empty segments",
        ));
    }
    Ok(())
}

/// Refuses a model name that is too long or has characters no model name has. Gemini
/// names go into upstream paths, so they get the strict set; Anthropic names travel in
/// the body only and may also carry `:`, `@`, `/` and brackets (Bedrock, Vertex and
/// context-window spellings).
pub fn check_model(dialect: Dialect, model: &str) -> Result<(), Reject> {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.')
            || (dialect == Dialect::Anthropic && matches!(c, ':' | '@' | '/' | '[' | ']'))
    };
    let shaped = !model.is_empty()
        && model.len() <= MAX_MODEL
        && !model.starts_with('.')
        && !model.contains("..")
        && model.chars().all(allowed);
    if shaped {
        return Ok(());
    }
    Err(Reject::bad_request(format!(
        "invalid model name: at most {MAX_MODEL} letters, digits, '-', '_' and '.'"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_escape_are_refused() {
        for bad in [
            "/v1/models/../files",
            "/v1beta/models/./gemini:generateContent",
            "/v1beta/models/%2e%2e/cachedContents",
            "/v1beta/models/a%2Fb:generateContent",
            "/v1/messages\\x",
            "/v1//messages",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        for good in [
            "/v1/messages",
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
        ] {
            assert!(check_path(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn model_names_are_bounded_in_length_and_characters() {
        let gemini = |m: &str| check_model(Dialect::Gemini, m).is_ok();
        let claude = |m: &str| check_model(Dialect::Anthropic, m).is_ok();
        assert!(gemini("gemini-2.5-pro") && gemini("gemini-2.0-flash-001"));
        for bad in [
            "a b",
            "../../v1beta/cachedContents?x=",
            "x/y",
            "",
            ".hidden",
            "a:b",
        ] {
            assert!(!gemini(bad), "{bad:?}");
        }
        assert!(claude("claude-sonnet-4-5-20250929") && claude("claude-3-5-sonnet@20240620"));
        assert!(claude("anthropic.claude-v2:1") && claude("claude-opus-4-1[1m]"));
        assert!(!claude("a b") && !claude("\u{1b}[31m") && !claude(&"x".repeat(129)));
    }
}
