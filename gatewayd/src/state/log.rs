//! Reading the request log: tails for `log tail`, and windows summed per key, account
//! or model with latency percentiles for `stats`.

use std::collections::HashMap;

use super::{Gateway, OpError};
use crate::model::{RequestLogEntry, UsageCounters, UsageScope};
use crate::store::LogCursor;

/// Which entries a tail shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub key_id: Option<String>,
    pub account_id: Option<String>,
}

impl LogFilter {
    fn keeps(&self, e: &RequestLogEntry) -> bool {
        self.key_id
            .as_ref()
            .is_none_or(|k| e.key_id.as_ref() == Some(k))
            && self
                .account_id
                .as_ref()
                .is_none_or(|a| e.account_id.as_ref() == Some(a))
    }
}

/// Latency percentiles of a group, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latencies {
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub ttfb_p50: u64,
    pub ttfb_p99: u64,
}

/// One group of a window: totals and latencies.
#[derive(Debug, Clone, Default)]
pub struct WindowRow {
    pub counters: UsageCounters,
    pub latencies: Latencies,
}

impl Gateway {
    /// The newest `limit` entries passing `filter`, and a cursor to follow from.
    pub fn log_tail(
        &self,
        limit: usize,
        filter: &LogFilter,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), OpError> {
        Ok(self.inner.store.log_tail(limit, |e| filter.keeps(e))?)
    }

    /// Entries recorded after `cursor`.
    pub fn log_after(
        &self,
        cursor: &LogCursor,
        filter: &LogFilter,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), OpError> {
        Ok(self.inner.store.log_after(cursor, |e| filter.keeps(e))?)
    }

    /// Log entries since `since_ms`, grouped by `scope`.
    pub fn usage_window(
        &self,
        scope: UsageScope,
        since_ms: u64,
    ) -> Result<HashMap<String, WindowRow>, OpError> {
        let mut groups: HashMap<String, (UsageCounters, Vec<u64>, Vec<u64>)> = HashMap::new();
        for e in self.inner.store.log_since(since_ms)? {
            let id = match scope {
                UsageScope::Key => e.key_id.clone(),
                UsageScope::Account => e.account_id.clone(),
                UsageScope::Model => e.model.clone(),
            };
            let Some(id) = id else { continue };
            let (counters, latencies, ttfbs) = groups.entry(id).or_default();
            counters.requests += 1;
            counters.errors += u64::from(e.error.is_some());
            counters.tokens.add(&e.tokens);
            latencies.push(e.latency_ms);
            ttfbs.extend(e.ttfb_ms);
        }
        Ok(groups
            .into_iter()
            .map(|(id, (counters, mut latencies, mut ttfbs))| {
                latencies.sort_unstable();
                ttfbs.sort_unstable();
                let latencies = Latencies {
                    p50: percentile(&latencies, 50),
                    p95: percentile(&latencies, 95),
                    p99: percentile(&latencies, 99),
                    ttfb_p50: percentile(&ttfbs, 50),
                    ttfb_p99: percentile(&ttfbs, 99),
                };
                (
                    id,
                    WindowRow {
                        counters,
                        latencies,
                    },
                )
            })
            .collect())
    }
}

/// Nearest-rank percentile of sorted values; 0 for none.
fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), 50);
        assert_eq!(percentile(&v, 95), 95);
        assert_eq!(percentile(&v, 99), 99);
        assert_eq!(percentile(&[7], 99), 7);
        assert_eq!(percentile(&[], 50), 0);
        assert_eq!(percentile(&[10, 20, 30, 40], 50), 20);
    }
}
