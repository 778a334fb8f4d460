//! Opening: a successful event stream's first meaningful event, read before anything
//! reaches the client. An upstream that answers 200 and then opens with an error event
//! (Anthropic's `event: error` for an overloaded model, a Gemini `{"error":…}` chunk) has
//! failed as surely as an error status, and the request can still go to another account.
//! Only that much is held back: pings and comments are read past, and the first real
//! event is relayed with everything after it.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use gateway_shared::provider::Provider;
use http_body_util::BodyExt;
use serde::Deserialize;

use crate::upstream_client::UpstreamBody;

/// Most of a stream held back while looking for its first event.
const MAX_OPENING: usize = 64 * 1024;

/// How a 2xx event stream opens.
#[derive(Debug, PartialEq)]
pub enum Opening {
    /// Normally, or it could not be told in time: relay it, these bytes first.
    Fine(Bytes),
    /// With an error the upstream would have sent as this status; the bytes end with it.
    Error { bytes: Bytes, status: u16 },
    /// The connection failed before the first event.
    Broken,
}

/// Reads `body` up to its first meaningful event, for at most `wait`.
pub async fn read(body: &mut UpstreamBody, provider: Provider, wait: Duration) -> Opening {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = BytesMut::new();
    loop {
        match first_event(&seen, provider) {
            Some(Some(status)) => {
                return Opening::Error {
                    bytes: seen.freeze(),
                    status,
                }
            }
            Some(None) => return Opening::Fine(seen.freeze()),
            None if seen.len() > MAX_OPENING => return Opening::Fine(seen.freeze()),
            None => {}
        }
        match tokio::time::timeout_at(deadline, body.frame()).await {
            // Slow to start or already over: the relay takes it from here.
            Err(_) | Ok(None) => return Opening::Fine(seen.freeze()),
            Ok(Some(Err(_))) => return Opening::Broken,
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    seen.extend_from_slice(&data);
                }
            }
        }
    }
}

/// The first complete event that is not a ping or a comment: `Some(None)` when it is an
/// ordinary one, `Some(Some(status))` when it is an error; `None` while there is none yet.
pub(super) fn first_event(seen: &[u8], provider: Provider) -> Option<Option<u16>> {
    let text = std::str::from_utf8(seen).unwrap_or_else(|e| {
        // Judge what is whole; a character split across chunks completes later.
        std::str::from_utf8(&seen[..e.valid_up_to()]).unwrap_or_default()
    });
    let mut name = "";
    let mut data = String::new();
    for line in text.split_inclusive('\n') {
        if !line.ends_with('\n') {
            return None;
        }
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            if data.is_empty() && (name.is_empty() || name == "ping") {
                name = "";
                continue;
            }
            return Some(error_status(name, &data, provider));
        }
        if let Some(value) = line.strip_prefix("event:") {
            name = value.trim();
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.trim_start());
        }
    }
    None
}

#[derive(Deserialize)]
struct Payload {
    #[serde(default, rename = "type")]
    kind: String,
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    code: u16,
}

/// The status an event's error stands for; `None` for an ordinary event.
fn error_status(name: &str, data: &str, provider: Provider) -> Option<u16> {
    let payload: Option<Payload> = serde_json::from_str(data).ok();
    let error = match provider {
        Provider::ClaudeCode if name == "error" || payload.as_ref()?.kind == "error" => {
            payload.and_then(|p| p.error)
        }
        Provider::ClaudeCode => return None,
        Provider::GeminiCli => Some(payload?.error?),
    };
    let status = match error {
        Some(e) if e.code >= 400 => e.code,
        Some(e) => match e.kind.as_str() {
            "overloaded_error" => 529,
            "rate_limit_error" => 429,
            "authentication_error" => 401,
            "permission_error" => 403,
            "invalid_request_error" | "not_found_error" | "request_too_large" => 400,
            _ => 500,
        },
        None => 500,
    };
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::{first_event, Provider};

    #[test]
    fn pings_and_comments_are_read_past_and_the_first_event_decides() {
        let claude = Provider::ClaudeCode;
        assert_eq!(
            first_event(b"event: ping\ndata: {\"type\": \"ping\"}", claude),
            None
        );
        let start = b"event: message_start\ndata: {\"type\":\"message_start\"}\n\n";
        assert_eq!(first_event(start, claude), Some(None));
        let overloaded = b": hi\n\nevent: error\r\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\r\n\r\n";
        assert_eq!(first_event(overloaded, claude), Some(Some(529)));
        let gemini = Provider::GeminiCli;
        let chunk = b"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]}}]}\n\n";
        assert_eq!(first_event(chunk, gemini), Some(None));
        let limited = b"data: {\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n\n";
        assert_eq!(first_event(limited, gemini), Some(Some(429)));
        assert_eq!(
            first_event(b"data: {\"error\":{\"co", gemini),
            None,
            "not whole yet"
        );
    }
}
