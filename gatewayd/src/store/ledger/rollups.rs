//! All-time totals per scope and the hourly and daily rollups with their latency
//! histograms: totals are added in SQL, rollups merged row by row (histograms merge in
//! Rust) inside the batch's transaction.

use std::collections::HashMap;
use std::sync::Arc;

use super::engine::{bind_counters, on_pool, on_tx, Cells, Tx};
use super::{counter_columns, counters, Ledger, StoreError};
use crate::model::{UsageCounters, UsageScope};
use crate::rollup::{Grain, Latency, Rollup};
use crate::store::Tally;

/// Adds a batch's counters to the totals.
pub(super) async fn add_totals(
    tx: &mut Tx,
    batch: &Tally<(UsageScope, Arc<str>), UsageCounters>,
) -> Result<(), StoreError> {
    for ((scope, id), add) in batch {
        let sql = concat!(
            "INSERT INTO usage_totals (scope, id, ",
            counter_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (scope, id) DO UPDATE SET \
             requests = usage_totals.requests + excluded.requests, \
             errors = usage_totals.errors + excluded.errors, \
             input_tokens = usage_totals.input_tokens + excluded.input_tokens, \
             output_tokens = usage_totals.output_tokens + excluded.output_tokens, \
             cache_creation_tokens = usage_totals.cache_creation_tokens + excluded.cache_creation_tokens, \
             cache_read_tokens = usage_totals.cache_read_tokens + excluded.cache_read_tokens, \
             thoughts_tokens = usage_totals.thoughts_tokens + excluded.thoughts_tokens, \
             cost_micros = usage_totals.cost_micros + excluded.cost_micros"
        );
        on_tx!(tx, t => {
            let query = sqlx::query(sql).bind(scope.as_str()).bind(id.to_string());
            bind_counters!(query, add).execute(&mut **t).await.map(drop)
        })?;
    }
    Ok(())
}

/// Merges a batch of rollups into the stored buckets.
pub(super) async fn merge(
    tx: &mut Tx,
    batch: &Tally<(UsageScope, Arc<str>, Grain, u64), Rollup>,
) -> Result<(), StoreError> {
    for ((scope, id, grain, bucket), add) in batch {
        let select = concat!(
            "SELECT ",
            counter_columns!(),
            ", latency, ttfb FROM rollups \
             WHERE scope = $1 AND grain = $2 AND bucket = $3 AND id = $4"
        );
        let stored = on_tx!(tx, t => {
            let row = sqlx::query(select)
                .bind(scope.as_str())
                .bind(grain.as_str())
                .bind(*bucket as i64)
                .bind(id.to_string())
                .fetch_optional(&mut **t)
                .await?;
            row.as_ref().map(rollup).transpose()
        })?;
        let mut merged = stored.unwrap_or_default();
        merged.merge(add);
        let (latency, ttfb) = (
            histogram_text(&merged.latency)?,
            histogram_text(&merged.ttfb)?,
        );
        let upsert = concat!(
            "INSERT INTO rollups (scope, grain, bucket, id, ",
            counter_columns!(),
            ", latency, ttfb) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (scope, grain, bucket, id) DO UPDATE SET \
             requests = excluded.requests, errors = excluded.errors, \
             input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, \
             cache_creation_tokens = excluded.cache_creation_tokens, \
             cache_read_tokens = excluded.cache_read_tokens, \
             thoughts_tokens = excluded.thoughts_tokens, cost_micros = excluded.cost_micros, \
             latency = excluded.latency, ttfb = excluded.ttfb"
        );
        on_tx!(tx, t => {
            let query = sqlx::query(upsert)
                .bind(scope.as_str())
                .bind(grain.as_str())
                .bind(*bucket as i64)
                .bind(id.to_string());
            bind_counters!(query, &merged.counters)
                .bind(latency.clone())
                .bind(ttfb.clone())
                .execute(&mut **t)
                .await
                .map(drop)
        })?;
    }
    Ok(())
}

