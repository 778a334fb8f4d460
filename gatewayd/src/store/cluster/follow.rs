//! Keeping this node's trees a copy of the cluster's record: the first sync (seeding an
//! empty cluster from a single node's data, or reloading whole), then every numbered
//! change in order, woken by `NOTIFY` and by a poll.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::Row;

use super::{pg, Cluster, CHANNEL, TREES};
use crate::store::StoreError;

/// A missed notification is caught by this poll.
const POLL: Duration = Duration::from_millis(500);
/// Deletions are kept this long for nodes that were away; a node away longer reloads whole.
const TOMBSTONE_HOURS: i32 = 24;
/// How often old deletions are purged.
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// The schema's migrations, run once by whichever node starts first (sqlx takes an
/// advisory lock around them).
fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    use sqlx::SqlSafeStr;
    let migration = |version, name: &'static str, sql: &'static str| {
        Migration::new(
            version,
            name.into(),
            MigrationType::Simple,
            sql.into_sql_str(),
            false,
        )
    };
    Migrator::with_migrations(vec![
        migration(
            1,
            "records",
            include_str!("../../../migrations/postgres/0001_records.sql"),
        ),
        migration(
            2,
            "nodes",
            include_str!("../../../migrations/postgres/0002_nodes.sql"),
        ),
        migration(
            3,
            "ledger",
            include_str!("../../../migrations/postgres/0003_ledger.sql"),
        ),
    ])
}

/// This node's copy: the replicated trees and its position in the change sequence.
pub(super) struct Local {
    trees: Vec<(&'static str, sled::Tree)>,
    position: sled::Tree,
    db: sled::Db,
}

impl Local {
    pub(super) fn open(db: &sled::Db) -> Result<Self, StoreError> {
        Ok(Self {
            trees: TREES
                .iter()
                .map(|name| Ok((*name, db.open_tree(name)?)))
                .collect::<Result<_, StoreError>>()?,
            position: db.open_tree("cluster")?,
            db: db.clone(),
        })
    }

    /// The last change applied here (0: never synced).
    pub(super) fn position(&self) -> Result<i64, StoreError> {
        Ok(self
            .position
            .get("applied")?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, i64::from_be_bytes))
    }

    /// Records the position once what it covers is on disk.
    fn set_position(&self, version: i64) -> Result<(), StoreError> {
        self.db.flush()?;
        self.position.insert("applied", &version.to_be_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    fn tree(&self, name: &str) -> Option<&sled::Tree> {
        self.trees.iter().find(|(n, _)| *n == name).map(|(_, t)| t)
    }

    fn apply(&self, tree: &str, id: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        let Some(tree) = self.tree(tree) else {
            return Ok(());
        };
        match value {
            Some(value) => tree.insert(id, value)?,
            None => tree.remove(id)?,
        };
        Ok(())
    }

    /// Whether this node holds records of its own (keys, accounts or audit entries).
    fn has_records(&self) -> bool {
        ["keys", "accounts", "audit"]
            .iter()
            .any(|name| self.tree(name).is_some_and(|t| !t.is_empty()))
    }
}

impl Cluster {
    /// Migrates, then brings this node in line with the record.
    pub(super) async fn start(&self) -> Result<(), StoreError> {
        migrator().run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => StoreError::Cluster(e),
            other => StoreError::ClusterSchema(other.to_string()),
        })?;
        let (version, purged) = self.meta().await?;
        let position = self.local.position()?;
        if version == 0 && position == 0 && self.local.has_records() {
            return self.seed().await;
        }
        if position == 0 && self.local.has_records() {
            return Err(StoreError::ClusterConfig(
                "this data directory holds a gateway that has never been part of this cluster, and the cluster already has records; start this node on an empty data directory (its keys and accounts can be exported with a backup and added through any node)".to_owned(),
            ));
        }
        if position < purged || position > version {
            return self.reload().await;
        }
        self.catch_up_now().await.map(drop)
    }

    async fn meta(&self) -> Result<(i64, i64), StoreError> {
        let rows = sqlx::query("SELECT name, value FROM gateway_meta")
            .fetch_all(&self.pool)
            .await
            .map_err(pg)?;
        let value = |name: &str| {
            rows.iter()
                .find(|r| r.get::<&str, _>(0) == name)
                .map_or(0, |r| r.get::<i64, _>(1))
        };
        Ok((value("version"), value("purged_through")))
    }

