//! `GET /gateway/usage`: a key holder's own view, with the key they present — its name
//! and expiry, each limit and spend budget with what is used, what remains and when it
//! resets, and its usage and cost today, this week and this month (UTC). Read from
//! memory (the limits' live state — in cluster mode, Redis's — and the recorder's
//! running sums), never the store, and never another key's data: the key presented is
//! the only one looked at.

use bytes::Bytes;
use http::{header, HeaderValue, Response};
use serde_json::{json, Value};

use super::body::ProxyBody;
use crate::admission::Admission;
use crate::model::UsageCounters;
use crate::recorder::periods::KeyPeriods;
use crate::state::ActiveKey;

/// The answer for `key` at `now_ms`.
pub async fn answer(
    key: &ActiveKey,
    admission: &Admission,
    periods: &KeyPeriods,
    now_ms: u64,
) -> Response<ProxyBody> {
    let record = &key.record;
    let limits: Vec<Value> = admission
        .standing_now(&record.id, &record.rate_limit, now_ms)
        .await
        .into_iter()
        .map(|l| {
            json!({"name": l.name, "limit": l.limit, "used": l.used,
                   "remaining": l.limit.saturating_sub(l.used),
                   "clears_at": l.clears_at_ms.map(at)})
        })
        .collect();
    let dollars = |micros: u64| micros as f64 / 1_000_000.0;
    let budgets: Vec<Value> = admission
        .budgets_now(&record.id, &record.rate_limit.budget_usd, now_ms)
        .await
        .into_iter()
        .map(|b| {
            json!({"period": b.period.as_str(), "limit_usd": dollars(b.limit),
                   "spent_usd": dollars(b.spent), "reserved_usd": dollars(b.reserved),
                   "remaining_usd": dollars(b.limit.saturating_sub(b.spent + b.reserved)),
                   "resets_at": b.resets_at_ms.map(at)})
        })
        .collect();
    let [today, week, month] = periods.get(&record.id, now_ms);
    let body = json!({
        "key": {"id": record.id, "name": record.name,
                "expires_at": record.expires_at.map(|secs| at(secs.max(0) as u64 * 1000))},
        "limits": limits,
        "budgets": budgets,
        "usage": {"today": usage(&today), "this_week": usage(&week), "this_month": usage(&month)},
        "as_of": at(now_ms),
    });
    let mut response = Response::new(ProxyBody::full(Bytes::from(body.to_string())));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn usage(c: &UsageCounters) -> Value {
    json!({"requests": c.requests, "errors": c.errors,
           "input_tokens": c.tokens.input_tokens, "output_tokens": c.tokens.output_tokens,
           "cache_creation_tokens": c.tokens.cache_creation_tokens,
           "cache_read_tokens": c.tokens.cache_read_tokens,
           "cost_usd": c.cost_micros as f64 / 1_000_000.0})
}

/// Unix ms as RFC 3339 (seconds).
fn at(ms: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
        .to_string()
}
