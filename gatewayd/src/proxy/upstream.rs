//! Upstream: one attempt against one account — credential injected, request sent on the
//! pooled client — and the verdict on its answer: relay it, or fail over (and what the
//! failure means for the account's health).

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;

use super::headers::inject_credential;
use super::opening::Opening;
use crate::config::UpstreamLive;
use crate::model::CoolReason;
use crate::state::Account;
use crate::upstream_client::{send_proxied, Direct, SendError, UpstreamBody};

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
    if !is_retryable(status) && status != StatusCode::BAD_REQUEST {
        return Verdict::Relay(response, Bytes::new());
    }
    let headers = response.headers().clone();
    let body = read_capped(response).await;
    if status == StatusCode::BAD_REQUEST && !is_banned(&body) {
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
    if !is_retryable(status) && !matches!(code, 401 | 403) {
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

/// Anthropic's answer for a disabled organisation: the account is banned, not the request wrong.
fn is_banned(body: &[u8]) -> bool {
    error_message(body)
        .to_ascii_lowercase()
        .contains("organization has been disabled")
}

fn effect_of(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    cfg: &UpstreamLive,
    now: u64,
) -> Effect {
    match status.as_u16() {
        400 => Effect::Fail(format!("banned: {}", error_message(body))),
        401 | 403 => Effect::Fail(format!(
            "invalid credentials: upstream answered {}: {}",
            status.as_u16(),
            error_message(body)
        )),
        503 | 529 => Effect::CoolUntil(
            now + cfg.overloaded_cooldown.as_millis() as u64,
            CoolReason::Overloaded,
        ),
        429 => {
            let wait = retry_delay(headers, body, now).unwrap_or(cfg.rate_limit_cooldown);
            let until = now + wait.as_millis() as u64;
            // A subscription window that is exhausted benches the account (or only the
            // model family, for a model-scoped window) until it resets.
            if let Some((reset, scoped)) = unified_reset(headers) {
                let why = CoolReason::WindowExhausted;
                return match scoped {
                    true => Effect::BenchModel(reset.max(until), why),
                    false => Effect::CoolUntil(reset.max(until), why),
                };
            }
            match google_quota(body, now) {
                Some((reset, true)) => {
                    Effect::BenchModel(reset.max(until), CoolReason::ModelQuotaExhausted)
                }
                Some((reset, false)) => {
                    Effect::CoolUntil(reset.max(until), CoolReason::QuotaExhausted)
                }
                None => Effect::CoolUntil(until, CoolReason::RateLimited),
            }
        }
        _ => Effect::None,
    }
}

/// The subscription windows in an answer's `anthropic-ratelimit-unified-*` headers.
pub fn unified_windows(headers: &HeaderMap, now_ms: u64) -> Option<crate::state::QuotaWindows> {
    let get = |name: &str| unified(headers, name);
    let status = get("status")?.to_owned();
    let mut windows = Vec::new();
    for (name, value) in headers {
        let Some(window) = name
            .as_str()
            .strip_prefix(UNIFIED)
            .and_then(|n| n.strip_suffix("-status"))
        else {
            continue;
        };
        windows.push((
            window.to_owned(),
            value.to_str().unwrap_or("").to_owned(),
            get(&format!("{window}-utilization"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0),
            get(&format!("{window}-reset")).and_then(|v| v.parse().ok()),
        ));
    }
    windows.sort_by(|a, b| a.0.cmp(&b.0));
    Some(crate::state::QuotaWindows {
        status,
        representative_claim: get("representative-claim").unwrap_or("").to_owned(),
        windows,
        seen_at_ms: now_ms,
    })
}

/// For a Claude subscription whose unified status is `rejected`: the latest reset (Unix
/// ms) among the rejected windows, and whether every rejected window is model-scoped
/// (like `7d_oi`) rather than the account's own 5-hour or 7-day window. `allowed` and
/// `allowed_warning` give `None`.
pub fn unified_reset(headers: &HeaderMap) -> Option<(u64, bool)> {
    let windows = unified_windows(headers, 0)?;
    if windows.status != "rejected" {
        return None;
    }
    let mut latest = unified(headers, "reset").and_then(|v| v.parse::<u64>().ok());
    let (mut scoped, mut whole) = (false, false);
    for (window, status, _, reset) in &windows.windows {
        if status.trim() == "rejected" {
            latest = latest.max(*reset);
            if matches!(window.as_str(), "5h" | "7d") {
                whole = true;
            } else {
                scoped = true;
            }
        }
    }
    latest.map(|secs| (secs * 1000, scoped && !whole))
}

/// One `anthropic-ratelimit-unified-{name}` header, trimmed.
fn unified<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(format!("{UNIFIED}{name}"))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

const UNIFIED: &str = "anthropic-ratelimit-unified-";

/// How long the upstream asked us to wait: `retry-after`, then Anthropic's reset
/// headers, then Gemini's `RetryInfo.retryDelay`.
pub fn retry_delay(headers: &HeaderMap, body: &[u8], now_ms: u64) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    if let Some(at) =
        header("anthropic-ratelimit-unified-reset").and_then(|v| v.parse::<u64>().ok())
    {
        return Some(Duration::from_millis((at * 1000).saturating_sub(now_ms)));
    }
    let rfc3339 = [
        "anthropic-ratelimit-requests-reset",
        "anthropic-ratelimit-tokens-reset",
    ];
    if let Some(at) = rfc3339
        .iter()
        .find_map(|h| header(h))
        .and_then(|v| humantime::parse_rfc3339_weak(v).ok())
    {
        let at_ms = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as u64;
        return Some(Duration::from_millis(at_ms.saturating_sub(now_ms)));
    }
    gemini_retry_delay(body)
}

fn gemini_retry_delay(body: &[u8]) -> Option<Duration> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let details = value.get("error")?.get("details")?.as_array()?;
    let delay = details.iter().find_map(|d| d.get("retryDelay")?.as_str())?;
    let secs: f64 = delay.strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Google's `QUOTA_EXHAUSTED` (Code Assist): the reset (Unix ms) from the error's
/// `quotaResetTimeStamp` or `quotaResetDelay`, and whether the quota is one model's.
pub fn google_quota(body: &[u8], now_ms: u64) -> Option<(u64, bool)> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let details = value.get("error")?.get("details")?.as_array()?;
    let info = details
        .iter()
        .find(|d| d.get("reason").and_then(|r| r.as_str()) == Some("QUOTA_EXHAUSTED"))?;
    let meta = info.get("metadata");
    let field = |name: &str| meta.and_then(|m| m.get(name)).and_then(|v| v.as_str());
    let at_ms = field("quotaResetTimeStamp")
        .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as u64)
        .or_else(|| {
            let secs: f64 = field("quotaResetDelay")?.strip_suffix('s')?.parse().ok()?;
            (secs.is_finite() && secs >= 0.0).then(|| now_ms + (secs * 1000.0) as u64)
        })?;
    Some((at_ms, field("model").is_some()))
}

