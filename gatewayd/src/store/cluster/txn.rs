//! One write to the cluster's record: a transaction that first takes the next change
//! number (and with it the lock every writer queues on), reads and writes rows, announces
//! the change and commits; this node applies it before the caller goes on.

use sqlx::{Postgres, Transaction};

use super::{pg, Cluster, CHANNEL};
use crate::store::StoreError;

type Tx = Transaction<'static, Postgres>;

/// An open write; dropped without [`Txn::commit`], it is rolled back.
pub struct Txn<'c> {
    cluster: &'c std::sync::Arc<Cluster>,
    tx: Option<Tx>,
    /// This change's number.
    pub version: i64,
}

impl Cluster {
    /// Opens a write, waiting for earlier writers on any node to commit.
    pub fn begin(self: &std::sync::Arc<Self>) -> Result<Txn<'_>, StoreError> {
        let pool = self.pool.clone();
        let (tx, version) = self.call(async move {
            let mut tx = pool.begin().await.map_err(pg)?;
            let (version,): (i64,) = sqlx::query_as(
                "UPDATE gateway_meta SET value = value + 1 WHERE name = 'version' RETURNING value",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(pg)?;
            Ok::<_, StoreError>((tx, version))
        })??;
        Ok(Txn {
            cluster: self,
            tx: Some(tx),
            version,
        })
    }
}

impl Txn<'_> {
    /// Runs one step on the open transaction.
    fn step<T, F, Fut>(&mut self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Tx) -> Fut,
        Fut: std::future::Future<Output = (Tx, Result<T, sqlx::Error>)> + Send + 'static,
    {
        let tx = self
            .tx
            .take()
            .ok_or(StoreError::ClusterTimeout(super::CALL_TIMEOUT))?;
        let (tx, out) = self.cluster.call(f(tx))?;
        self.tx = Some(tx);
        out.map_err(pg)
    }

    /// A row's value (`None`: absent or deleted).
    pub fn get(&mut self, tree: &'static str, id: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let id = id.to_vec();
        self.step(|mut tx| async move {
            let row: Result<Option<(Option<Vec<u8>>,)>, _> =
                sqlx::query_as("SELECT value FROM gateway_records WHERE tree = $1 AND id = $2")
                    .bind(tree)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await;
            (tx, row.map(|r| r.and_then(|(v,)| v)))
        })
    }

    /// The live row with the greatest id.
    pub fn last(&mut self, tree: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
        self.step(|mut tx| async move {
            let row: Result<Option<(Vec<u8>,)>, _> = sqlx::query_as(
                "SELECT value FROM gateway_records WHERE tree = $1 AND value IS NOT NULL ORDER BY id DESC LIMIT 1",
            )
            .bind(tree)
            .fetch_optional(&mut *tx)
            .await;
            (tx, row.map(|r| r.map(|(v,)| v)))
        })
    }

    /// The ids of live rows starting with `prefix`, in order.
    pub fn ids(&mut self, tree: &'static str, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        let prefix = prefix.to_vec();
        self.step(|mut tx| async move {
            let rows: Result<Vec<(Vec<u8>,)>, _> = sqlx::query_as(
                "SELECT id FROM gateway_records WHERE tree = $1 AND value IS NOT NULL AND substring(id FROM 1 FOR length($2)) = $2 ORDER BY id",
            )
            .bind(tree)
            .bind(prefix)
            .fetch_all(&mut *tx)
            .await;
            (tx, rows.map(|r| r.into_iter().map(|(id,)| id).collect()))
        })
    }

    /// Writes a row (`None`: deletes it).
    pub fn put(
        &mut self,
        tree: &'static str,
        id: &[u8],
        value: Option<Vec<u8>>,
    ) -> Result<(), StoreError> {
        let (id, version) = (id.to_vec(), self.version);
        self.step(|mut tx| async move {
            let done = upsert(&mut tx, tree, &id, value.as_deref(), version).await;
            (tx, done)
        })
    }

    /// Announces and commits the change, then applies it here.
    pub fn commit(mut self) -> Result<(), StoreError> {
        let tx = self
            .tx
            .take()
            .ok_or(StoreError::ClusterTimeout(super::CALL_TIMEOUT))?;
        let version = self.version;
        self.cluster.call(async move {
            let mut tx = tx;
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(version.to_string())
                .execute(&mut *tx)
                .await
                .map_err(pg)?;
            tx.commit().await.map_err(pg)
        })??;
        self.cluster.catch_up()
    }
}

impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            self.cluster.runtime.spawn(async move {
                let _ = tx.rollback().await;
            });
        }
    }
}

/// Inserts or replaces one row under change number `version`.
pub(super) async fn upsert(
    tx: &mut Tx,
    tree: &str,
    id: &[u8],
    value: Option<&[u8]>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO gateway_records (tree, id, value, version) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tree, id) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version, changed_at = now()",
    )
    .bind(tree)
    .bind(id)
    .bind(value)
    .bind(version)
    .execute(&mut **tx)
    .await
    .map(drop)
}
