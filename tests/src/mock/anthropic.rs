//! The Anthropic role: Messages (JSON and SSE), count_tokens, models, and its errors.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::faults::Action;
use super::reply::{knobs, Reply};
use super::tokens::{input_tokens, text};
use super::State;

pub(crate) fn reply(
    state: &State,
    seq: u64,
    method: &Method,
    path: &str,
    account: Option<&str>,
    body: &[u8],
    action: Option<Action>,
) -> Reply {
    let midway = action.as_ref().and_then(Action::fails_midway);
    let mut reply = route(state, seq, method, path, account, body, action);
    if let Some((code, after)) = midway {
        reply.fail_midway(
            after,
            status_fault(code, None).into_stream_error(Some("error")),
        );
    }
    reply
        .headers
        .push(("request-id", format!("req_mock_{seq}")));
    reply
        .headers
        .push(("anthropic-organization-id", "org_mock".to_owned()));
    reply
}

fn route(
    state: &State,
    seq: u64,
    method: &Method,
    path: &str,
    account: Option<&str>,
    body: &[u8],
    action: Option<Action>,
) -> Reply {
    if account.is_none() {
        return error(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "x-api-key header is required",
            None,
        );
    }
    if let Some(Action::Exhausted {
        reset_in,
        model_scoped,
    }) = action
    {
        return exhausted(reset_in, model_scoped);
    }
    if let Some(Action::Status { code, retry_after }) = action {
        return status_fault(code, retry_after);
    }
    if let Some(Action::Refuse {
        code,
        message,
        error_code,
    }) = &action
    {
        return refusal(*code, message, error_code.as_deref());
    }
    if let Some(Action::StreamError { code, after: 0 }) = action {
        return status_fault(code, None).into_stream_error(Some("error"));
    }
    match (method.as_str(), path) {
        ("GET", "/v1/models") => Reply::json(
            StatusCode::OK,
            &json!({"data": [
                {"type": "model", "id": "claude-sonnet-mock", "display_name": "Claude Sonnet (mock)", "created_at": "2026-01-01T00:00:00Z"},
                {"type": "model", "id": "claude-haiku-mock", "display_name": "Claude Haiku (mock)", "created_at": "2026-01-01T00:00:00Z"}
            ], "has_more": false, "first_id": "claude-sonnet-mock", "last_id": "claude-haiku-mock"}),
        ),
        ("POST", "/v1/messages/count_tokens") => match parse(body) {
            Ok(v) => Reply::json(StatusCode::OK, &json!({"input_tokens": input_tokens(&v)})),
            Err(r) => r,
        },
        ("POST", "/v1/messages") => match parse(body) {
            Ok(v) if !v["messages"].is_array() => error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "messages: Input should be a valid list",
                None,
            ),
            Ok(v) => messages(state, seq, &v, &action),
            Err(r) => r,
        },
        _ => error(StatusCode::NOT_FOUND, "not_found_error", "Not found", None),
    }
}

fn parse(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice(body).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "body is not JSON",
            None,
        )
    })
}

