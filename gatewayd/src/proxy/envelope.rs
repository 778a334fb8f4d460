//! The Code Assist envelope. Gemini CLI logins speak Google's `v1internal` protocol,
//! whose bodies wrap Gemini API ones: `{model, project, request}` going in,
//! `{response, traceId}` coming out. A generation call is held here in neutral form
//! (whichever protocol the client spoke), addressed and wrapped per account, and the
//! answer is unwrapped or wrapped to match the client, chunk by chunk.

use bytes::{BufMut, Bytes, BytesMut};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::respond::Reject;
use crate::state::Account;

mod stream;
pub use stream::Reframed;

/// The three Gemini methods with real content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Generate,
    Stream,
    CountTokens,
}

impl Method {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "generateContent" => Some(Self::Generate),
            "streamGenerateContent" => Some(Self::Stream),
            "countTokens" => Some(Self::CountTokens),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Generate => "generateContent",
            Self::Stream => "streamGenerateContent",
            Self::CountTokens => "countTokens",
        }
    }
}

/// A Gemini call in neutral form.
pub struct GeminiCall {
    pub method: Method,
    /// Without the `models/` prefix.
    pub model: String,
    /// The Gemini API body.
    pub request: Bytes,
    /// Top-level envelope fields a Code Assist client sent besides model, project and
    /// request (`user_prompt_id`, …), kept for Code Assist upstreams.
    extra: Vec<(String, Box<RawValue>)>,
    /// The client spoke Code Assist: its answer must be wrapped.
    pub client_envelope: bool,
}

#[derive(Deserialize)]
struct ClientEnvelope {
    #[serde(default)]
    model: Option<String>,
    request: Box<RawValue>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl GeminiCall {
    /// A Gemini API call (`/v1beta/models/{model}:{method}`).
    pub fn plain(method: Method, model: &str, body: Bytes) -> Self {
        Self {
            method,
            model: model.to_owned(),
            request: body,
            extra: Vec::new(),
            client_envelope: false,
        }
    }

    /// A Code Assist call from the client (`/v1internal:{method}`), unwrapped.
    pub fn from_envelope(method: Method, body: &[u8]) -> Result<Self, Reject> {
        let bad = |why: &str| Reject::bad_request(format!("invalid Code Assist request: {why}"));
        let envelope: ClientEnvelope =
            serde_json::from_slice(body).map_err(|_| bad("expected {model, request, …}"))?;
        let (model, request) = match method {
            Method::CountTokens => {
                let mut fields: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(envelope.request.get())
                        .map_err(|_| bad("request must be an object"))?;
                let model = fields
                    .remove("model")
                    .and_then(|m| m.as_str().map(str::to_owned));
                let request = serde_json::to_vec(&fields).map_err(|_| bad("unreadable request"))?;
                (model, Bytes::from(request))
            }
            _ => (
                envelope.model,
                Bytes::copy_from_slice(envelope.request.get().as_bytes()),
            ),
        };
        let model = model.ok_or_else(|| bad("no model"))?;
        let model = model.strip_prefix("models/").unwrap_or(&model).to_owned();
        if model.is_empty() {
            return Err(bad("no model"));
        }
        let extra = envelope
            .rest
            .into_iter()
            .filter(|(k, _)| k != "project")
            .filter_map(|(k, v)| Some((k, serde_json::value::to_raw_value(&v).ok()?)))
            .collect();
        Ok(Self {
            method,
            model,
            request,
            extra,
            client_envelope: true,
        })
    }

    /// The URL path (after the base URL) and body for `account`. `query` is the client's
    /// query without the gateway key.
    pub fn target(&self, account: &Account, query: Option<&str>) -> (String, Bytes) {
        let method = self.method.name();
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        if !account.code_assist() {
            let path = format!("/v1beta/models/{}:{method}{query}", self.model);
            return (path, self.request.clone());
        }
        let path = format!("/v1internal:{method}{query}");
        (
            path,
            self.wrap_request(account.project.as_deref().unwrap_or("")),
        )
    }

    fn wrap_request(&self, project: &str) -> Bytes {
        let mut out = BytesMut::with_capacity(self.request.len() + 128);
        let json = |v: &str| serde_json::to_string(v).unwrap_or_default();
        if self.method == Method::CountTokens {
            // {"request":{"model":"models/m", …the Gemini API body's fields}}
            let body = self.request.trim_ascii();
            let rest = body.strip_prefix(b"{").unwrap_or(b"}").trim_ascii_start();
            out.put_slice(b"{\"request\":{\"model\":");
            out.put_slice(json(&format!("models/{}", self.model)).as_bytes());
            if !rest.starts_with(b"}") {
                out.put_u8(b',');
            }
            out.put_slice(rest);
            out.put_u8(b'}');
            return out.freeze();
        }
        out.put_slice(b"{\"model\":");
        out.put_slice(json(&self.model).as_bytes());
        out.put_slice(b",\"project\":");
        out.put_slice(json(project).as_bytes());
        for (name, value) in &self.extra {
            out.put_u8(b',');
            out.put_slice(json(name).as_bytes());
            out.put_u8(b':');
            out.put_slice(value.get().as_bytes());
        }
        out.put_slice(b",\"request\":");
        out.put_slice(&self.request);
        out.put_u8(b'}');
        out.freeze()
    }

    /// How `account`'s successful answer must change for the client, if at all.
    pub fn reframe(&self, account: &Account) -> Option<Reframe> {
        if self.method == Method::CountTokens || self.client_envelope == account.code_assist() {
            return None;
        }
        Some(if self.client_envelope {
            Reframe::Wrap(trace_id())
        } else {
            Reframe::Unwrap
        })
    }
}

/// A change of envelope on the way back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reframe {
    /// `{"response": X, "traceId": …}` → `X`.
    Unwrap,
    /// `X` → `{"response": X, "traceId": <this>}`.
    Wrap(String),
}

