//! `--only cluster`: what sharing a key's limits across nodes costs. One single-node
//! gatewayd and a cluster of two (private PostgreSQL and Redis on loopback) serve the
//! same two keys, each with limits that never refuse but decide every admission: in
//! memory on the single node; in the cluster, from leases for a key limited by a window
//! and an in-flight cap, by one Redis script a request for a key with a per-second
//! bucket. The same fixed-rate runs go through each in turns, the cluster's turns
//! alternating between its two nodes.

use serde::Serialize;

use super::load::{self, Run};
use super::procs::{Gateway, Mock, Setup};
use super::report::{side, Percentiles, Side};
use super::workload::Shot;
use super::{workload, Options};
use crate::services::{Postgres, Redis};

/// Turns each side gets at each rate.
const ROUNDS: usize = 4;

/// Limits high enough never to refuse, so each request's admission is decided in full:
/// a busy node leases this key's admissions.
const LEASED: [&str; 4] = ["--rpm", "100000000", "--max-concurrent", "100000"];
/// The same with a per-second bucket: decided in Redis a request at a time.
const PER_REQUEST: [&str; 8] = [
    "--rpm",
    "100000000",
    "--max-concurrent",
    "100000",
    "--rps",
    "1000000",
    "--burst",
    "1000000",
];

/// One rate and key, both setups.
#[derive(Serialize)]
pub struct ClusterRun {
    /// How the cluster decides the key's admissions: "leased" or "per request".
    pub admission: &'static str,
    pub rate_rps: u64,
    pub single: Side,
    pub cluster: Side,
    /// What the cluster adds over the single node, at each percentile.
    pub added_latency_us: Percentiles,
}

/// Every rate's runs.
#[derive(Serialize)]
pub struct ClusterReport {
    pub runs: Vec<ClusterRun>,
}

pub async fn run(
    options: &Options,
    mock: &Mock,
    client: &load::Client,
) -> Result<ClusterReport, String> {
    let (pg, redis) = (Postgres::start(), Redis::start());
    let keys = tempfile::tempdir().map_err(|e| e.to_string())?;
    let key_file = keys.path().join("master.key");
    std::fs::write(&key_file, "5a".repeat(32)).map_err(|e| e.to_string())?;
    set_private(&key_file)?;
    let config = |node: &str| {
        format!(
            "master_key_file = {key_file:?}\n[cluster]\npostgres_url = {:?}\nredis_url = {:?}\nnode_id = {node:?}\n",
            pg.url(),
            redis.url()
        )
    };
    let single = Gateway::start_with(
        options,
        mock,
        &Setup {
            key_limits: &LEASED,
            ..Setup::default()
        },
    )?;
    let a = Gateway::start_with(
        options,
        mock,
        &Setup {
            config: Some(config("a")),
            key_limits: &LEASED,
            ..Setup::default()
        },
    )?;
    let b = Gateway::start_with(
        options,
        mock,
        &Setup {
            config: Some(config("b")),
            joining: true,
            ..Setup::default()
        },
    )?;
    let keys = [
        ("leased", single.secret.clone(), a.secret.clone()),
        (
            "per request",
            single.create_key("per-request", &PER_REQUEST)?,
            a.create_key("per-request", &PER_REQUEST)?,
        ),
    ];
    let work = workload::anthropic_json();
    let mut runs = Vec::new();
    for (admission, alone_secret, shared_secret) in &keys {
        let through_single = work.at(&single.url, alone_secret);
        let through = [
            work.at(&a.url, shared_secret),
            work.at(&b.url, shared_secret),
        ];
        wait_until_known(client, &through[1]).await?;
        for &rate in &options.rates() {
            let (alone, shared) = alternate(client, &through_single, &through, rate, options).await;
            let (single, cluster) = (side(&alone), side(&shared));
            runs.push(ClusterRun {
                admission,
                rate_rps: rate,
                added_latency_us: super::report::minus(cluster.latency_us, single.latency_us),
                single,
                cluster,
            });
        }
    }
    for gateway in [single, a, b] {
        gateway.stop();
    }
    drop((pg, redis));
    Ok(ClusterReport { runs })
}

/// Runs `rate` through the single node and the cluster in turns ([`ROUNDS`] each, two in a smoke run; the
/// cluster's turns alternating between its nodes), so that a machine whose speed drifts
/// during the run weighs on both sides alike.
async fn alternate(
    client: &load::Client,
    single: &Shot,
    cluster: &[Shot; 2],
    rate: u64,
    options: &Options,
) -> (Run, Run) {
    let turn = (options.run_time() / 2).max(std::time::Duration::from_secs(1));
    let mut alone = load::open_loop(client, single, rate, turn).await;
    let mut shared = load::open_loop(client, &cluster[0], rate, turn).await;
    let rounds = if options.smoke { 2 } else { ROUNDS };
    for round in 1..rounds {
        alone = alone.merged(load::open_loop(client, single, rate, turn).await);
        let node = &cluster[round % 2];
        shared = shared.merged(load::open_loop(client, node, rate, turn).await);
    }
    (alone, shared)
}

fn set_private(path: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| e.to_string())
}

/// Waits until the second node has taken in the key the first one made.
async fn wait_until_known(client: &load::Client, shot: &Shot) -> Result<(), String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !load::succeeds(client, shot).await {
        if std::time::Instant::now() > deadline {
            return Err("the second node never took in the key".to_owned());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Ok(())
}

impl ClusterReport {
    /// The human-readable lines.
    pub fn text(&self) -> String {
        let ms = |us: u64| format!("{:.3}", us as f64 / 1000.0);
        let mut out = String::from(
            "\nshared admission (2 nodes, PostgreSQL + Redis on loopback) vs one node, same key limits, anthropic json\n  admission      rate      single p50/p99 ms   cluster p50/p99 ms   added p50/p99 ms\n",
        );
        for r in &self.runs {
            out.push_str(&format!(
                "  {:<12} {:>5}/s   {:>8} / {:<8}  {:>8} / {:<8}   {:>7} / {}\n",
                r.admission,
                r.rate_rps,
                ms(r.single.latency_us.p50),
                ms(r.single.latency_us.p99),
                ms(r.cluster.latency_us.p50),
                ms(r.cluster.latency_us.p99),
                ms(r.added_latency_us.p50),
                ms(r.added_latency_us.p99),
            ));
        }
        out
    }
}
