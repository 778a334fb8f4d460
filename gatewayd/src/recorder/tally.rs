//! Summing one finished request into the pending batch: totals per key, account, model
//! and dialect, hourly and daily rollups with latency histograms, its estimated cost, its
//! request log entry, and the Prometheus counters.

use std::sync::{Arc, LazyLock};

use super::models::ModelNames;
use super::periods::KeyPeriods;
use super::{RequestFacts, UsageRecord};
use crate::metrics::{Metrics, Observation};
use crate::model::{RequestLogEntry, UsageCounters, UsageScope};
use crate::prices::PriceTable;
use crate::rollup::Grain;
use crate::store::UsageDelta;

/// Adds `r` to `pending`.
pub fn add(
    pending: &mut UsageDelta,
    r: UsageRecord,
    now_secs: u64,
    prices: &PriceTable,
    metrics: &Metrics,
    models: &mut ModelNames,
    periods: &KeyPeriods,
) {
    pending.records += 1;
    let cost_micros = r
        .model
        .as_deref()
        .map_or(0, |m| prices.cost_micros(m, &r.tokens));
    let counters = UsageCounters {
        requests: 1,
        errors: u64::from(r.failed),
        tokens: r.tokens,
        cost_micros,
    };
    let facts = r.request.as_deref();
    // A client refusal counts as the key's error, never the account's.
    let refused = facts
        .and_then(|f| f.error)
        .is_some_and(|f| f.is_client_refusal());
    let account_counters = UsageCounters {
        errors: u64::from(r.failed && !refused),
        ..counters
    };
    // Ids are shared, not copied: a key already in the batch costs a hash, no allocation.
    let mut groups: Vec<(UsageScope, Arc<str>)> = Vec::with_capacity(4);
    if let Some(account) = &r.account_id {
        groups.push((UsageScope::Account, Arc::clone(account)));
    }
    if let Some(key) = &r.key_id {
        groups.push((UsageScope::Key, Arc::clone(key)));
        pending
            .last_used
            .insert(Arc::clone(key), now_secs as crate::model::UnixSecs);
    }
    let counted_model = r.model.as_ref().map(|m| models.counted(m));
    if let Some(model) = &counted_model {
        groups.push((UsageScope::Model, Arc::clone(model)));
    }
    if let Some(f) = facts {
        groups.push((UsageScope::Dialect, dialect_id(f.dialect)));
    }
    let at_secs = facts.map_or(now_secs, |f| f.at_ms / 1000);
    if let Some(key) = &r.key_id {
        periods.add(key, at_secs * 1000, &counters);
    }
    for (scope, id) in groups {
        let counters = match scope {
            UsageScope::Account => &account_counters,
            _ => &counters,
        };
        pending
            .counters
            .entry((scope, Arc::clone(&id)))
            .or_default()
            .add(counters);
        for grain in [Grain::Minute, Grain::Hour, Grain::Day] {
            let bucket = grain.bucket(at_secs);
            let rollup = pending
                .rollups
                .entry((scope, Arc::clone(&id), grain, bucket))
                .or_default();
            rollup.counters.add(counters);
            if let Some(f) = facts {
                rollup.latency.record(f.latency_ms);
                if let Some(ttfb) = f.ttfb_ms {
                    rollup.ttfb.record(ttfb);
                }
            }
        }
    }
    if let Some(f) = facts {
        metrics.observe(&Observation {
            dialect: f.dialect,
            model: counted_model.as_ref(),
            status: f.status,
            error: f.error,
            latency_ms: f.latency_ms,
            ttfb_ms: f.ttfb_ms,
            tokens: &r.tokens,
            cost_micros,
        });
        log_line(&r, f);
        pending.log.push(log_entry(&r, f, cost_micros));
    }
}

/// The one log line of a finished request: warn for a failure the gateway or an upstream
/// is to blame for (5xx), info for other failures and refusals, debug for successes.
fn log_line(r: &UsageRecord, f: &RequestFacts) {
    macro_rules! line {
        ($level:expr) => {
            tracing::event!(
                $level,
                request_id = %crate::model::request_id(f.request_id),
                status = f.status,
                error = f.error.map(|e| e.as_str()),
                key = r.key_id.as_deref(),
                account = r.account_id.as_deref(),
                // The client chose it: Debug escapes anything unprintable.
                model = ?r.model.as_deref(),
                attempts = f.attempts,
                latency_ms = f.latency_ms,
                "request finished"
            )
        };
    }
    if f.status >= 500 {
        line!(tracing::Level::WARN);
    } else if f.error.is_some() {
        line!(tracing::Level::INFO);
    } else {
        line!(tracing::Level::DEBUG);
    }
}

/// The dialect's name as a shared id, made once per dialect.
fn dialect_id(dialect: &'static str) -> Arc<str> {
    static ANTHROPIC: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("anthropic"));
    static GEMINI: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("gemini"));
    match dialect {
        "anthropic" => Arc::clone(&ANTHROPIC),
        "gemini" => Arc::clone(&GEMINI),
        other => Arc::from(other),
    }
}

