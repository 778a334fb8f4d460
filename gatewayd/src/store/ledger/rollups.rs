//! All-time totals per scope and the hourly and daily rollups with their latency
//! histograms: totals are added in SQL, rollups merged row by row (histograms merge in
//! Rust) inside the batch's transaction.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{Row, Sqlite, Transaction};

use super::{bind_counters, counter_columns, counters, Ledger, StoreError};
use crate::model::{UsageCounters, UsageScope};
use crate::rollup::{Grain, Latency, Rollup};

/// Adds a batch's counters to the totals.
pub(super) async fn add_totals(
    tx: &mut Transaction<'static, Sqlite>,
    batch: &HashMap<(UsageScope, Arc<str>), UsageCounters>,
) -> Result<(), StoreError> {
    for ((scope, id), add) in batch {
        let query = sqlx::query(concat!(
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
        ))
        .bind(scope.as_str())
        .bind(id.to_string());
        bind_counters(query, add).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Merges a batch of rollups into the stored buckets.
pub(super) async fn merge(
    tx: &mut Transaction<'static, Sqlite>,
    batch: &HashMap<(UsageScope, Arc<str>, Grain, u64), Rollup>,
) -> Result<(), StoreError> {
    for ((scope, id, grain, bucket), add) in batch {
        let stored = sqlx::query(concat!(
            "SELECT ",
            counter_columns!(),
            ", latency, ttfb FROM rollups \
             WHERE scope = $1 AND grain = $2 AND bucket = $3 AND id = $4"
        ))
        .bind(scope.as_str())
        .bind(grain.as_str())
        .bind(*bucket as i64)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
        let mut merged = match stored {
            Some(row) => rollup(&row)?,
            None => Rollup::default(),
        };
        merged.merge(add);
        let query = sqlx::query(concat!(
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
        ))
        .bind(scope.as_str())
        .bind(grain.as_str())
        .bind(*bucket as i64)
        .bind(id.to_string());
        bind_counters(query, &merged.counters)
            .bind(histogram_text(&merged.latency)?)
            .bind(histogram_text(&merged.ttfb)?)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn histogram_text(h: &Latency) -> Result<String, StoreError> {
    serde_json::to_string(h).map_err(StoreError::Encode)
}

fn rollup(row: &sqlx::sqlite::SqliteRow) -> Result<Rollup, StoreError> {
    let histogram = |column: &'static str| -> Result<Latency, StoreError> {
        let text: String = row.try_get(column)?;
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
        let rows = sqlx::query(concat!(
            "SELECT id, ",
            counter_columns!(),
            " FROM usage_totals WHERE scope = $1"
        ))
        .bind(scope.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, counters(row)?)))
            .collect()
    }

    /// Every group's rollup of `scope` summed over the buckets from `since_secs` on.
    pub async fn rollup_window(
        &self,
        scope: UsageScope,
        grain: Grain,
        since_secs: u64,
    ) -> Result<HashMap<String, Rollup>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT id, ",
            counter_columns!(),
            ", latency, ttfb FROM rollups WHERE scope = $1 AND grain = $2 AND bucket >= $3"
        ))
        .bind(scope.as_str())
        .bind(grain.as_str())
        .bind(grain.bucket(since_secs) as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut groups: HashMap<String, Rollup> = HashMap::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            groups.entry(id).or_default().merge(&rollup(row)?);
        }
        Ok(groups)
    }

    /// `scope`'s counters per bucket of `grain` from `since_secs` on, summed over its
    /// groups, oldest first (buckets with nothing counted are absent).
    pub async fn rollup_series(
        &self,
        scope: UsageScope,
        grain: Grain,
        since_secs: u64,
    ) -> Result<Vec<(u64, UsageCounters)>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT bucket, ",
            counter_columns!(),
            " FROM rollups WHERE scope = $1 AND grain = $2 AND bucket >= $3 ORDER BY bucket"
        ))
        .bind(scope.as_str())
        .bind(grain.as_str())
        .bind(grain.bucket(since_secs) as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut series: Vec<(u64, UsageCounters)> = Vec::new();
        for row in &rows {
            let bucket = row.try_get::<i64, _>("bucket")? as u64;
            let counted = counters(row)?;
            match series.last_mut() {
                Some((last, sum)) if *last == bucket => sum.add(&counted),
                _ => series.push((bucket, counted)),
            }
        }
        Ok(series)
    }

    /// Drops buckets of `grain` that start before `before_secs`.
    pub async fn prune_rollups(&self, grain: Grain, before_secs: u64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM rollups WHERE grain = $1 AND bucket < $2")
            .bind(grain.as_str())
            .bind(grain.bucket(before_secs) as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