/// The upstream's error message (either dialect), shortened for logs and status reasons.
fn error_message(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(|e| e.get("message"))
        .and_then(|m| m.as_str())
        .unwrap_or("no error message");
    message.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_windows_bench_until_the_latest_reset() {
        let mut h = HeaderMap::new();
        h.insert(
            "anthropic-ratelimit-unified-status",
            "allowed_warning".parse().unwrap(),
        );
        assert_eq!(unified_reset(&h), None);
        h.insert(
            "anthropic-ratelimit-unified-status",
            "rejected".parse().unwrap(),
        );
        h.insert("anthropic-ratelimit-unified-reset", "1000".parse().unwrap());
        h.insert(
            "anthropic-ratelimit-unified-5h-status",
            "rejected".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-unified-5h-reset",
            "1500".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-unified-7d-status",
            "allowed".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-unified-7d-reset",
            "9000".parse().unwrap(),
        );
        assert_eq!(unified_reset(&h), Some((1_500_000, false)));
        h.insert(
            "anthropic-ratelimit-unified-5h-status",
            "allowed".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-unified-7d_oi-status",
            "rejected".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-unified-7d_oi-reset",
            "2000".parse().unwrap(),
        );
        assert_eq!(
            unified_reset(&h),
            Some((2_000_000, true)),
            "only a model window is out"
        );
    }

    #[test]
    fn quota_exhausted_benches_until_the_reset() {
        let body = br#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"QUOTA_EXHAUSTED","domain":"cloudcode-pa.googleapis.com","metadata":{"quotaResetTimeStamp":"2026-09-20T21:03:14Z","quotaResetDelay":"33740.91s","model":"gemini-3.5-flash"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"33740.91s"}]}}"#;
        assert_eq!(google_quota(body, 0), Some((1_789_938_194_000, true)));
        let delay_only = br#"{"error":{"details":[{"reason":"QUOTA_EXHAUSTED","metadata":{"quotaResetDelay":"60s"}}]}}"#;
        assert_eq!(google_quota(delay_only, 1_000), Some((61_000, false)));
        let throttle = br#"{"error":{"details":[{"reason":"RATE_LIMIT_EXCEEDED"}]}}"#;
        assert_eq!(google_quota(throttle, 0), None);
    }

    #[test]
    fn retry_delay_sources_in_order() {
        let mut h = HeaderMap::new();
        let gemini = br#"{"error":{"code":429,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"47s"}]}}"#;
        assert_eq!(retry_delay(&h, gemini, 0), Some(Duration::from_secs(47)));
        h.insert("anthropic-ratelimit-unified-reset", "100".parse().unwrap());
        assert_eq!(retry_delay(&h, b"", 40_000), Some(Duration::from_secs(60)));
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_delay(&h, b"", 0), Some(Duration::from_secs(7)));
        assert_eq!(retry_delay(&HeaderMap::new(), b"{}", 0), None);
    }
}