fn histogram_text(h: &Latency) -> Result<String, StoreError> {
    serde_json::to_string(h).map_err(StoreError::Encode)
}

fn rollup(row: &impl Cells) -> Result<Rollup, StoreError> {
    let histogram = |column: &'static str| -> Result<Latency, StoreError> {
        let text = row.text(column)?;
        serde_json::from_str(&text).map_err(|source| StoreError::Corrupt {
            tree: "rollups",
            key: column.to_owned(),
            source,
        })
    };
    Ok(Rollup {
        counters: counters(row)?,
        latency: histogram("latency")?,
        ttfb: histogram("ttfb")?,
    })
}

impl Ledger {
    /// Every group's all-time totals of `scope`.
    pub async fn totals(
        &self,
        scope: UsageScope,
    ) -> Result<Vec<(String, UsageCounters)>, StoreError> {
        let sql = concat!(
            "SELECT id, ",
            counter_columns!(),
            " FROM usage_totals WHERE scope = $1"
        );
        Ok(on_pool!(&self.pool, p => {
            let rows = sqlx::query(sql).bind(scope.as_str()).fetch_all(p).await?;
            rows.iter()
                .map(|row| Ok((row.text("id")?, counters(row)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?)
    }

    /// Every group's rollup of `scope` summed over the buckets from `since_secs` on.
    pub async fn rollup_window(
        &self,
        scope: UsageScope,
        grain: Grain,
        since_secs: u64,
    ) -> Result<HashMap<String, Rollup>, StoreError> {
        let sql = concat!(
            "SELECT id, ",
            counter_columns!(),
            ", latency, ttfb FROM rollups WHERE scope = $1 AND grain = $2 AND bucket >= $3"
        );
        let since = grain.bucket(since_secs) as i64;
        on_pool!(&self.pool, p => {
            let rows = sqlx::query(sql)
                .bind(scope.as_str())
                .bind(grain.as_str())
                .bind(since)
                .fetch_all(p)
                .await?;
            let mut groups: HashMap<String, Rollup> = HashMap::new();
            for row in &rows {
                groups.entry(row.text("id")?).or_default().merge(&rollup(row)?);
            }
            Ok(groups)
        })
    }

    /// `scope`'s counters per bucket of `grain` from `since_secs` on, summed over its
    /// groups, oldest first (buckets with nothing counted are absent).
    pub async fn rollup_series(
        &self,
        scope: UsageScope,
        grain: Grain,
        since_secs: u64,
    ) -> Result<Vec<(u64, UsageCounters)>, StoreError> {
        let sql = concat!(
            "SELECT bucket, ",
            counter_columns!(),
            " FROM rollups WHERE scope = $1 AND grain = $2 AND bucket >= $3 ORDER BY bucket"
        );
        let since = grain.bucket(since_secs) as i64;
        let rows = on_pool!(&self.pool, p => {
            let rows = sqlx::query(sql)
                .bind(scope.as_str())
                .bind(grain.as_str())
                .bind(since)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|row| Ok((row.int("bucket")? as u64, counters(row)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        let mut series: Vec<(u64, UsageCounters)> = Vec::new();
        for (bucket, counted) in rows {
            match series.last_mut() {
                Some((last, sum)) if *last == bucket => sum.add(&counted),
                _ => series.push((bucket, counted)),
            }
        }
        Ok(series)
    }

    /// Drops buckets of `grain` that start before `before_secs`.
    pub async fn prune_rollups(&self, grain: Grain, before_secs: u64) -> Result<(), StoreError> {
        let (sql, before) = (
            "DELETE FROM rollups WHERE grain = $1 AND bucket < $2",
            grain.bucket(before_secs) as i64,
        );
        on_pool!(&self.pool, p => {
            sqlx::query(sql).bind(grain.as_str()).bind(before).execute(p).await.map(drop)
        })?;
        Ok(())
    }
}