#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    response: &'a RawValue,
}

impl Reframe {
    /// One JSON value (an SSE event's data, or a whole answer; an array is done element
    /// by element). Anything unexpected passes unchanged.
    pub fn json(&self, value: &[u8]) -> Vec<u8> {
        let trimmed = value.trim_ascii();
        if trimmed.starts_with(b"[") {
            if let Ok(items) = serde_json::from_slice::<Vec<&RawValue>>(trimmed) {
                let mut out = vec![b'['];
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend(self.json(item.get().as_bytes()));
                }
                out.push(b']');
                return out;
            }
        }
        match self {
            Reframe::Unwrap => match serde_json::from_slice::<Wrapped>(trimmed) {
                Ok(w) => w.response.get().as_bytes().to_vec(),
                Err(_) => value.to_vec(),
            },
            Reframe::Wrap(trace) => {
                let mut out = Vec::with_capacity(trimmed.len() + 48);
                out.extend_from_slice(b"{\"response\":");
                out.extend_from_slice(trimmed);
                out.extend_from_slice(b",\"traceId\":\"");
                out.extend_from_slice(trace.as_bytes());
                out.extend_from_slice(b"\"}");
                out
            }
        }
    }

    /// One SSE line (without its `\n`): `data:` lines are reframed, others kept.
    pub fn line(&self, line: &[u8], out: &mut Vec<u8>) {
        let (body, cr) = match line.strip_suffix(b"\r") {
            Some(body) => (body, true),
            None => (line, false),
        };
        match body.strip_prefix(b"data:") {
            Some(data) if !data.trim_ascii().is_empty() => {
                out.extend_from_slice(b"data: ");
                out.extend(self.json(data));
            }
            _ => out.extend_from_slice(body),
        }
        if cr {
            out.push(b'\r');
        }
    }
}

fn trace_id() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    format!("gw-{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests;
