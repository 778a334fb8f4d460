//! Each key's last use and each account's quota count, replaced with every batch that
//! moves them (so sled's records are not rewritten once a second).

use super::engine::{on_pool, on_tx, Cells, Tx};
use super::{Ledger, StoreError, UsageMarks};
use crate::model::Quota;

/// Stores the marks a batch moved, as absolute values.
pub(super) async fn put(tx: &mut Tx, marks: &UsageMarks) -> Result<(), StoreError> {
    // The latest use wins, whichever node saw it.
    let last_used = "INSERT INTO key_marks (key_id, last_used) VALUES ($1, $2) \
         ON CONFLICT (key_id) DO UPDATE SET last_used = CASE \
         WHEN excluded.last_used > key_marks.last_used THEN excluded.last_used \
         ELSE key_marks.last_used END";
    for (key, at) in &marks.last_used {
        on_tx!(tx, t => sqlx::query(last_used).bind(key).bind(at).execute(&mut **t).await.map(drop))?;
    }
    let quota_sql = "INSERT INTO account_quota (account_id, used, reset_time) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET \
         used = excluded.used, reset_time = excluded.reset_time";
    for (account, quota) in &marks.quota {
        on_tx!(tx, t => {
            sqlx::query(quota_sql)
                .bind(account)
                .bind(quota.used as i64)
                .bind(quota.reset_time)
                .execute(&mut **t)
                .await
                .map(drop)
        })?;
    }
    Ok(())
}

impl Ledger {
    /// Every stored mark.
    pub async fn marks(&self) -> Result<UsageMarks, StoreError> {
        let mut marks = UsageMarks::default();
        on_pool!(&self.pool, p => {
            for row in sqlx::query("SELECT key_id, last_used FROM key_marks")
                .fetch_all(p)
                .await?
            {
                marks.last_used.insert(row.text("key_id")?, row.int("last_used")?);
            }
            for row in sqlx::query("SELECT account_id, used, reset_time FROM account_quota")
                .fetch_all(p)
                .await?
            {
                let quota = Quota {
                    used: row.int("used")?.max(0) as u64,
                    reset_time: row.int_opt("reset_time")?,
                };
                marks.quota.insert(row.text("account_id")?, quota);
            }
        });
        Ok(marks)
    }
}