    /// Applies every change after this node's position; the number applied.
    pub(super) async fn catch_up_now(&self) -> Result<usize, StoreError> {
        let _one = self.applying.lock().await;
        let position = self.local.position()?;
        let (_, purged) = self.meta().await?;
        if position < purged {
            drop(_one);
            self.reload().await?;
            return Ok(1);
        }
        let rows = sqlx::query(
            "SELECT tree, id, value, version FROM gateway_records WHERE version > $1 ORDER BY version",
        )
        .bind(position)
        .fetch_all(&self.pool)
        .await.map_err(pg)?;
        let Some(last) = rows.last().map(|r| r.get::<i64, _>(3)) else {
            return Ok(0);
        };
        for row in &rows {
            self.local
                .apply(row.get(0), row.get(1), row.get::<Option<&[u8]>, _>(2))?;
        }
        self.local.set_position(last)?;
        self.changed.send_replace(last);
        Ok(rows.len())
    }

    /// Replaces the local trees with the record as it is (a node too far behind, or a
    /// record restored to an earlier state).
    async fn reload(&self) -> Result<(), StoreError> {
        let _one = self.applying.lock().await;
        let mut tx = self.pool.begin().await.map_err(pg)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await
            .map_err(pg)?;
        let (version,): (i64,) =
            sqlx::query_as("SELECT value FROM gateway_meta WHERE name = 'version'")
                .fetch_one(&mut *tx)
                .await
                .map_err(pg)?;
        let rows =
            sqlx::query("SELECT tree, id, value FROM gateway_records WHERE value IS NOT NULL")
                .fetch_all(&mut *tx)
                .await
                .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        for (_, tree) in &self.local.trees {
            tree.clear()?;
        }
        for row in &rows {
            self.local.apply(row.get(0), row.get(1), row.get(2))?;
        }
        self.local.set_position(version)?;
        self.changed.send_replace(version);
        tracing::info!(
            records = rows.len(),
            version,
            "reloaded this node's snapshot from the cluster's record"
        );
        Ok(())
    }

    /// The first node of a new cluster brings its records along.
    async fn seed(&self) -> Result<(), StoreError> {
        let _one = self.applying.lock().await;
        let mut tx = self.pool.begin().await.map_err(pg)?;
        let (version,): (i64,) = sqlx::query_as(
            "UPDATE gateway_meta SET value = value + 1 WHERE name = 'version' RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(pg)?;
        if version != 1 {
            return Err(StoreError::ClusterConfig(
                "another node seeded the cluster at the same moment; start this node again on an empty data directory".to_owned(),
            ));
        }
        let mut count = 0usize;
        for (name, tree) in &self.local.trees {
            for entry in tree.iter() {
                let (id, value) = entry?;
                super::txn::upsert(&mut tx, name, &id, Some(&value), version)
                    .await
                    .map_err(pg)?;
                count += 1;
            }
        }
        tx.commit().await.map_err(pg)?;
        self.local.set_position(version)?;
        tracing::info!(
            records = count,
            "seeded the cluster's record from this node's data"
        );
        Ok(())
    }

    /// Follows the record for as long as the process runs.
    pub(super) async fn follow(self: Arc<Self>) {
        let mut listener = None;
        let mut purged = tokio::time::Instant::now();
        loop {
            if listener.is_none() {
                listener = self.listen().await;
            }
            let lost = match listener.as_mut() {
                Some(l) => matches!(tokio::time::timeout(POLL, l.recv()).await, Ok(Err(_))),
                None => {
                    tokio::time::sleep(POLL).await;
                    false
                }
            };
            if lost {
                listener = None;
            }
            match self.catch_up_now().await {
                Ok(_) => self.set_reachable(true),
                Err(e) if e.is_unreachable() => self.set_reachable(false),
                Err(e) => tracing::error!(error = %e, "cannot apply the cluster's changes"),
            }
            if purged.elapsed() >= PURGE_EVERY {
                purged = tokio::time::Instant::now();
                if let Err(e) = self.purge().await {
                    tracing::warn!(error = %e, "cannot purge old deletions from the cluster's record");
                }
            }
        }
    }

    async fn listen(&self) -> Option<PgListener> {
        let mut listener = PgListener::connect_with(&self.pool).await.ok()?;
        listener.listen(CHANNEL).await.ok()?;
        Some(listener)
    }

    /// Forgets deletions old enough that every live node has applied them.
    async fn purge(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(pg)?;
        sqlx::query("SELECT value FROM gateway_meta WHERE name = 'version' FOR UPDATE")
            .execute(&mut *tx)
            .await
            .map_err(pg)?;
        sqlx::query(
            "UPDATE gateway_meta SET value = GREATEST(value, (SELECT COALESCE(MAX(version), 0) FROM gateway_records WHERE value IS NULL AND changed_at < now() - make_interval(hours => $1))) WHERE name = 'purged_through'",
        )
        .bind(TOMBSTONE_HOURS)
        .execute(&mut *tx)
        .await.map_err(pg)?;
        sqlx::query("DELETE FROM gateway_records WHERE value IS NULL AND changed_at < now() - make_interval(hours => $1)")
            .bind(TOMBSTONE_HOURS)
            .execute(&mut *tx)
            .await.map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(())
    }
}
