//! The one place the data plane turns its own failures into HTTP answers, in the
//! client's dialect: Anthropic `{"type":"error",…}` or Gemini `{"error":{…}}`.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde_json::json;

use super::body::ProxyBody;
use super::route::Dialect;
use crate::model::Failure;

/// A failure the gateway answers itself (upstream errors are relayed as they came).
#[derive(Debug, Clone)]
pub struct Reject {
    /// Why, as the request log and the refusal counters name it.
    pub failure: Failure,
    pub status: StatusCode,
    pub message: String,
    /// Seconds, for 429/503 answers.
    pub retry_after: Option<u64>,
    /// A refused limit: (limit, remaining, seconds until reset), sent as
    /// `x-ratelimit-limit` / `-remaining` / `-reset`.
    pub limit: Option<(u64, u64, u64)>,
}

impl From<crate::admission::Refusal> for Reject {
    fn from(r: crate::admission::Refusal) -> Self {
        let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        let mut reject = Reject::new(r.kind, status, r.message);
        reject.retry_after = r.retry_after_secs;
        if let (Some(limit), Some(remaining), Some(reset)) = (r.limit, r.remaining, r.reset_secs) {
            reject.limit = Some((limit, remaining, reset));
        }
        reject
    }
}

impl Reject {
    pub fn new(failure: Failure, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            failure,
            status,
            message: message.into(),
            retry_after: None,
            limit: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Failure::BadRequest, StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(Failure::Unauthorized, StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(Failure::Forbidden, StatusCode::FORBIDDEN, message)
    }

    /// Renders the answer in `dialect`, naming the request `request_id` in the body (the
    /// Anthropic dialect has a field for it) and in the `request-id` header.
    pub fn into_response(self, dialect: Dialect, request_id: &HeaderValue) -> Response<ProxyBody> {
        let shown = request_id.to_str().unwrap_or_default();
        let body = match dialect {
            Dialect::Anthropic => json!({
                "type": "error",
                "error": {"type": anthropic_type(self.status), "message": self.message},
                "request_id": shown,
            }),
            Dialect::Gemini => json!({
                "error": {
                    "code": self.status.as_u16(),
                    "message": self.message,
                    "status": google_status(self.status),
                }
            }),
        };
        let mut response = Response::new(ProxyBody::full(Bytes::from(body.to_string())));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("request-id", request_id.clone());
        // Anthropic's clients (Claude Code, the SDKs) honour this: a wrong key or a bad
        // request fails at once with its message instead of being retried for minutes.
        if !matches!(self.status.as_u16(), 408 | 409 | 429 | 500..=599) {
            headers.insert("x-should-retry", HeaderValue::from_static("false"));
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some((limit, remaining, reset)) = self.limit {
            headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
        }
        response
    }
}

/// The event that ends a stream the upstream cut, in the client's dialect: Anthropic's
/// `event: error`, or a Gemini error chunk.
pub fn stream_cut_event(dialect: Dialect) -> Bytes {
    const MESSAGE: &str = "the upstream stream was cut before its end";
    let event = match dialect {
        Dialect::Anthropic => format!(
            "event: error\ndata: {}\n\n",
            json!({"type": "error", "error": {"type": "api_error", "message": MESSAGE}})
        ),
        Dialect::Gemini => format!(
            "data: {}\n\n",
            json!({"error": {"code": 502, "message": MESSAGE, "status": "UNAVAILABLE"}})
        ),
    };
    Bytes::from(event)
}

fn anthropic_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        408 => "timeout_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        400..=499 => "invalid_request_error",
        _ => "api_error",
    }
}

fn google_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        408 => "DEADLINE_EXCEEDED",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        502 | 503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        400..=499 => "INVALID_ARGUMENT",
        _ => "INTERNAL",
    }
}

/// `200 {"status":"ok"}` for `/healthz`.
pub fn health() -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::full(Bytes::from_static(b"{\"status\":\"ok\"}")));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The gateway's own answer to Code Assist housekeeping: it stands in for Google, so a
/// Gemini CLI in Google-login mode needs no onboarding and sees no quota or experiments.
pub fn code_assist_local(answer: super::route::LocalAnswer) -> Response<ProxyBody> {
    use super::route::LocalAnswer;
    let body: &'static [u8] = match answer {
        LocalAnswer::Load => br#"{"currentTier":{"id":"standard-tier","name":"LLM Gateway"},"allowedTiers":[{"id":"standard-tier","name":"LLM Gateway","isDefault":true}],"cloudaicompanionProject":"llm-gateway"}"#,
        LocalAnswer::Onboarded => br#"{"name":"operations/llm-gateway","done":true,"response":{"cloudaicompanionProject":{"id":"llm-gateway","name":"llm-gateway"}}}"#,
        LocalAnswer::Quota => br#"{"buckets":[]}"#,
        LocalAnswer::Empty => b"{}",
    };
    let mut response = Response::new(ProxyBody::full(Bytes::from_static(body)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The Prometheus text exposition.
pub fn metrics(text: String) -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::full(Bytes::from(text)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

/// An empty 200, for `HEAD` probes.
pub fn probe() -> Response<ProxyBody> {
    Response::new(ProxyBody::empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn render(dialect: Dialect, status: StatusCode) -> serde_json::Value {
        let id = HeaderValue::from_static("req_gw_0000000000000001");
        let response = Reject::new(Failure::BadRequest, status, "nope").into_response(dialect, &id);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn errors_follow_each_dialect() {
        let a = render(Dialect::Anthropic, StatusCode::UNAUTHORIZED).await;
        assert_eq!(a["type"], "error");
        assert_eq!(a["error"]["type"], "authentication_error");
        assert_eq!(a["error"]["message"], "nope");
        let g = render(Dialect::Gemini, StatusCode::FORBIDDEN).await;
        assert_eq!(g["error"]["code"], 403);
        assert_eq!(g["error"]["status"], "PERMISSION_DENIED");
    }
}
