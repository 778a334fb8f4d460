//! A lock held across the cluster (a PostgreSQL advisory lock on a connection of its
//! own), for work one node at a time may do: refreshing an OAuth account, whose rotated
//! refresh token may be used once only. The lock lives with the record the new token
//! goes to, so a node that cannot reach PostgreSQL does not refresh (and never loses a
//! rotated token it could not store).

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::Postgres;

use super::{pg, Cluster};
use crate::store::StoreError;

/// How often a taken lock is tried again.
const RETRY: Duration = Duration::from_millis(25);

/// Held until dropped.
pub struct ClusterLock {
    conn: Option<PoolConnection<Postgres>>,
    id: i64,
    runtime: tokio::runtime::Handle,
}

/// The advisory lock's number for `name`.
fn lock_id(name: &str) -> i64 {
    let digest = Sha256::digest(format!("gatewayd/lock/{name}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

impl Cluster {
    /// Takes the cluster-wide lock `name`, waiting at most `within` for another node to
    /// give it up.
    pub async fn lock(&self, name: &str, within: Duration) -> Result<ClusterLock, StoreError> {
        let (pool, id) = (self.pool.clone(), lock_id(name));
        let taking = self.runtime.spawn(async move {
            let mut conn = pool.acquire().await.map_err(pg)?;
            let deadline = tokio::time::Instant::now() + within;
            loop {
                let (taken,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(pg)?;
                if taken {
                    return Ok(conn);
                }
                if tokio::time::Instant::now() >= deadline {
                    return Err(StoreError::ClusterTimeout(within));
                }
                tokio::time::sleep(RETRY).await;
            }
        });
        let conn = taking
            .await
            .map_err(|_| StoreError::ClusterTimeout(within))??;
        Ok(ClusterLock {
            conn: Some(conn),
            id,
            runtime: self.runtime.clone(),
        })
    }
}

impl Drop for ClusterLock {
    fn drop(&mut self) {
        let (Some(mut conn), id) = (self.conn.take(), self.id) else {
            return;
        };
        self.runtime.spawn(async move {
            if sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(id)
                .execute(&mut *conn)
                .await
                .is_err()
            {
                // The session may still hold it: close it rather than pool it.
                let _ = conn.detach();
            }
        });
    }
}
