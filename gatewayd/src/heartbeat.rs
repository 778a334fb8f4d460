//! Cluster mode: this node's heartbeat in the cluster's record every few seconds (its
//! version, address, load, usable accounts, whether limits are shared, and each
//! account's requests in flight), for `status` and `drain --wait` on any node.

use std::sync::Arc;
use std::time::Duration;

use crate::admission::Admission;
use crate::state::Gateway;
use crate::store::{Cluster, NodeBeat};

/// How often a node beats.
pub const EVERY: Duration = Duration::from_secs(2);

/// What this node says about itself now.
pub fn beat(gateway: &Gateway, admission: &Admission, node: &str, listen: &str) -> NodeBeat {
    let snapshot = gateway.snapshot();
    let now_ms = gateway.clock().now_millis();
    let in_flight_by_account = snapshot
        .accounts
        .iter()
        .filter(|a| a.runtime.in_flight() > 0)
        .map(|a| (a.id.to_string(), u64::from(a.runtime.in_flight())))
        .collect::<std::collections::BTreeMap<_, _>>();
    NodeBeat {
        node_id: node.to_owned(),
        version: gateway_shared::VERSION.to_owned(),
        listen_address: listen.to_owned(),
        started_at_ms: now_ms.saturating_sub(gateway.started().elapsed().as_millis() as u64),
        in_flight: in_flight_by_account.values().sum(),
        accounts_usable: snapshot
            .accounts
            .iter()
            .filter(|a| a.usable(now_ms))
            .count() as u32,
        limits_shared: admission.sharing().unwrap_or(false),
        in_flight_by_account,
        seen_ms_ago: 0,
    }
}

/// Beats until aborted; raises `cluster_degraded` when PostgreSQL or Redis goes away
/// and `cluster_recovered` when it is back.
pub async fn run(
    cluster: Arc<Cluster>,
    gateway: Gateway,
    admission: Arc<Admission>,
    recorder: crate::recorder::Recorder,
    (node, listen): (String, String),
) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut was = Health::default();
    let mut exchanged_ms = 0;
    loop {
        tick.tick().await;
        cluster.beat(beat(&gateway, &admission, &node, &listen));
        if let Some(hot) = admission.hot() {
            let now = gateway.clock().now_millis();
            crate::shared_health::exchange_windows(&gateway, hot, exchanged_ms).await;
            exchanged_ms = now;
        }
        let now = Health {
            postgres: cluster.reachable(),
            redis: admission.sharing().unwrap_or(true),
        };
        for (kind, what) in now.changes_from(&was) {
            let message = format!("node {node}: {what}");
            let at = gateway.clock().now_millis();
            recorder.alert(crate::alerts::Alert::new(at, kind, None, message));
        }
        was = now;
    }
}

/// What this node can reach.
#[derive(Clone, Copy, PartialEq)]
struct Health {
    postgres: bool,
    redis: bool,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            postgres: true,
            redis: true,
        }
    }
}

impl Health {
    /// The alerts going from `before` to `self` raises: (kind, what happened).
    fn changes_from(self, before: &Health) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        match (before.postgres, self.postgres) {
            (true, false) => out.push(("cluster_degraded", "PostgreSQL is unreachable: serving from this node's snapshot, control changes refused, usage held in memory")),
            (false, true) => out.push(("cluster_recovered", "PostgreSQL is reachable again")),
            _ => {}
        }
        match (before.redis, self.redis) {
            (true, false) => out.push((
                "cluster_degraded",
                "Redis is unreachable: limits, sessions and cool-downs are node-local",
            )),
            (false, true) => out.push((
                "cluster_recovered",
                "Redis is reachable again: limits are shared",
            )),
            _ => {}
        }
        out
    }
}

/// A node whose last beat is older than this is taken for gone (its requests with it).
const GONE_AFTER_MS: u64 = 10_000;

/// Requests in flight on `account` on the other live nodes, as their beats say, or
/// `None` while some live node has not beaten since `settled_ms` ago (so it may not have
/// seen the drain yet).
pub fn others_in_flight(
    cluster: &Arc<Cluster>,
    me: &str,
    account: &str,
    settled_ms: u64,
) -> Option<u64> {
    let nodes = cluster.nodes().ok()?;
    let live = nodes
        .iter()
        .filter(|n| n.node_id != me && n.seen_ms_ago < GONE_AFTER_MS);
    let mut total = 0;
    for node in live {
        if node.seen_ms_ago >= settled_ms {
            return None;
        }
        total += node.in_flight_by_account.get(account).copied().unwrap_or(0);
    }
    Some(total)
}
