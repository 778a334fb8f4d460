//! Signals: what an upstream's error answer says about its account — a cool-down and how
//! long (`retry-after`, Anthropic's unified reset headers, Gemini's `RetryInfo` and quota
//! details), a subscription's windows, a ban — as an [`Effect`].

use std::time::Duration;

use http::{HeaderMap, StatusCode};

use super::Effect;
use crate::config::UpstreamLive;
use crate::model::{CoolReason, Failure};

/// Anthropic's answer for a disabled organisation: the account is banned, not the request wrong.
pub(super) fn is_banned(body: &[u8]) -> bool {
    error_message(body)
        .to_ascii_lowercase()
        .contains("organization has been disabled")
}

pub(super) fn effect_of(
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
/// What Anthropic's refusals of a subscription's client say about the request: billed
/// to "extra usage" (or refused) as third-party traffic, or from a client older than the
/// model needs. Both are the client's doing: relayed as they came, retried nowhere, the
/// account not blamed. `body` is a JSON error or an event stream that opened with one.
pub fn client_refusal(body: &[u8]) -> Option<Failure> {
    let error = error_object(body)?;
    let code = error
        .pointer("/error/details/error_code")
        .and_then(|c| c.as_str());
    let message = error
        .pointer("/error/message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if code == Some("claude_code_version_too_old") {
        return Some(Failure::ClientTooOld);
    }
    let third_party = message.contains("extra usage")
        || message.contains("only authorized for use with claude code");
    third_party.then_some(Failure::ThirdPartyBilling)
}

/// The error object of a JSON body, or of the first `data:` line of an event stream.
fn error_object(body: &[u8]) -> Option<serde_json::Value> {
    let parsed = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
    let value = parsed(body).or_else(|| {
        body.split(|&b| b == b'\n')
            .find_map(|line| line.strip_prefix(b"data:"))
            .and_then(|data| parsed(data.trim_ascii()))
    })?;
    value.get("error").is_some().then_some(value)
}

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
    fn subscription_refusals_are_the_clients_own() {
        let billing = br#"{"type":"error","error":{"type":"invalid_request_error","message":"Third-party apps now draw from your extra usage, not your plan limits."}}"#;
        assert_eq!(client_refusal(billing), Some(Failure::ThirdPartyBilling));
        let old = br#"{"type":"error","error":{"type":"invalid_request_error","message":"Claude Code 2.1.224 does not support this model","details":{"error_code":"claude_code_version_too_old"}}}"#;
        assert_eq!(client_refusal(old), Some(Failure::ClientTooOld));
        let streamed = b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"You're out of extra usage.\"}}\n\n";
        assert_eq!(client_refusal(streamed), Some(Failure::ThirdPartyBilling));
        let plain = br#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}"#;
        assert_eq!(client_refusal(plain), None);
    }

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