fn messages(state: &State, seq: u64, body: &Value, action: &Option<Action>) -> Reply {
    let k = knobs(state, action);
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("claude-mock")
        .to_owned();
    let input = input_tokens(body);
    let (creation, read) = cache(state, body, input);
    let usage = json!({"input_tokens": input, "cache_creation_input_tokens": creation, "cache_read_input_tokens": read, "output_tokens": k.tokens});
    let id = format!("msg_mock_{seq}");
    if body.get("stream").and_then(Value::as_bool) != Some(true) {
        let mut reply = Reply::json(
            StatusCode::OK,
            &json!({"id": id, "type": "message", "role": "assistant", "model": model,
                    "content": [{"type": "text", "text": text(k.tokens)}],
                    "stop_reason": "end_turn", "stop_sequence": null, "usage": usage}),
        );
        reply.cut_after = k.cut_after;
        return reply;
    }
    let mut start_usage = usage.clone();
    start_usage["output_tokens"] = json!(1);
    let mut events = vec![
        event(
            "message_start",
            &json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant", "content": [], "model": model, "stop_reason": null, "stop_sequence": null, "usage": start_usage}}),
        ),
        event("ping", &json!({"type": "ping"})),
        event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
    ];
    let mut left = k.tokens;
    while left > 0 {
        let n = left.min(k.chunk_tokens);
        left -= n;
        let piece = if left > 0 {
            format!("{} ", text(n))
        } else {
            text(n)
        };
        events.push(event("content_block_delta", &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})));
    }
    events.push(event(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push(event("message_delta", &json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": k.tokens}})));
    events.push(event("message_stop", &json!({"type": "message_stop"})));
    Reply {
        status: StatusCode::OK,
        headers: vec![
            ("content-type", "text/event-stream".to_owned()),
            ("cache-control", "no-cache".to_owned()),
        ],
        events,
        interval: k.interval,
        cut_after: k.cut_after,
    }
}

/// First call with a `cache_control` prefix writes the cache, later ones read it.
fn cache(state: &State, body: &Value, input: u64) -> (u64, u64) {
    if !body.to_string().contains("cache_control") {
        return (0, 0);
    }
    let prefix = body.get("system").map(Value::to_string).unwrap_or_default();
    let first = state.cache_prefixes.lock().unwrap().insert(prefix);
    if first {
        (input / 2, 0)
    } else {
        (0, input / 2)
    }
}

fn event(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

pub(crate) fn status_fault(code: u16, retry_after: Option<u64>) -> Reply {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (kind, message) = match code {
        400 => (
            "invalid_request_error",
            "This organization has been disabled.",
        ),
        401 => ("authentication_error", "invalid x-api-key"),
        403 => (
            "permission_error",
            "OAuth authentication is currently not allowed for this organization.",
        ),
        429 => (
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
        ),
        529 => ("overloaded_error", "Overloaded"),
        _ => ("api_error", "Internal server error"),
    };
    error(status, kind, message, retry_after)
}

fn error(status: StatusCode, kind: &str, message: &str, retry_after: Option<u64>) -> Reply {
    let mut reply = Reply::json(
        status,
        &json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_mock"}),
    );
    if let Some(secs) = retry_after {
        reply.headers.push(("retry-after", secs.to_string()));
        reply.headers.push(("x-should-retry", "true".to_owned()));
    }
    reply.interval = Duration::ZERO;
    reply
}

/// A refusal of the client, with the error code in `details` when there is one.
fn refusal(code: u16, message: &str, error_code: Option<&str>) -> Reply {
    let mut error = json!({"type": "invalid_request_error", "message": message});
    if let Some(code) = error_code {
        error["details"] = json!({"error_code": code});
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    let mut reply = Reply::json(
        status,
        &json!({"type": "error", "error": error, "request_id": "req_mock"}),
    );
    reply.interval = Duration::ZERO;
    reply
}

/// 429 for an exhausted subscription window, with the unified rate-limit headers.
fn exhausted(reset_in: u64, model_scoped: bool) -> Reply {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let reset = (now + reset_in).to_string();
    let (five_hour, model_window, claim) = match model_scoped {
        true => ("allowed", "rejected", "seven_day_oi"),
        false => ("rejected", "allowed", "five_hour"),
    };
    let mut reply = status_fault(429, Some(1));
    reply.headers.extend([
        ("anthropic-ratelimit-unified-status", "rejected".to_owned()),
        ("anthropic-ratelimit-unified-reset", reset.clone()),
        (
            "anthropic-ratelimit-unified-representative-claim",
            claim.to_owned(),
        ),
        (
            "anthropic-ratelimit-unified-5h-status",
            five_hour.to_owned(),
        ),
        ("anthropic-ratelimit-unified-5h-reset", reset.clone()),
        (
            "anthropic-ratelimit-unified-7d-status",
            "allowed".to_owned(),
        ),
        (
            "anthropic-ratelimit-unified-7d-utilization",
            "0.30".to_owned(),
        ),
        (
            "anthropic-ratelimit-unified-7d_oi-status",
            model_window.to_owned(),
        ),
        ("anthropic-ratelimit-unified-7d_oi-reset", reset),
    ]);
    reply
}
