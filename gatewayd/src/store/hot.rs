//! Cluster mode's hot shared state in Redis: each key's limit windows, per-second bucket,
//! in-flight count and token reservations, changed only by Lua scripts (one round trip
//! per admission, or per lease of a busy key's admissions). What a node holds is filed
//! under its incarnation, whose liveness key it refreshes; a node that dies stops
//! refreshing, and within [`ALIVE_FOR`] what it held is no longer counted. Redis away:
//! callers decide alone (node-local limits, degraded) until it answers again, and the
//! node then comes back as a new incarnation.

mod lease;
mod limits;
mod shared;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub use lease::{LeaseLimits, Leased};
pub use limits::{HotCost, HotLimits, HotVerdict};
pub use shared::{Announcement, SharedCool};

use super::StoreError;

/// A node that stops refreshing its liveness key is gone after this long.
const ALIVE_FOR: Duration = Duration::from_secs(15);
/// How often the liveness key is refreshed, and Redis probed while away.
const HEARTBEAT: Duration = Duration::from_secs(2);
const PROBE: Duration = Duration::from_millis(500);
/// A Redis that takes longer than this is treated as away.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

/// The connection to the cluster's Redis and this node's standing with it.
pub struct Hot {
    conn: ConnectionManager,
    up: AtomicBool,
    node: String,
    /// This node's name in Redis for the current stretch of reachability.
    incarnation: ArcSwap<String>,
    /// Counts the times Redis may have lost what it held (it came back, or its marker
    /// was gone): spend is then seeded again from the ledger.
    revived: tokio::sync::watch::Sender<u64>,
    scripts: limits::Scripts,
}

impl Hot {
    /// Connects lazily to `url` (within a Tokio runtime) and starts the heartbeat.
    pub fn connect(url: &str, node: &str) -> Result<Arc<Self>, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::ClusterConfig(format!("cluster.redis_url: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| StoreError::ClusterConfig(format!("cluster.redis_url: {e}")))?;
        let hot = Arc::new(Self {
            conn,
            up: AtomicBool::new(false),
            node: node.replace(':', "_"),
            incarnation: ArcSwap::from(incarnation(node)),
            revived: tokio::sync::watch::channel(0).0,
            scripts: limits::Scripts::default(),
        });
        tokio::spawn(Arc::clone(&hot).keep_alive());
        Ok(hot)
    }

    /// Whether shared state is in use (Redis answered the last heartbeat or call).
    pub fn up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Waits up to `within` for the first heartbeat to reach Redis (a node that starts
    /// with Redis answering shares limits from its first request).
    pub async fn wait_up(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while !self.up() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if !self.up() {
            tracing::warn!("the cluster's Redis does not answer: limits are node-local (degraded) until it does");
        }
    }

    /// The incarnation what is admitted now is filed under.
    pub fn incarnation(&self) -> Arc<String> {
        self.incarnation.load_full()
    }

    /// Runs a script whose second run would do no harm, once more when Redis dropped
    /// the connection under the first (Redis restarted, or something between closed it):
    /// the manager has a new connection on its way by then, and a request that meets a
    /// Redis already back is decided for the cluster, not alone.
    async fn invoke<T: redis::FromRedisValue>(
        &self,
        call: &redis::ScriptInvocation<'_>,
    ) -> redis::RedisResult<T> {
        let mut conn = self.conn.clone();
        match call.invoke_async(&mut conn).await {
            Err(e) if e.is_unrecoverable_error() => call.invoke_async(&mut conn).await,
            done => done,
        }
    }

    /// A call failed: decide alone until the heartbeat reaches Redis again.
    fn failed(&self, e: &redis::RedisError) {
        if self.up.swap(false, Ordering::Relaxed) {
            tracing::error!(error = %e, "the cluster's Redis is unreachable: limits are node-local (degraded) until it is back");
        }
    }

    /// Refreshes this node's liveness; after Redis was away, comes back as a new
    /// incarnation (what the old one held is forgotten with it).
    async fn keep_alive(self: Arc<Self>) {
        loop {
            let was_up = self.up();
            if !was_up {
                self.incarnation.store(incarnation(&self.node));
            }
            let key = alive_key(&self.incarnation());
            let mut conn = self.conn.clone();
            let set: redis::RedisResult<()> = redis::cmd("SET")
                .arg(&key)
                .arg(&self.node)
                .arg("PX")
                .arg(ALIVE_FOR.as_millis() as u64)
                .query_async(&mut conn)
                .await;
            match set {
                Ok(()) if !was_up => {
                    self.up.store(true, Ordering::Relaxed);
                    tracing::info!(incarnation = %self.incarnation(), "the cluster's Redis is reachable: limits are shared");
                    self.revived.send_modify(|n| *n += 1);
                }
                Ok(()) => {
                    if self.lost_its_data().await {
                        self.revived.send_modify(|n| *n += 1);
                    }
                }
                Err(e) => self.failed(&e),
            }
            tokio::time::sleep(if self.up() { HEARTBEAT } else { PROBE }).await;
        }
    }
}

impl Hot {
    /// Whether Redis lost what it held since a node last looked (its marker is gone).
    async fn lost_its_data(&self) -> bool {
        let mut conn = self.conn.clone();
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg("gw:marker")
            .arg(&self.node)
            .arg("NX")
            .query_async(&mut conn)
            .await;
        matches!(set, Ok(Some(_)))
    }

    /// Changes each time spend should be seeded again from the ledger.
    pub fn revived(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revived.subscribe()
    }
}

/// The liveness key of an incarnation.
fn alive_key(incarnation: &str) -> String {
    format!("{ALIVE_PREFIX}{incarnation}")
}

const ALIVE_PREFIX: &str = "gw:alive:";

/// `node-<random>`: a fresh name for this node's holdings.
fn incarnation(node: &str) -> Arc<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    Arc::new(format!("{}-{}", node.replace(':', "_"), hex::encode(bytes)))
}
