//! Peeks at the request JSON without rewriting it: the body must be a JSON object (or
//! the request is refused with 400 before any upstream call); the model is read for
//! routing and metering, and the conversation it belongs to for sticky sessions. The
//! bytes go upstream exactly as the client sent them.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::respond::Reject;
use super::route::{ApiRoute, Dialect};

/// What the gateway reads from a request body.
#[derive(Debug, Default)]
pub struct Peeked {
    pub model: Option<Arc<str>>,
    /// The conversation, hashed: requests with the same value belong together.
    pub session: Option<u64>,
}

#[derive(Deserialize, Default)]
struct Peek<'a> {
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    /// Claude Code: `metadata.user_id` ends in the session id.
    #[serde(borrow, default)]
    metadata: Option<Metadata<'a>>,
    /// Anthropic system prompt / Gemini system instruction.
    #[serde(borrow, default, alias = "systemInstruction")]
    system: Option<&'a RawValue>,
    /// The first message (Anthropic `messages`, Gemini `contents`).
    #[serde(borrow, default, alias = "contents")]
    messages: First<'a>,
    /// Gemini CLI (Code Assist request): its session id.
    #[serde(borrow, default)]
    session_id: Option<Cow<'a, str>>,
    /// A Code Assist envelope's inner request.
    #[serde(borrow, default)]
    request: Option<Box<Peek<'a>>>,
    // Every other field is parsed for syntax and skipped.
}

#[derive(Deserialize, Default)]
struct Metadata<'a> {
    #[serde(borrow, default)]
    user_id: Option<Cow<'a, str>>,
}

/// Newer Claude Code's `metadata.user_id`, a JSON object; only its session matters.
#[derive(Deserialize)]
struct UserId<'a> {
    #[serde(borrow, default)]
    session_id: Option<Cow<'a, str>>,
}

/// The first element of an array, kept raw; the rest are checked and skipped.
#[derive(Default)]
struct First<'a>(Option<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for First<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FirstVisitor;
        impl<'de> Visitor<'de> for FirstVisitor {
            type Value = First<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<First<'de>, S::Error> {
                let first = seq.next_element::<&'de RawValue>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(First(first))
            }
        }
        d.deserialize_seq(FirstVisitor)
    }
}

impl Peek<'_> {
    /// The conversation key: the client's own session id where it sends one, else the
    /// system prompt and first message (the prefix a prompt cache is keyed on).
    fn session(&self) -> Option<u64> {
        let mut h = std::hash::DefaultHasher::new();
        if let Some(inner) = &self.request {
            return inner.session();
        }
        if let Some(id) = self.session_id.as_deref().filter(|s| !s.is_empty()) {
            ("gemini-session", id).hash(&mut h);
            return Some(h.finish());
        }
        let user = self.metadata.as_ref().and_then(|m| m.user_id.as_deref());
        if let Some(user) = user.filter(|u| !u.is_empty()) {
            // Older Claude Code: `user_<hash>_account_<uuid>_session_<uuid>`; newer: a
            // JSON object with `session_id`.
            let json_session = user
                .starts_with('{')
                .then(|| serde_json::from_str::<UserId<'_>>(user).ok())
                .flatten()
                .and_then(|u| u.session_id);
            let session = match json_session.as_deref() {
                Some(id) => id,
                None => user.rsplit_once("_session_").map_or(user, |(_, s)| s),
            };
            ("claude-session", session).hash(&mut h);
            return Some(h.finish());
        }
        let first = self.messages.0?;
        ("prefix", self.system.map(RawValue::get), first.get()).hash(&mut h);
        Some(h.finish())
    }
}

/// Reads the model (from the path for Gemini, the body for Anthropic) and the
/// conversation.
pub fn peek(route: &ApiRoute, body: &[u8]) -> Result<Peeked, Reject> {
    let path_model = || route.path_model.as_deref().map(Arc::from);
    if !route.json_body {
        return Ok(Peeked {
            model: path_model(),
            session: None,
        });
    }
    let peek: Peek<'_> = serde_json::from_slice(body).map_err(|e| {
        Reject::bad_request(format!("request body is not a valid JSON object: {e}"))
    })?;
    Ok(Peeked {
        model: match route.dialect {
            Dialect::Gemini => path_model(),
            Dialect::Anthropic => peek.model.as_deref().map(Arc::from),
        },
        session: peek.session(),
    })
}

#[cfg(test)]
mod tests;
