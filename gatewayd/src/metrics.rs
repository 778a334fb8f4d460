//! Prometheus metrics (the `prometheus-client` crate): request, token, cost and refusal
//! counters and latency histograms, updated by the recorder as records arrive (never on
//! the request path), plus gauges of in-flight requests and account states read from the
//! live snapshot at scrape time.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::model::{AccountState, TokenUsage};
use crate::state::Snapshot;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    dialect: &'static str,
    model: Option<Arc<str>>,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenLabels {
    dialect: &'static str,
    model: Option<Arc<str>>,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModelLabels {
    model: Option<Arc<str>>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DialectLabels {
    dialect: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AccountLabels {
    account: String,
    provider: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AccountStateLabels {
    account: String,
    state: &'static str,
}

/// 5 ms to about 3 minutes.
fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 16))
}

/// One finished client request, as the metrics see it. Labels are static strings and
/// shared model names, so counting a request allocates nothing once its series exist.
pub struct Observation<'a> {
    pub dialect: &'static str,
    /// Unset reads as an empty label.
    pub model: Option<&'a Arc<str>>,
    pub status: u16,
    pub error: Option<crate::model::Failure>,
    pub latency_ms: u64,
    pub ttfb_ms: Option<u64>,
    pub tokens: &'a TokenUsage,
    pub cost_micros: u64,
}

/// Every metric, registered once; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    cost: Family<ModelLabels, Counter<f64, std::sync::atomic::AtomicU64>>,
    refusals: Family<KindLabels, Counter>,
    latency: Family<DialectLabels, Histogram, fn() -> Histogram>,
    ttfb: Family<DialectLabels, Histogram, fn() -> Histogram>,
    in_flight: Family<AccountLabels, Gauge>,
    account_state: Family<AccountStateLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Metrics {
    /// Every metric; in cluster mode with Redis, also how shared admissions were
    /// decided (`decisions`).
    pub fn new(decisions: Option<&crate::admission::SharedDecisions>) -> Self {
        let mut registry = Registry::with_prefix("gateway");
        let inner = Inner {
            requests: Family::default(),
            tokens: Family::default(),
            cost: Family::default(),
            refusals: Family::default(),
            latency: Family::new_with_constructor(seconds_histogram),
            ttfb: Family::new_with_constructor(seconds_histogram),
            in_flight: Family::default(),
            account_state: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "requests",
            "Client requests answered",
            inner.requests.clone(),
        );
        registry.register(
            "tokens",
            "Tokens counted from answers",
            inner.tokens.clone(),
        );
        registry.register(
            "cost_usd",
            "Estimated cost from the price table",
            inner.cost.clone(),
        );
        registry.register(
            "refusals",
            "Requests the gateway refused itself, by reason (unknown routes, bad keys, address rules, rate limits, budgets, bodies over the limit)",
            inner.refusals.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from request to the answer's last byte",
            inner.latency.clone(),
        );
        registry.register(
            "time_to_first_byte_seconds",
            "Time from request to the answer's first byte",
            inner.ttfb.clone(),
        );
        registry.register(
            "account_in_flight",
            "Requests in flight per upstream account",
            inner.in_flight.clone(),
        );
        registry.register(
            "account_state",
            "1 for each upstream account's current state",
            inner.account_state.clone(),
        );
        let decided = decisions.map(|d| {
            [
                ("shared_admissions_leased", "Admissions handed out from a lease this node holds, with no round trip to Redis", &d.leased),
                ("shared_admissions_round_trips", "Admissions decided by a round trip to Redis (admitted or refused)", &d.round_trips),
            ]
        });
        for (name, help, counter) in decided.into_iter().flatten() {
            registry.register(name, help, counter.clone());
        }
        Self(Arc::new(Inner { registry, ..inner }))
    }

    /// Counts one finished client request.
    pub fn observe(&self, o: &Observation<'_>) {
        let m = &self.0;
        // An empty model name and none at all are one series (both read model="").
        let model = o.model.filter(|m| !m.is_empty()).cloned();
        let dialect = o.dialect;
        m.requests
            .get_or_create(&RequestLabels {
                dialect,
                model: model.clone(),
                status: o.status,
            })
            .inc();
        if let Some(failure) = o.error.filter(|f| f.is_refusal()) {
            let kind = failure.as_str();
            m.refusals.get_or_create(&KindLabels { kind }).inc();
        }
        let kinds = [
            ("input", o.tokens.input_tokens),
            ("output", o.tokens.output_tokens),
            ("cache_write", o.tokens.cache_creation_tokens),
            ("cache_read", o.tokens.cache_read_tokens),
        ];
        for (kind, n) in kinds.into_iter().filter(|(_, n)| *n > 0) {
            m.tokens
                .get_or_create(&TokenLabels {
                    dialect,
                    model: model.clone(),
                    kind,
                })
                .inc_by(n);
        }
        if o.cost_micros > 0 {
            m.cost
                .get_or_create(&ModelLabels { model })
                .inc_by(o.cost_micros as f64 / 1_000_000.0);
        }
        let labels = DialectLabels { dialect };
        m.latency
            .get_or_create(&labels)
            .observe(o.latency_ms as f64 / 1000.0);
        if let Some(ttfb) = o.ttfb_ms {
            m.ttfb.get_or_create(&labels).observe(ttfb as f64 / 1000.0);
        }
    }

    /// The text exposition, with the account gauges read from `snapshot` now.
    pub fn render(&self, snapshot: &Snapshot, now_ms: u64) -> String {
        let m = &self.0;
        m.in_flight.clear();
        m.account_state.clear();
        for account in &snapshot.accounts {
            m.in_flight
                .get_or_create(&AccountLabels {
                    account: account.id.clone(),
                    provider: account.provider.as_str(),
                })
                .set(i64::from(account.runtime.in_flight()));
            let current = account.state(now_ms);
            for s in AccountState::CURRENT {
                m.account_state
                    .get_or_create(&AccountStateLabels {
                        account: account.id.clone(),
                        state: s.as_str(),
                    })
                    .set(i64::from(s == current));
            }
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &m.registry);
        out
    }
}
