//! Each key's last use and each account's quota count, replaced with every batch that
//! moves them (so sled's records are not rewritten once a second).

use sqlx::{Row, Sqlite, Transaction};

use super::{Ledger, StoreError, UsageMarks};
use crate::model::Quota;

/// Stores the marks a batch moved, as absolute values.
pub(super) async fn put(
    tx: &mut Transaction<'static, Sqlite>,
    marks: &UsageMarks,
) -> Result<(), StoreError> {
    for (key, at) in &marks.last_used {
        sqlx::query(
            "INSERT INTO key_marks (key_id, last_used) VALUES ($1, $2) \
             ON CONFLICT (key_id) DO UPDATE SET last_used = excluded.last_used",
        )
        .bind(key)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    for (account, quota) in &marks.quota {
        sqlx::query(
            "INSERT INTO account_quota (account_id, used, reset_time) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET \
             used = excluded.used, reset_time = excluded.reset_time",
        )
        .bind(account)
        .bind(quota.used as i64)
        .bind(quota.reset_time)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Ledger {
    /// Every stored mark.
    pub async fn marks(&self) -> Result<UsageMarks, StoreError> {
        let mut marks = UsageMarks::default();
        for row in sqlx::query("SELECT key_id, last_used FROM key_marks")
            .fetch_all(&self.pool)
            .await?
        {
            marks
                .last_used
                .insert(row.try_get("key_id")?, row.try_get("last_used")?);
        }
        for row in sqlx::query("SELECT account_id, used, reset_time FROM account_quota")
            .fetch_all(&self.pool)
            .await?
        {
            let quota = Quota {
                used: row.try_get::<i64, _>("used")?.max(0) as u64,
                reset_time: row.try_get("reset_time")?,
            };
            marks.quota.insert(row.try_get("account_id")?, quota);
        }
        Ok(marks)
    }
}
