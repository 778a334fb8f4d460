//! Peeks at the request JSON without rewriting it: the body must be a JSON object (or
//! the request is refused with 400 before any upstream call), and the model is read for
//! metering. The bytes go upstream exactly as the client sent them.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Deserialize;

use super::respond::Reject;
use super::route::{ApiRoute, Dialect};

#[derive(Deserialize)]
struct Peek<'a> {
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    // Every other field is parsed for syntax and skipped.
}

/// The model the request is for (from the path for Gemini, the body for Anthropic).
pub fn model(route: &ApiRoute, body: &[u8]) -> Result<Option<Arc<str>>, Reject> {
    if !route.json_body {
        return Ok(route.path_model.as_deref().map(Arc::from));
    }
    let peek: Peek<'_> = serde_json::from_slice(body).map_err(|e| {
        Reject::bad_request(format!("request body is not a valid JSON object: {e}"))
    })?;
    Ok(match route.dialect {
        Dialect::Gemini => route.path_model.as_deref().map(Arc::from),
        Dialect::Anthropic => peek.model.as_deref().map(Arc::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Permission;

    fn messages() -> ApiRoute {
        ApiRoute {
            dialect: Dialect::Anthropic,
            permission: Permission::Write,
            json_body: true,
            path_model: None,
            gemini: None,
        }
    }

    #[test]
    fn reads_the_model_and_refuses_broken_json() {
        let body = br#"{"model":"claude-sonnet","messages":[{"role":"system","content":"x"}],"new_field":{"a":[1,2]}}"#;
        assert_eq!(
            model(&messages(), body).unwrap().as_deref(),
            Some("claude-sonnet")
        );
        assert!(model(&messages(), b"{\"model\":").is_err());
        assert!(model(&messages(), b"[1,2]").is_err());
        assert!(model(&messages(), b"").is_err());
    }
}
