//! Summing one finished request into the pending batch: totals per key, account, model
//! and dialect, hourly and daily rollups with latency histograms, its estimated cost, its
//! request log entry, and the Prometheus counters.

use std::sync::{Arc, LazyLock};

use super::{RequestFacts, UsageRecord};
use crate::metrics::{Metrics, Observation};
use crate::model::{now_secs, RequestLogEntry, UsageCounters, UsageScope};
use crate::prices::PriceTable;
use crate::rollup::Grain;
use crate::store::UsageDelta;

/// Adds `r` to `pending`.
pub fn add(pending: &mut UsageDelta, r: UsageRecord, prices: &PriceTable, metrics: &Metrics) {
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
    // Ids are shared, not copied: a key already in the batch costs a hash, no allocation.
    let mut groups: Vec<(UsageScope, Arc<str>)> = Vec::with_capacity(4);
    if let Some(account) = &r.account_id {
        groups.push((UsageScope::Account, Arc::clone(account)));
    }
    if let Some(key) = &r.key_id {
        groups.push((UsageScope::Key, Arc::clone(key)));
        pending.last_used.insert(Arc::clone(key), now_secs());
    }
    if let Some(model) = &r.model {
        groups.push((UsageScope::Model, Arc::clone(model)));
    }
    if let Some(f) = facts {
        groups.push((UsageScope::Dialect, dialect_id(f.dialect)));
    }
    let at_secs = facts.map_or_else(|| now_secs() as u64, |f| f.at_ms / 1000);
    for (scope, id) in groups {
        pending
            .counters
            .entry((scope, Arc::clone(&id)))
            .or_default()
            .add(&counters);
        for grain in [Grain::Hour, Grain::Day] {
            let bucket = grain.bucket(at_secs);
            let rollup = pending
                .rollups
                .entry((scope, Arc::clone(&id), grain, bucket))
                .or_default();
            rollup.counters.add(&counters);
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
            model: r.model.as_ref(),
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
