//! The Gemini API role: generateContent, streamGenerateContent (SSE and JSON array),
//! countTokens, models, and Google-style errors.

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::faults::Action;
use super::reply::{knobs, Reply};
use super::tokens::{input_tokens, text};
use super::State;

#[allow(clippy::too_many_arguments)]
pub(crate) fn reply(
    state: &State,
    seq: u64,
    method: &Method,
    path: &str,
    query: Option<&str>,
    account: Option<&str>,
    body: &[u8],
    action: Option<Action>,
) -> Reply {
    let midway = action.as_ref().and_then(Action::fails_midway);
    let mut reply = route(state, seq, method, path, query, account, body, action);
    if let Some((code, after)) = midway {
        reply.fail_midway(after, status_fault(code, None).into_stream_error(None));
    }
    reply
}

#[allow(clippy::too_many_arguments)]
fn route(
    state: &State,
    seq: u64,
    method: &Method,
    path: &str,
    query: Option<&str>,
    account: Option<&str>,
    body: &[u8],
    action: Option<Action>,
) -> Reply {
    if account.is_none() {
        return error(
            400,
            "API key not valid. Please pass a valid API key.",
            "INVALID_ARGUMENT",
            None,
        );
    }
    if let Some(Action::Exhausted { reset_in, .. }) = action {
        return status_fault(429, Some(reset_in));
    }
    if let Some(Action::Status { code, retry_after }) = action {
        return status_fault(code, retry_after);
    }
    if let Some(Action::StreamError { code, after: 0 }) = action {
        return status_fault(code, None).into_stream_error(None);
    }
    let rest = path
        .strip_prefix("/v1beta/")
        .or_else(|| path.strip_prefix("/v1/"))
        .unwrap_or("");
    if method == Method::GET {
        return match rest {
            "models" => Reply::json(
                StatusCode::OK,
                &json!({"models": [model_entry("gemini-mock-pro"), model_entry("gemini-mock-flash")]}),
            ),
            r if r.starts_with("models/") => {
                Reply::json(StatusCode::OK, &model_entry(&r["models/".len()..]))
            }
            _ => error(404, "Not found", "NOT_FOUND", None),
        };
    }
    let Some((model, method_name)) = rest
        .strip_prefix("models/")
        .and_then(|m| m.rsplit_once(':'))
    else {
        return error(404, "Not found", "NOT_FOUND", None);
    };
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(
            400,
            "Invalid JSON payload received.",
            "INVALID_ARGUMENT",
            None,
        );
    };
    match method_name {
        "countTokens" => {
            let inner = request.get("generateContentRequest").unwrap_or(&request);
            Reply::json(StatusCode::OK, &json!({"totalTokens": input_tokens(inner)}))
        }
        "generateContent" | "streamGenerateContent" => {
            let stream = method_name == "streamGenerateContent";
            let (pieces, k) = pieces(state, seq, model, &request, &action, stream);
            frame(pieces, &k, stream, query)
        }
        _ => error(404, "Not found", "NOT_FOUND", None),
    }
}

/// The answer's chunks as Gemini API values (one for a non-streaming answer), and the
/// knobs that pace them.
pub(crate) fn pieces(
    state: &State,
    seq: u64,
    model: &str,
    request: &Value,
    action: &Option<Action>,
    stream: bool,
) -> (Vec<Value>, super::reply::Knobs) {
    let k = knobs(state, action);
    let prompt = input_tokens(request);
    let cached = if request.get("cachedContent").is_some() {
        prompt / 2
    } else {
        0
    };
    let usage = |candidates: u64, last: bool| {
        let mut u = json!({"promptTokenCount": prompt, "candidatesTokenCount": candidates, "totalTokenCount": prompt + candidates});
        if last && k.thinking > 0 {
            u["thoughtsTokenCount"] = json!(k.thinking);
            u["totalTokenCount"] = json!(prompt + candidates + k.thinking);
        }
        if cached > 0 {
            u["cachedContentTokenCount"] = json!(cached);
        }
        u
    };
    let chunk = |words: u64, so_far: u64, last: bool| {
        let mut candidate =
            json!({"content": {"role": "model", "parts": [{"text": text(words)}]}, "index": 0});
        if last {
            candidate["finishReason"] = json!("STOP");
        }
        json!({"candidates": [candidate], "usageMetadata": usage(so_far, last), "modelVersion": model, "responseId": format!("resp_mock_{seq}")})
    };
    if !stream {
        return (vec![chunk(k.tokens, k.tokens, true)], k);
    }
    let mut pieces = Vec::new();
    let mut sent = 0;
    while sent < k.tokens || pieces.is_empty() {
        let n = (k.tokens - sent).min(k.chunk_tokens);
        sent += n;
        pieces.push(chunk(n, sent, sent >= k.tokens));
    }
    (pieces, k)
}

/// Frames chunks as the wire carries them: one JSON body, SSE events (`alt=sse`), or a
/// streamed JSON array.
pub(crate) fn frame(
    pieces: Vec<Value>,
    k: &super::reply::Knobs,
    stream: bool,
    query: Option<&str>,
) -> Reply {
    if !stream {
        let mut reply = Reply::json(StatusCode::OK, &pieces[0]);
        reply.cut_after = k.cut_after;
        return reply;
    }
    let sse = query.is_some_and(|q| q.split('&').any(|p| p == "alt=sse"));
    let events: Vec<Bytes> = if sse {
        pieces
            .iter()
            .map(|p| Bytes::from(format!("data: {p}\r\n\r\n")))
            .collect()
    } else {
        let last = pieces.len() - 1;
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let open = if i == 0 { "[" } else { "" };
                let close = if i == last { "]" } else { ",\r\n" };
                Bytes::from(format!("{open}{p}{close}"))
            })
            .collect()
    };
    let content_type = if sse {
        "text/event-stream"
    } else {
        "application/json"
    };
    Reply {
        status: StatusCode::OK,
        headers: vec![("content-type", content_type.to_owned())],
        events,
        interval: k.interval,
        cut_after: k.cut_after,
    }
}

fn model_entry(id: &str) -> Value {
    json!({"name": format!("models/{id}"), "displayName": id, "inputTokenLimit": 1_048_576, "outputTokenLimit": 65_536,
           "supportedGenerationMethods": ["generateContent", "countTokens"]})
}

pub(crate) fn status_fault(code: u16, retry_after: Option<u64>) -> Reply {
    match code {
        429 => error(
            429,
            "You exceeded your current quota. Please retry later.",
            "RESOURCE_EXHAUSTED",
            retry_after,
        ),
        529 | 503 => error(
            503,
            "The model is overloaded. Please try again later.",
            "UNAVAILABLE",
            None,
        ),
        401 => error(
            401,
            "Request had invalid authentication credentials.",
            "UNAUTHENTICATED",
            None,
        ),
        403 => error(403, "Permission denied.", "PERMISSION_DENIED", None),
        other => error(other, "Internal error encountered.", "INTERNAL", None),
    }
}

pub(crate) fn error(code: u16, message: &str, status: &str, retry_after: Option<u64>) -> Reply {
    let mut body = json!({"error": {"code": code, "message": message, "status": status}});
    if let Some(secs) = retry_after {
        body["error"]["details"] = json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{secs}s")}]);
    }
    Reply::json(
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &body,
    )
}