fn log_entry(r: &UsageRecord, f: &RequestFacts, cost_micros: u64) -> RequestLogEntry {
    RequestLogEntry {
        at_ms: f.at_ms,
        key_id: r.key_id.as_deref().map(str::to_owned),
        account_id: r.account_id.as_deref().map(str::to_owned),
        dialect: f.dialect.to_owned(),
        model: r.model.as_deref().map(str::to_owned),
        stream: f.stream,
        status: f.status,
        error: f.error.map(|e| e.as_str().to_owned()),
        attempts: f.attempts,
        ttfb_ms: f.ttfb_ms,
        latency_ms: f.latency_ms,
        tokens: r.tokens,
        client_ip: f.client_ip.to_string(),
        // to_str admits visible ASCII only, so cutting at a byte count is safe.
        user_agent: f
            .user_agent
            .as_ref()
            .and_then(|ua| ua.to_str().ok())
            .map_or_else(String::new, |ua| ua[..ua.len().min(200)].to_owned()),
        request_id: crate::model::request_id(f.request_id),
        cost_micros,
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;
    use crate::model::{Failure, TokenUsage};

    fn record(key: Option<&str>, failure: Option<Failure>) -> UsageRecord {
        UsageRecord {
            key_id: key.map(Arc::from),
            account_id: Some(Arc::from("acc_1")),
            model: Some(Arc::from("claude-sonnet-4")),
            failed: failure.is_some(),
            tokens: TokenUsage {
                input_tokens: 10,
                output_tokens: 5,
                ..TokenUsage::default()
            },
            request: Some(Box::new(RequestFacts {
                at_ms: 7_200_500,
                dialect: "anthropic",
                stream: false,
                status: if failure.is_some() { 429 } else { 200 },
                error: failure,
                attempts: 1,
                ttfb_ms: Some(3),
                latency_ms: 8,
                client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                user_agent: None,
                request_id: 0x2a,
            })),
        }
    }

    #[test]
    fn a_record_counts_in_every_scope_once_and_logs_its_failure_by_name() {
        let (prices, metrics) = (PriceTable::new(&[]), Metrics::default());
        let periods = KeyPeriods::default();
        let mut models = ModelNames::new(10);
        let mut pending = UsageDelta::default();
        add(
            &mut pending,
            record(Some("key_1"), None),
            1_700_000_000,
            &prices,
            &metrics,
            &mut models,
            &periods,
        );
        add(
            &mut pending,
            record(Some("key_1"), Some(Failure::RateLimited)),
            1_700_000_000,
            &prices,
            &metrics,
            &mut models,
            &periods,
        );
        assert_eq!(pending.records, 2);
        for (scope, id) in [
            (UsageScope::Key, "key_1"),
            (UsageScope::Account, "acc_1"),
            (UsageScope::Model, "claude-sonnet-4"),
            (UsageScope::Dialect, "anthropic"),
        ] {
            let counters = pending.counters[&(scope, Arc::from(id))];
            assert_eq!((counters.requests, counters.errors), (2, 1), "{scope:?}");
            assert_eq!(counters.tokens.input_tokens, 20);
        }
        let hour = (UsageScope::Key, Arc::from("key_1"), Grain::Hour, 7_200);
        assert_eq!(pending.rollups[&hour].counters.requests, 2);
        assert_eq!(pending.log.len(), 2);
        assert_eq!(pending.log[1].error.as_deref(), Some("rate_limited"));
        assert_eq!(pending.log[1].request_id, "req_gw_000000000000002a");
        assert!(pending.last_used.contains_key("key_1"));
        let today = periods.get("key_1", 7_200_500)[0];
        assert_eq!(
            (today.requests, today.errors),
            (2, 1),
            "the key's running day"
        );
    }

    #[test]
    fn a_client_refusal_is_the_keys_error_not_the_accounts() {
        let (prices, metrics) = (PriceTable::new(&[]), Metrics::default());
        let periods = KeyPeriods::default();
        let mut models = ModelNames::new(10);
        let mut pending = UsageDelta::default();
        let refused = record(Some("key_1"), Some(Failure::ThirdPartyBilling));
        add(
            &mut pending,
            refused,
            1_700_000_000,
            &prices,
            &metrics,
            &mut models,
            &periods,
        );
        let errors = |scope, id: &str| pending.counters[&(scope, Arc::from(id))].errors;
        assert_eq!(errors(UsageScope::Key, "key_1"), 1);
        assert_eq!(errors(UsageScope::Account, "acc_1"), 0);
    }

    #[test]
    fn a_keyless_refusal_counts_for_its_dialect_only() {
        let (prices, metrics) = (PriceTable::new(&[]), Metrics::default());
        let periods = KeyPeriods::default();
        let mut models = ModelNames::new(10);
        let mut pending = UsageDelta::default();
        let mut refused = record(None, Some(Failure::Unauthorized));
        refused.account_id = None;
        refused.model = None;
        add(
            &mut pending,
            refused,
            1_700_000_000,
            &prices,
            &metrics,
            &mut models,
            &periods,
        );
        let scopes: Vec<UsageScope> = pending.counters.keys().map(|(scope, _)| *scope).collect();
        assert_eq!(scopes, [UsageScope::Dialect]);
        assert!(pending.last_used.is_empty());
        assert_eq!(pending.log[0].key_id, None);
    }
}
