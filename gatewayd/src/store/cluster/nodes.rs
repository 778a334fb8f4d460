//! The nodes of the cluster as their heartbeats show them: each node upserts its row
//! every few seconds; `status` lists those seen in the last minute and `drain --wait`
//! sums an account's requests in flight over them.

use std::collections::BTreeMap;

use sqlx::Row;

use super::{pg, Cluster};
use crate::store::StoreError;

/// One node's heartbeat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeBeat {
    pub node_id: String,
    pub version: String,
    pub listen_address: String,
    pub started_at_ms: u64,
    pub in_flight: u64,
    pub accounts_usable: u32,
    pub limits_shared: bool,
    pub in_flight_by_account: BTreeMap<String, u64>,
    /// Filled in when read back: how long ago the beat was.
    pub seen_ms_ago: u64,
}

/// Nodes silent this long are left out.
const SEEN_WITHIN_SECS: i32 = 60;

impl Cluster {
    /// Records this node's heartbeat (in the background; a missed beat is harmless).
    pub fn beat(self: &std::sync::Arc<Self>, beat: NodeBeat) {
        let me = std::sync::Arc::clone(self);
        self.runtime.spawn(async move {
            let by_account = serde_json::to_string(&beat.in_flight_by_account).unwrap_or_default();
            let done = sqlx::query(
                "INSERT INTO gateway_nodes (node_id, version, listen_address, started_at, seen_at, in_flight, accounts_usable, limits_shared, in_flight_by_account) \
                 VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), now(), $5, $6, $7, $8::jsonb) \
                 ON CONFLICT (node_id) DO UPDATE SET version = EXCLUDED.version, listen_address = EXCLUDED.listen_address, \
                 started_at = EXCLUDED.started_at, seen_at = now(), in_flight = EXCLUDED.in_flight, \
                 accounts_usable = EXCLUDED.accounts_usable, limits_shared = EXCLUDED.limits_shared, \
                 in_flight_by_account = EXCLUDED.in_flight_by_account",
            )
            .bind(&beat.node_id)
            .bind(&beat.version)
            .bind(&beat.listen_address)
            .bind(beat.started_at_ms as i64)
            .bind(beat.in_flight as i64)
            .bind(i32::try_from(beat.accounts_usable).unwrap_or(i32::MAX))
            .bind(beat.limits_shared)
            .bind(by_account)
            .execute(&me.pool)
            .await;
            me.set_reachable(done.is_ok());
        });
    }

    /// The nodes seen in the last minute, by name.
    pub fn nodes(self: &std::sync::Arc<Self>) -> Result<Vec<NodeBeat>, StoreError> {
        let pool = self.pool.clone();
        self.call(async move {
            let rows = sqlx::query(
                "SELECT node_id, version, listen_address, \
                 (extract(epoch FROM started_at) * 1000)::bigint, in_flight, accounts_usable, limits_shared, \
                 in_flight_by_account::text, (extract(epoch FROM now() - seen_at) * 1000)::bigint \
                 FROM gateway_nodes WHERE seen_at > now() - make_interval(secs => $1) ORDER BY node_id",
            )
            .bind(f64::from(SEEN_WITHIN_SECS))
            .fetch_all(&pool)
            .await
            .map_err(pg)?;
            Ok(rows.iter().map(node).collect())
        })?
    }
}

fn node(row: &sqlx::postgres::PgRow) -> NodeBeat {
    let number = |i: usize| row.try_get::<i64, _>(i).unwrap_or(0).max(0) as u64;
    NodeBeat {
        node_id: row.try_get(0).unwrap_or_default(),
        version: row.try_get(1).unwrap_or_default(),
        listen_address: row.try_get(2).unwrap_or_default(),
        started_at_ms: number(3),
        in_flight: number(4),
        accounts_usable: row.try_get::<i32, _>(5).unwrap_or(0).max(0) as u32,
        limits_shared: row.try_get(6).unwrap_or(false),
        in_flight_by_account: row
            .try_get::<String, _>(7)
            .ok()
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        seen_ms_ago: number(8),
    }
}
