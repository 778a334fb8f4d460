//! Cluster mode's wiring: the admission that shares limits through Redis, and the tasks a
//! node runs beside the data plane when `[cluster]` is set — republishing changes made
//! through other nodes, applying what they announce, seeding spend into Redis from the
//! ledger, and beating. None of it exists on a single node.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::admission::Admission;
use crate::config::Config;
use crate::recorder::{self, Recorder};
use crate::state::Gateway;
use crate::RunError;

/// How long a starting node waits for Redis before deciding alone.
const REDIS_AT_START: Duration = Duration::from_secs(2);

/// The cluster's background tasks, aborted together at shutdown.
#[derive(Default)]
pub(super) struct Tasks(Vec<JoinHandle<()>>);

impl Tasks {
    pub(super) fn abort(self) {
        for task in self.0 {
            task.abort();
        }
    }
}

/// The admission for `config`: key limits shared through Redis in cluster mode.
pub(super) async fn admission(config: &Config) -> Result<Admission, RunError> {
    Ok(match &config.cluster.redis_url {
        Some(url) => {
            let hot = crate::store::hot::Hot::connect(url, &config.cluster.node())?;
            hot.wait_up(REDIS_AT_START).await;
            Admission::shared(hot, !config.cluster.exact_admissions)
        }
        None => Admission::default(),
    })
}

/// Starts what keeps this node in step with the others: republishing their changes,
/// applying their announcements, and seeding spend into Redis whenever it may have lost
/// it.
pub(super) fn follow(config: &Config, gateway: &Gateway, admission: &Arc<Admission>) -> Tasks {
    let mut tasks = Tasks::default();
    if let Some(cluster) = gateway.cluster() {
        tasks.0.push(tokio::spawn(
            gateway.clone().follow_records(cluster.changes()),
        ));
    }
    if let (Some(hot), Some(url)) = (admission.hot(), &config.cluster.redis_url) {
        tasks
            .0
            .push(tokio::spawn(crate::shared_health::apply_announced(
                gateway.clone(),
                Arc::clone(admission),
                hot.follow_announcements(url),
            )));
        let (gateway, admission, mut revived) =
            (gateway.clone(), Arc::clone(admission), hot.revived());
        tasks.0.push(tokio::spawn(async move {
            while revived.changed().await.is_ok() {
                if let Err(e) = recorder::periods::seed_shared(&gateway, &admission).await {
                    tracing::warn!(error = %e, "cannot seed the keys' spend in Redis from the ledger");
                }
            }
        }));
    }
    tasks
}

/// Starts this node's heartbeat (its data-plane address is `listen`).
pub(super) fn beat(
    tasks: &mut Tasks,
    config: &Config,
    gateway: &Gateway,
    admission: &Arc<Admission>,
    recorder: &Recorder,
    listen: String,
) {
    if let Some(cluster) = gateway.cluster() {
        tasks.0.push(tokio::spawn(crate::heartbeat::run(
            Arc::clone(cluster),
            gateway.clone(),
            Arc::clone(admission),
            recorder.clone(),
            (config.cluster.node(), listen),
        )));
    }
}
