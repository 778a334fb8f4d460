//! Cluster mode's record: PostgreSQL holds the records every node shares (the trees in
//! [`TREES`], row for row as sled holds them); this node's sled is its last snapshot of
//! them, from which it starts and serves when PostgreSQL is away. Writes go to
//! PostgreSQL first, in a transaction numbered by the `version` row; a follower applies
//! every numbered change to the local trees in order, on notification and on a poll.

mod follow;
mod lock;
mod nodes;
mod txn;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::StoreError;

pub use nodes::NodeBeat;
pub use txn::Txn;

/// The sled trees PostgreSQL holds for the cluster; every other tree stays node-local.
pub const TREES: [&str; 6] = [
    "keys",
    "accounts",
    "settings",
    "account_events",
    "audit",
    "audit_seals",
];

/// The channel a committed change is announced on.
const CHANNEL: &str = "gateway_records";

/// How long one round trip to PostgreSQL may take before the caller is told it is away.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The shared record and this node's follower of it.
pub struct Cluster {
    pool: PgPool,
    /// A runtime of its own, so that synchronous store calls can wait for PostgreSQL
    /// from any thread without blocking the runtime doing the work.
    runtime: tokio::runtime::Handle,
    local: follow::Local,
    /// Serialises applying changes to the local trees.
    applying: tokio::sync::Mutex<()>,
    /// The last change applied here, for whoever republishes the snapshot.
    changed: tokio::sync::watch::Sender<i64>,
    reachable: AtomicBool,
}

impl Cluster {
    /// Connects (lazily) to `url`, migrates the schema and brings the local trees up to
    /// date. With PostgreSQL away, a node that has a snapshot starts from it; one that
    /// never synced refuses to start.
    pub fn join(db: &sled::Db, url: &str) -> Result<std::sync::Arc<Self>, StoreError> {
        let options: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| {
            StoreError::ClusterConfig(format!("cluster.postgres_url is not a PostgreSQL URL: {e}"))
        })?;
        let runtime = own_runtime().map_err(|e| StoreError::ClusterConfig(e.to_string()))?;
        let pool = {
            let _entered = runtime.enter();
            // The change listener keeps one; each refresh lock holds one while it refreshes.
            PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(3))
                .connect_lazy_with(options)
        };
        let cluster = std::sync::Arc::new(Self {
            pool,
            runtime,
            local: follow::Local::open(db)?,
            applying: tokio::sync::Mutex::new(()),
            changed: tokio::sync::watch::channel(0).0,
            reachable: AtomicBool::new(false),
        });
        let first = std::sync::Arc::clone(&cluster);
        match cluster.call(async move { first.start().await }) {
            Ok(Ok(())) => cluster.set_reachable(true),
            Ok(Err(e)) | Err(e) if e.is_unreachable() && cluster.local.position()? > 0 => {
                tracing::warn!(error = %e, "the cluster's PostgreSQL is unreachable: serving from this node's last snapshot; control changes are refused until it is back");
            }
            Ok(Err(e)) | Err(e) if e.is_unreachable() => {
                return Err(StoreError::ClusterConfig(format!(
                    "the cluster's PostgreSQL is unreachable ({e}) and this node has no snapshot of the cluster yet, so it has nothing to serve: start it once PostgreSQL answers"
                )))
            }
            Ok(Err(e)) | Err(e) => return Err(e),
        }
        let follower = std::sync::Arc::clone(&cluster);
        cluster
            .runtime
            .spawn(async move { follower.follow().await });
        Ok(cluster)
    }

    /// Runs `work` on the cluster's runtime and waits for it, from any thread.
    fn call<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv_timeout(CALL_TIMEOUT)
            .map_err(|_| StoreError::ClusterTimeout(CALL_TIMEOUT))
    }

    /// Whether the last exchange with PostgreSQL succeeded.
    pub fn reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    fn set_reachable(&self, now: bool) {
        let was = self.reachable.swap(now, Ordering::Relaxed);
        match (was, now) {
            (true, false) => tracing::error!("the cluster's PostgreSQL is unreachable: serving from this node's last snapshot; control changes are refused until it is back"),
            (false, true) => tracing::info!("the cluster's PostgreSQL is reachable"),
            _ => {}
        }
    }

    /// Announces every change applied here (its number); the state republishes on it.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<i64> {
        self.changed.subscribe()
    }

    /// Applies every change committed so far, waiting for it.
    pub fn catch_up(self: &std::sync::Arc<Self>) -> Result<(), StoreError> {
        let me = std::sync::Arc::clone(self);
        self.call(async move { me.catch_up_now().await.map(drop) })?
    }
}

/// A PostgreSQL failure in cluster mode.
fn pg(e: sqlx::Error) -> StoreError {
    StoreError::Cluster(e)
}

/// A one-thread runtime that lives as long as the process.
fn own_runtime() -> std::io::Result<tokio::runtime::Handle> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("cluster-record".to_owned())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))?;
    Ok(handle)
}

impl StoreError {
    /// Whether the failure is PostgreSQL being away rather than refusing something.
    pub fn is_unreachable(&self) -> bool {
        match self {
            StoreError::ClusterTimeout(_) => true,
            StoreError::Cluster(e) | StoreError::Sql(e) => matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            ),
            _ => false,
        }
    }
}
