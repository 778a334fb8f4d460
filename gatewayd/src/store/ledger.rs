//! The usage ledger: the request log, hourly and daily rollups and all-time totals, in
//! SQLite through sqlx (WAL, one transaction per recorder batch, indexed by time, key and
//! account, pruned with its pages reused); in cluster mode the same statements run on
//! the cluster's PostgreSQL (see [`engine`]), so every node's usage is in one place.

mod engine;
mod import;
mod marks;
mod requests;
mod rollups;
#[cfg(test)]
mod testing;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{
    SqliteAutoVacuum, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};

use super::{StoreError, UsageDelta, UsageMarks};
use engine::{counters, on_pool, tokens, unsigned, Pool, Tx};

pub use requests::{LogCursor, LogQuery};

/// The ledger's file in the data directory (with its `-wal` and `-shm` companions).
pub const FILE: &str = "ledger.sqlite";

/// The schema this build writes; a ledger with a newer one is refused.
const SCHEMA_VERSION: i64 = 1;

/// Pages handed back to the file system per statement.
const VACUUM_CHUNK_PAGES: i64 = 1_000;

/// The write-ahead log is truncated back to this after a checkpoint.
const WAL_LIMIT_BYTES: &str = "16777216";

/// The columns of a counters row, in the order [`bind_counters`] binds them.
macro_rules! counter_columns {
    () => {
        "requests, errors, input_tokens, output_tokens, cache_creation_tokens, \
         cache_read_tokens, thoughts_tokens, cost_micros"
    };
}
use counter_columns;

/// The counters columns with their types, for the tables that hold them.
macro_rules! counter_column_types {
    () => {
        "requests BIGINT NOT NULL, errors BIGINT NOT NULL, input_tokens BIGINT NOT NULL, \
         output_tokens BIGINT NOT NULL, cache_creation_tokens BIGINT NOT NULL, \
         cache_read_tokens BIGINT NOT NULL, thoughts_tokens BIGINT NOT NULL, \
         cost_micros BIGINT NOT NULL"
    };
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms BIGINT NOT NULL,
        request_id TEXT NOT NULL,
        key_id TEXT,
        account_id TEXT,
        dialect TEXT NOT NULL,
        model TEXT,
        stream BOOLEAN NOT NULL,
        status INTEGER NOT NULL,
        error TEXT,
        attempts INTEGER NOT NULL,
        ttfb_ms BIGINT,
        latency_ms BIGINT NOT NULL,
        input_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        cache_creation_tokens BIGINT NOT NULL,
        cache_read_tokens BIGINT NOT NULL,
        thoughts_tokens BIGINT NOT NULL,
        cost_micros BIGINT NOT NULL,
        client_ip TEXT NOT NULL,
        user_agent TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_at ON requests (at_ms)",
    "CREATE INDEX IF NOT EXISTS requests_key ON requests (key_id, seq)",
    "CREATE INDEX IF NOT EXISTS requests_account ON requests (account_id, seq)",
    concat!(
        "CREATE TABLE IF NOT EXISTS usage_totals (scope TEXT NOT NULL, id TEXT NOT NULL, ",
        counter_column_types!(),
        ", PRIMARY KEY (scope, id))"
    ),
    concat!(
        "CREATE TABLE IF NOT EXISTS rollups (scope TEXT NOT NULL, grain TEXT NOT NULL, \
         bucket BIGINT NOT NULL, id TEXT NOT NULL, ",
        counter_column_types!(),
        ", latency TEXT NOT NULL, ttfb TEXT NOT NULL, PRIMARY KEY (scope, grain, bucket, id))"
    ),
    "CREATE TABLE IF NOT EXISTS key_marks (
        key_id TEXT PRIMARY KEY,
        last_used BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS account_quota (
        account_id TEXT PRIMARY KEY,
        used BIGINT NOT NULL,
        reset_time BIGINT)",
];

/// The handle the recorder writes through and the control plane reads; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    pool: Pool,
    path: PathBuf,
}

/// How long a SQLite connection beyond the pool's first stays open unused.
const IDLE_CONNECTION: Duration = Duration::from_secs(10);

/// Serialises the nodes' batches on PostgreSQL (rollups merge read-modify-write, and the
/// request log's numbers then commit in order, so a follower of the log misses nothing).
const BATCH_LOCK: i64 = 0x6761_7465_7761_7931;

