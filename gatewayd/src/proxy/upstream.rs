//! Upstream: one attempt against one account — credential injected, request sent on the
//! pooled client — and the verdict on its answer: relay it, or fail over (and what the
//! failure means for the account's health).

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;

use super::headers::inject_credential;
use super::opening::Opening;
use crate::config::UpstreamLive;
use crate::model::CoolReason;
use crate::state::Account;
use crate::upstream_client::{send_proxied, Direct, SendError, UpstreamBody};

mod signals;
pub use signals::{client_refusal, unified_windows};
use signals::{effect_of, is_banned};

/// Largest error body read before deciding to fail over.
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// The parts of a client request that every attempt reuses.
pub struct Exchange {
    pub method: http::Method,
    /// Path plus the query without the gateway key.
    pub path_and_query: String,
    /// The query without the gateway key.
    pub query: Option<String>,
    /// The client's headers minus hop-by-hop and gateway credentials.
    pub headers: HeaderMap,
    pub body: Bytes,
    /// A Gemini generation call, addressed per account (Code Assist accounts and clients
    /// need their envelope).
    pub gemini: Option<super::envelope::GeminiCall>,
}

impl Exchange {
    /// Whether `account` can serve this call: Code Assist accounts serve only the
    /// generation methods.
    pub fn servable_by(&self, account: &Account) -> bool {
        !account.code_assist() || self.gemini.is_some()
    }

    /// The URL and body for `account`.
    fn target(&self, account: &Account) -> (String, Bytes) {
        match &self.gemini {
            Some(call) if call.client_envelope || account.code_assist() => {
                let (path, body) = call.target(account, self.query.as_deref());
                (format!("{}{path}", account.base_url), body)
            }
            _ => (
                format!("{}{}", account.base_url, self.path_and_query),
                self.body.clone(),
            ),
        }
    }
}

/// An upstream error answer read in full, to relay if no other account does better.
pub struct Buffered {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What a failed attempt does to the account.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: the fault is not the account's (overload, a server error).
    None,
    /// Rate-limited or unreachable until this Unix time in milliseconds, and why.
    CoolUntil(u64, CoolReason),
    /// Only a model-scoped window or quota is used up: bench the request's model family
    /// on this account until then, not the whole account.
    BenchModel(u64, CoolReason),
    /// The upstream refused the credential: out of rotation until an operator acts.
    Fail(String),
}

/// The verdict on one attempt.
pub enum Verdict {
    /// Send this answer to the client (a success, or an error that is the client's own);
    /// the bytes were read from its body already and go first.
    Relay(http::Response<UpstreamBody>, Bytes),
    /// The same, already read (a 400 had to be looked at first).
    Answer(Buffered),
    /// Nothing reached the client; try the next account.
    FailOver {
        effect: Effect,
        /// The upstream's answer, if there was one.
        answer: Option<Buffered>,
        /// Whose fault it may be: a server error or a connection cut after the request
        /// was sent can be the request's own doing.
        blame: Blame,
    },
}

/// Whom a failed attempt is held against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    /// The account (or its upstream): it refused, limited or could not be reached.
    Account,
    /// The account or the request: judged once the request is over. If another account
    /// served the request, the failure was the account's; if every account failed, the
    /// request is the likelier cause and no account is penalised for it.
    Undecided,
}

