//! Test helpers for the ledger: request log entries and batches of them.

use crate::model::RequestLogEntry;
use crate::store::UsageDelta;

/// A request log entry at `at_ms` for key `key` (its id is `r<at_ms>`).
pub fn entry(at_ms: u64, key: &str) -> RequestLogEntry {
    RequestLogEntry {
        at_ms,
        key_id: Some(key.to_owned()),
        account_id: Some("acc".to_owned()),
        dialect: "anthropic".to_owned(),
        model: Some("claude-x".to_owned()),
        stream: true,
        status: 200,
        error: None,
        attempts: 1,
        ttfb_ms: Some(5),
        latency_ms: 9,
        tokens: crate::model::TokenUsage {
            input_tokens: 3,
            output_tokens: 4,
            ..Default::default()
        },
        client_ip: "127.0.0.1".to_owned(),
        user_agent: "test".to_owned(),
        request_id: format!("r{at_ms}"),
        cost_micros: 7,
    }
}

/// A batch of only log entries, at times `at_ms`.
pub fn batch(at_ms: impl IntoIterator<Item = u64>) -> UsageDelta {
    UsageDelta {
        log: at_ms.into_iter().map(|at| entry(at, "k")).collect(),
        ..UsageDelta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::batch;
    use crate::store::{Ledger, LogQuery, UsageMarks};

    async fn ledger_with(dir: &std::path::Path, at_ms: std::ops::Range<u64>) -> Ledger {
        let ledger = Ledger::open(dir).await.unwrap();
        ledger
            .write(&batch(at_ms), &UsageMarks::default())
            .await
            .unwrap();
        ledger
    }

    fn times(tail: &[crate::model::RequestLogEntry]) -> Vec<u64> {
        tail.iter().map(|e| e.at_ms).collect()
    }

    #[tokio::test]
    async fn the_count_prune_keeps_exactly_the_newest_cap() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger_with(dir.path(), 1..4_502).await;
        assert_eq!(
            ledger.prune_log_count(4_501).await.unwrap(),
            0,
            "at the cap"
        );
        // 4,501 entries, cap 10: three chunks of at most 2,000 rows.
        assert_eq!(ledger.prune_log_count(10).await.unwrap(), 4_491);
        let (tail, _) = ledger.log_tail(100, &LogQuery::default()).await.unwrap();
        assert_eq!(times(&tail), (4_492..4_502).collect::<Vec<_>>());
        assert_eq!(ledger.prune_log_count(0).await.unwrap(), 10);
        assert_eq!(ledger.prune_log_count(0).await.unwrap(), 0, "empty");
    }

    /// Handing the page caches' memory back leaves no heap limit standing (the next burst
    /// caches again, at full speed) and loses no row.
    #[tokio::test]
    async fn releasing_cache_memory_lifts_its_limit_and_keeps_every_row() {
        let dir = tempfile::tempdir().unwrap();
        // 85 rows: one INSERT of each size, 64 + 16 + 4 + 1.
        let ledger = ledger_with(dir.path(), 0..85).await;
        ledger.release_cache_memory().await.unwrap();
        let pool = ledger.sqlite().unwrap();
        let limit: i64 = sqlx::query_scalar("PRAGMA soft_heap_limit")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(limit, 0, "no limit left behind");
        let (tail, _) = ledger.log_tail(100, &LogQuery::default()).await.unwrap();
        assert_eq!(times(&tail), (0..85).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn the_age_prune_keeps_an_entry_at_the_cutoff() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger_with(dir.path(), 100..105).await;
        assert_eq!(ledger.prune_log_age(102).await.unwrap(), 2);
        let (tail, _) = ledger.log_tail(100, &LogQuery::default()).await.unwrap();
        assert_eq!(times(&tail), [102, 103, 104]);
    }
}

#[cfg(test)]
mod rollup_tests {
    use std::sync::Arc;

    use crate::model::UsageScope;
    use crate::rollup::{Grain, Rollup};
    use crate::store::{Ledger, UsageDelta, UsageMarks};

    /// Minute rollups are the finest and the most numerous: they are pruned on their own
    /// schedule and the coarser ones of the same time stay.
    #[tokio::test]
    async fn minute_rollups_are_pruned_and_coarser_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path()).await.unwrap();
        let mut delta = UsageDelta::default();
        let id: Arc<str> = Arc::from("key_1");
        for (grain, at) in [
            (Grain::Minute, 60),
            (Grain::Minute, 7_200),
            (Grain::Hour, 0),
        ] {
            let mut rollup = Rollup::default();
            rollup.counters.requests = 1;
            let key = (UsageScope::Key, Arc::clone(&id), grain, grain.bucket(at));
            delta.rollups.insert(key, rollup);
        }
        ledger.write(&delta, &UsageMarks::default()).await.unwrap();
        ledger.prune_rollups(Grain::Minute, 3_600).await.unwrap();
        let minutes = ledger
            .rollup_window(UsageScope::Key, Grain::Minute, 0)
            .await
            .unwrap();
        assert_eq!(
            minutes["key_1"].counters.requests, 1,
            "only the recent minute"
        );
        let hours = ledger
            .rollup_window(UsageScope::Key, Grain::Hour, 0)
            .await
            .unwrap();
        assert_eq!(hours["key_1"].counters.requests, 1, "the hour stays");
    }
}