impl Ledger {
    /// Opens (or creates) `dir/ledger.sqlite` and checks its schema version.
    pub async fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join(FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A committed batch survives a crash of the process; only power loss can take
            // the last transactions, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .auto_vacuum(SqliteAutoVacuum::Incremental)
            .busy_timeout(Duration::from_secs(5))
            .pragma("journal_size_limit", WAL_LIMIT_BYTES)
            // Each connection's page cache, in KiB: SQLite's default of 2 MiB, times four
            // connections, stayed resident after a saturation run; the writes append
            // near the tables' right edges and the OS caches the file anyway.
            .pragma("cache_size", "-512");
        let open_error = |source: sqlx::Error| {
            let code = source.as_database_error().and_then(|e| e.code());
            // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): the file is not a sound ledger.
            if code.is_some_and(|c| c == "11" || c == "26") {
                return StoreError::Integrity(format!(
                    "the usage ledger {} is damaged ({source}); restore a backup (`gatewayd restore`), or move it away to start a new ledger (usage history is lost; keys and accounts are not)",
                    path.display()
                ));
            }
            StoreError::OpenLedger {
                path: path.display().to_string(),
                source,
            }
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            // Connections beyond the first close once idle this long (sqlx's default is
            // ten minutes): each holds its own caches, prepared statements and worker
            // thread, which a burst of traffic filled and the quiet after it needs no more.
            .idle_timeout(IDLE_CONNECTION)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        let ledger = Self {
            pool: Pool::Sqlite(pool),
            path,
        };
        ledger.check().await?;
        ledger.migrate().await?;
        Ok(ledger)
    }

    /// The cluster's ledger on the PostgreSQL at `url` (its tables are made by the
    /// cluster's migrations, which have run by the time a node opens it).
    pub fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let options = url.parse().map_err(|e: sqlx::Error| {
            StoreError::ClusterConfig(format!("cluster.postgres_url is not a PostgreSQL URL: {e}"))
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options);
        Ok(Self {
            pool: Pool::Postgres(pool),
            path: PathBuf::from("(the cluster's PostgreSQL)"),
        })
    }

    /// The SQLite pool; `None` on PostgreSQL.
    fn sqlite(&self) -> Option<&sqlx::SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// Lets go of the SQLite page caches' memory, every connection's at once, for when the
    /// writes have gone quiet: setting a soft heap limit releases what is above it on the
    /// spot, and lifting it again leaves the caches free to grow with the next traffic.
    /// (A standing limit cost ~13% of saturation throughput in the benchmark.) Nothing to
    /// do on PostgreSQL.
    pub async fn release_cache_memory(&self) -> Result<(), StoreError> {
        let Some(pool) = self.sqlite() else {
            return Ok(());
        };
        let mut conn = pool.acquire().await?;
        sqlx::query("PRAGMA soft_heap_limit = 1")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA soft_heap_limit = 0")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// SQLite's own consistency check of every page and index; a damaged ledger is
    /// refused, never written to.
    async fn check(&self) -> Result<(), StoreError> {
        let damaged = |what: String| {
            StoreError::Integrity(format!(
                "the usage ledger {} is damaged ({what}); restore a backup (`gatewayd restore`), or move it away to start a new ledger (usage history is lost; keys and accounts are not)",
                self.path.display()
            ))
        };
        let Some(pool) = self.sqlite() else {
            return Ok(());
        };
        let found: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(pool)
            .await
            .map_err(|e| damaged(e.to_string()))?;
        match found.as_slice() {
            [ok] if ok == "ok" => Ok(()),
            problems => Err(damaged(problems.join("; "))),
        }
    }

    /// Creates the tables, or checks that an existing ledger is one this build can read.
    async fn migrate(&self) -> Result<(), StoreError> {
        let Some(pool) = self.sqlite() else {
            return Ok(());
        };
        let mut tx = pool.begin().await?;
        for statement in SCHEMA {
            sqlx::query(*statement).execute(&mut *tx).await?;
        }
        let found: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE name = 'schema_version'")
                .fetch_optional(&mut *tx)
                .await?;
        match found.map(|v| v.parse::<i64>()) {
            None => {
                sqlx::query("INSERT INTO meta (name, value) VALUES ('schema_version', $1)")
                    .bind(SCHEMA_VERSION.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            Some(Ok(v)) if v <= SCHEMA_VERSION => {}
            Some(v) => {
                return Err(StoreError::NewerSchema {
                    path: self.path.display().to_string(),
                    found: v.map_or_else(|_| "unreadable".to_owned(), |v| v.to_string()),
                    known: SCHEMA_VERSION,
                })
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes one recorder batch (totals, log entries, rollups, the marks it moves) in one
    /// transaction: all of it is on disk, or none of it.
    pub async fn write(&self, delta: &UsageDelta, moved: &UsageMarks) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        rollups::add_totals(&mut tx, &delta.counters).await?;
        requests::append(&mut tx, &delta.log).await?;
        rollups::merge(&mut tx, &delta.rollups).await?;
        marks::put(&mut tx, moved).await?;
        tx.commit().await
    }

    /// Opens a batch's transaction (on PostgreSQL, after the nodes' earlier batches).
    async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(BATCH_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Returns pages freed by pruning to the file system when they are more than a
    /// quarter of the file, so a ledger that shrank does not keep its old size forever.
    async fn release_free_pages(&self) -> Result<(), StoreError> {
        let Some(pool) = self.sqlite() else {
            return Ok(()); // PostgreSQL's autovacuum reuses the space
        };
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(pool)
            .await?;
        let free: i64 = sqlx::query_scalar("PRAGMA freelist_count")
            .fetch_one(pool)
            .await?;
        if free > pages / 4 {
            // Keep some free pages for the next batches; give back the rest, a bounded
            // number per statement so the recorder's writes interleave.
            let mut release = free - pages / 8;
            while release > 0 {
                let step = release.min(VACUUM_CHUNK_PAGES);
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "PRAGMA incremental_vacuum({step})"
                )))
                .execute(pool)
                .await?;
                release -= step;
            }
        }
        Ok(())
    }

    /// Writes a consistent copy of the whole ledger to `path` (which must not exist).
    pub async fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        let Some(pool) = self.sqlite() else {
            return Err(StoreError::ClusterConfig(
                "a cluster's records and usage live in PostgreSQL: back it up with its own tooling (pg_dump, or continuous archiving), and keep the master key apart".to_owned(),
            ));
        };
        sqlx::query("VACUUM INTO $1")
            .bind(path.display().to_string())
            .execute(pool)
            .await?;
        Ok(())
    }

    /// Closes every connection, checkpointing the write-ahead log.
    pub async fn close(&self) {
        on_pool!(&self.pool, p => p.close().await);
    }
}

impl Tx {
    async fn commit(self) -> Result<(), StoreError> {
        engine::on_tx!(self, t => t.commit().await)?;
        Ok(())
    }
}