/// Sends `exchange` to `account` and judges the answer.
pub async fn attempt(
    client: &Direct,
    account: &Account,
    exchange: &Exchange,
    cfg: &UpstreamLive,
    bearer: Option<(http::HeaderValue, &str)>,
    clock: &crate::clock::Clock,
) -> Verdict {
    let mut headers = exchange.headers.clone();
    let (bearer, beta) = bearer.map_or((None, ""), |(b, beta)| (Some(b), beta));
    inject_credential(&mut headers, account, bearer, beta);
    let (url, body) = exchange.target(account);
    let mut request = http::Request::new(body);
    *request.method_mut() = exchange.method.clone();
    *request.headers_mut() = headers;
    let unreachable = |why: &str, blame: Blame| {
        tracing::warn!(account = %account.id, reason = why, "upstream unreachable; failing over");
        Verdict::FailOver {
            effect: Effect::CoolUntil(
                clock.now_millis() + cfg.unreachable_cooldown.as_millis() as u64,
                CoolReason::Unreachable,
            ),
            answer: None,
            blame,
        }
    };
    match http::Uri::try_from(url) {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => {
            let why = "the account's URL is not a valid request target";
            return unreachable(why, Blame::Account);
        }
    }
    let sent = async {
        match &account.client {
            Some(proxied) => send_proxied(proxied, request).await,
            None => client.send(request).await,
        }
    };
    let response = match tokio::time::timeout(cfg.header_timeout, sent).await {
        Err(_) => return unreachable("no response headers in time", Blame::Undecided),
        Ok(Err(SendError::Connect)) => return unreachable("connect failed", Blame::Account),
        Ok(Err(SendError::Failed)) => return unreachable("request failed", Blame::Undecided),
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    if account.oauth.is_some() {
        if let Some(windows) = unified_windows(response.headers(), clock.now_millis()) {
            account
                .runtime
                .quota
                .store(Some(std::sync::Arc::new(windows)));
        }
    }
    if status.is_success() && is_event_stream(response.headers()) {
        return judge_opening(response, account, cfg, clock).await;
    }
    if status == StatusCode::NOT_FOUND || (status.is_success() && is_web_page(response.headers())) {
        return judge_misdirected(response).await;
    }
    if !is_retryable(status) && status != StatusCode::BAD_REQUEST {
        return Verdict::Relay(response, Bytes::new());
    }
    let headers = response.headers().clone();
    let body = read_capped(response).await;
    let clients_own = client_refusal(&body).is_some();
    if clients_own || (status == StatusCode::BAD_REQUEST && !is_banned(&body)) {
        return Verdict::Answer(Buffered {
            status,
            headers,
            body,
        });
    }
    let effect = effect_of(status, &headers, &body, cfg, clock.now_millis());
    tracing::info!(account = %account.id, status = status.as_u16(), "upstream refused; failing over");
    let blame = match status.as_u16() {
        500 | 502 | 504 => Blame::Undecided,
        _ => Blame::Account,
    };
    Verdict::FailOver {
        blame,
        effect,
        answer: Some(Buffered {
            status,
            headers,
            body,
        }),
    }
}

/// A 2xx event stream is relayed once its first event shows it is not an error; one that
/// opens with an error fails over as that error's status would (the client, if no other
/// account serves it, gets the stream's opening as it came).
async fn judge_opening(
    response: http::Response<UpstreamBody>,
    account: &Account,
    cfg: &UpstreamLive,
    clock: &crate::clock::Clock,
) -> Verdict {
    let (parts, mut body) = response.into_parts();
    let opening = super::opening::read(&mut body, account.provider, cfg.header_timeout).await;
    let (bytes, code) = match opening {
        Opening::Fine(bytes) => {
            return Verdict::Relay(http::Response::from_parts(parts, body), bytes)
        }
        Opening::Broken => {
            tracing::warn!(account = %account.id, "upstream stream broke before its first event; failing over");
            return Verdict::FailOver {
                effect: Effect::None,
                answer: None,
                blame: Blame::Undecided,
            };
        }
        Opening::Error { bytes, status } => (bytes, status),
    };
    let answer = Buffered {
        status: parts.status,
        headers: parts.headers,
        body: bytes,
    };
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let clients_own = client_refusal(&answer.body).is_some();
    if clients_own || (!is_retryable(status) && !matches!(code, 401 | 403)) {
        // The request's own error: the client sees it as it came.
        return Verdict::Answer(answer);
    }
    tracing::info!(account = %account.id, status = code, "upstream stream opened with an error; failing over");
    Verdict::FailOver {
        effect: effect_of(status, &answer.headers, b"", cfg, clock.now_millis()),
        blame: match code {
            500 | 502 | 504 => Blame::Undecided,
            _ => Blame::Account,
        },
        answer: Some(answer),
    }
}

/// A 404 on a route that exists, or a web page where an API answer belongs: the account
/// likely points at the wrong place (a base URL with `/v1` on its end, a website). A 404
/// about the model the request named is the request's own and goes back to the client.
/// Anything else fails over, held undecided: it benches the account only if another one
/// serves the same request, so no request of a client's making can bench the pool.
async fn judge_misdirected(response: http::Response<UpstreamBody>) -> Verdict {
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_capped(response).await;
    let answer = Buffered {
        status,
        headers,
        body,
    };
    let about_the_model = status == StatusCode::NOT_FOUND
        && serde_json::from_slice::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_ascii_lowercase))
            .is_some_and(|message| message.contains("model"));
    if about_the_model {
        return Verdict::Answer(answer);
    }
    let what = match status {
        StatusCode::NOT_FOUND => "404 for a route that exists".to_owned(),
        other => format!("{other} with a web page instead of an API answer"),
    };
    Verdict::FailOver {
        effect: Effect::Fail(format!(
            "wrong base URL? the upstream answered {what} (gatewayd adds the API path itself: a base URL ends before /v1)"
        )),
        blame: Blame::Undecided,
        answer: Some(answer),
    }
}

fn is_web_page(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

pub fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403 | 429 | 500..=599)
}

async fn read_capped(response: http::Response<UpstreamBody>) -> Bytes {
    let mut body = response.into_body();
    let mut out = Vec::new();
    while let Some(Ok(frame)) = body.frame().await {
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        let room = MAX_ERROR_BODY.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Bytes::from(out)
}
