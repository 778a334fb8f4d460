//! The one-time move of an older data directory's usage (totals, request log, rollups)
//! from sled into the ledger. The move and its mark commit together, so a crash halfway
//! leaves the sled trees to be moved again from scratch, and a crash after it only has
//! the trees cleared again.

use std::sync::Arc;

use super::{requests, rollups, Ledger, StoreError};
use crate::store::{Store, UsageDelta};

const IMPORTED: &str = "imported_from_sled";

impl Ledger {
    /// Moves the legacy sled usage into the ledger, once. Returns the request log entries
    /// moved, or `None` when there was nothing to move.
    pub async fn import_legacy(&self, store: &Store) -> Result<Option<usize>, StoreError> {
        if !store.has_legacy_usage() {
            return Ok(None);
        }
        let Some(pool) = self.sqlite() else {
            return Ok(None); // a cluster's ledger starts on PostgreSQL
        };
        let done: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE name = $1")
            .bind(IMPORTED)
            .fetch_optional(pool)
            .await?;
        if done.is_some() {
            store.clear_legacy_usage()?;
            return Ok(None);
        }
        let mut delta = UsageDelta::default();
        for (scope, id, counters) in store.legacy_totals()? {
            delta.counters.insert((scope, Arc::from(id)), counters);
        }
        for (scope, grain, bucket, id, rollup) in store.legacy_rollups()? {
            delta
                .rollups
                .insert((scope, Arc::from(id), grain, bucket), rollup);
        }
        let mut batches = Vec::new();
        store.legacy_log(|batch| batches.push(batch))?;
        let mut tx = super::Tx::Sqlite(pool.begin().await?);
        rollups::add_totals(&mut tx, &delta.counters).await?;
        rollups::merge(&mut tx, &delta.rollups).await?;
        let mut moved = 0;
        for batch in &batches {
            requests::append(&mut tx, batch).await?;
            moved += batch.len();
        }
        let super::Tx::Sqlite(mut tx) = tx else {
            unreachable!("opened on SQLite above")
        };
        sqlx::query("INSERT INTO meta (name, value) VALUES ($1, $2)")
            .bind(IMPORTED)
            .bind(crate::clock::Clock::system().now_millis().to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        store.clear_legacy_usage()?;
        Ok(Some(moved))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::entry;
    use super::*;
    use crate::model::{UsageCounters, UsageScope};
    use crate::rollup::{Grain, Rollup};
    use crate::store::{LogQuery, UsageMarks};

    /// Writes the three trees in the form the sled-only releases left them.
    fn legacy_dir(dir: &std::path::Path) -> Store {
        let store = Store::open(dir).unwrap();
        let counters = UsageCounters {
            requests: 3,
            errors: 1,
            ..Default::default()
        };
        store
            .usage
            .insert(b"key\0k1", serde_json::to_vec(&counters).unwrap())
            .unwrap();
        let mut rollup = Rollup {
            counters,
            ..Default::default()
        };
        rollup.latency.record(40);
        store
            .rollups
            .insert(
                format!("key\0h\0{:020}\0k1", 7_200).as_bytes(),
                serde_json::to_vec(&rollup).unwrap(),
            )
            .unwrap();
        // The oldest form (one entry per 16-byte key), then a batch.
        let mut one = [0u8; 16];
        one[7] = 1;
        store
            .requests
            .insert(one, serde_json::to_vec(&entry(1, "k1")).unwrap())
            .unwrap();
        let mut batch_key = [0u8; 20];
        batch_key[7] = 2;
        batch_key[19] = 2;
        let batch = vec![entry(2, "k1"), entry(3, "k2")];
        store
            .requests
            .insert(batch_key, serde_json::to_vec(&batch).unwrap())
            .unwrap();
        store
    }

    #[tokio::test]
    async fn an_old_data_dir_moves_into_the_ledger_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = legacy_dir(dir.path());
        let ledger = Ledger::open(dir.path()).await.unwrap();
        assert_eq!(ledger.import_legacy(&store).await.unwrap(), Some(3));
        assert!(!store.has_legacy_usage());
        assert_eq!(ledger.import_legacy(&store).await.unwrap(), None);

        let totals = ledger.totals(UsageScope::Key).await.unwrap();
        assert_eq!(totals.len(), 1);
        assert_eq!((totals[0].1.requests, totals[0].1.errors), (3, 1));
        let window = ledger
            .rollup_window(UsageScope::Key, Grain::Hour, 7_200)
            .await
            .unwrap();
        assert_eq!(window["k1"].latency.quantile(0.5), 40);

        let all = LogQuery::default();
        let (tail, cursor) = ledger.log_tail(10, &all).await.unwrap();
        let ids: Vec<_> = tail.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!(ids, ["r1", "r2", "r3"]);
        assert_eq!(tail[2], entry(3, "k2"));
        let only_k2 = LogQuery {
            key_id: Some("k2"),
            ..LogQuery::default()
        };
        let (tail, _) = ledger.log_tail(10, &only_k2).await.unwrap();
        assert_eq!(tail.len(), 1);
        let only_r2 = LogQuery {
            request_id: Some("r2"),
            ..LogQuery::default()
        };
        let (tail, _) = ledger.log_tail(10, &only_r2).await.unwrap();
        assert_eq!(tail.len(), 1);
        assert_eq!(tail[0].request_id, "r2");
        let (after, same) = ledger.log_after(cursor, 10, &all).await.unwrap();
        assert!(after.is_empty());
        assert_eq!(same, cursor);
    }

    #[tokio::test]
    async fn pruning_keeps_the_newest_entries_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path()).await.unwrap();
        let (vacuum, journal): (i64, String) =
            sqlx::query_as("SELECT * FROM pragma_auto_vacuum, pragma_journal_mode")
                .fetch_one(ledger.sqlite().unwrap())
                .await
                .unwrap();
        assert_eq!(
            (vacuum, journal.as_str()),
            (2, "wal"),
            "incremental, write-ahead"
        );
        let delta = UsageDelta {
            log: (1..=10).map(|at| entry(at, "k")).collect(),
            ..Default::default()
        };
        ledger.write(&delta, &UsageMarks::default()).await.unwrap();
        assert_eq!(ledger.prune_log_count(4).await.unwrap(), 6);
        assert_eq!(ledger.prune_log_count(4).await.unwrap(), 0);
        let (tail, cursor) = ledger.log_tail(100, &LogQuery::default()).await.unwrap();
        let at: Vec<u64> = tail.iter().map(|e| e.at_ms).collect();
        assert_eq!(at, [7, 8, 9, 10]);
        // By age: everything that arrived before 9 goes.
        assert_eq!(ledger.prune_log_age(9).await.unwrap(), 2);
        ledger.write(&delta, &UsageMarks::default()).await.unwrap();
        let (after, next) = ledger
            .log_after(cursor, 3, &LogQuery::default())
            .await
            .unwrap();
        assert_eq!(after.len(), 3);
        let (rest, _) = ledger
            .log_after(next, 100, &LogQuery::default())
            .await
            .unwrap();
        assert_eq!(rest.len(), 7);
    }
}
