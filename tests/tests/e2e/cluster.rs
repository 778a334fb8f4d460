//! Several gatewayd nodes as one gateway: private PostgreSQL (and Redis) servers on
//! loopback, real daemons sharing them, gatewayctl on any node's socket. The tests are
//! marked ignored for machines without the servers; `.ci/run` installs and runs them.

mod leases;
mod outages;
mod records;
mod shared_state;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use gateway_tests::services::{Postgres, Redis};

use crate::support::{claude_body, post, ten_tokens, CLAUDE_UPSTREAM_KEY};

/// Nodes of one cluster, the servers they share, and one mock upstream.
struct Cluster {
    nodes: Vec<Daemon>,
    extra: String,
    mock: MockHandle,
    pg: Postgres,
    redis: Redis,
    key_dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts `count` nodes: the first alone (it migrates the schema), the rest at once.
    fn start(count: usize) -> Self {
        Self::start_with(count, "")
    }

    /// The same, each node's configuration starting with `extra` (`{mock}` stands for
    /// the mock upstream's URL).
    fn start_with(count: usize, extra: &str) -> Self {
        let pg = Postgres::start();
        let key_dir = tempfile::tempdir().unwrap();
        let key_file = key_dir.path().join("master.key");
        std::fs::write(&key_file, "7f".repeat(32)).unwrap();
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mock = MockHandle::start(MockConfig::default());
        let extra = extra.replace("{mock}", &mock.url());
        let mut cluster = Self {
            nodes: Vec::new(),
            extra,
            mock,
            pg,
            redis: Redis::start(),
            key_dir,
        };
        cluster.nodes.push(cluster.node("a"));
        let rest: Vec<Daemon> = std::thread::scope(|s| {
            let starting: Vec<_> = (1..count)
                .map(|i| {
                    let name = ((b'a' + i as u8) as char).to_string();
                    let me = &cluster;
                    s.spawn(move || me.node(&name))
                })
                .collect();
            starting.into_iter().map(|h| h.join().unwrap()).collect()
        });
        cluster.nodes.extend(rest);
        cluster
    }

    /// A node's configuration: `extra` on top, and what follows a `[cluster]` line in it
    /// inside the node's `[cluster]` table.
    fn config(&self, name: &str) -> String {
        let (extra, in_cluster) = self
            .extra
            .split_once("[cluster]\n")
            .unwrap_or((&self.extra, ""));
        format!(
            "master_key_file = {key:?}\n{extra}\n[cluster]\npostgres_url = {url:?}\nredis_url = {redis:?}\nnode_id = {name:?}\n{in_cluster}",
            key = self.key_dir.path().join("master.key"),
            url = self.pg.url(),
            redis = self.redis.url(),
        )
    }

    fn node(&self, name: &str) -> Daemon {
        Daemon::start_with_config(&self.config(name))
    }

    fn add_claude_account(&self) -> String {
        self.nodes[0].add_account(
            "claude-1",
            "claude-code",
            CLAUDE_UPSTREAM_KEY,
            &self.mock.url(),
            &[],
        )
    }
}

/// Creates a key on the first node and waits until every node knows it; its secret.
async fn shared_key(cluster: &Cluster, name: &str, limits: &[&str]) -> String {
    let (_, secret) = cluster.nodes[0].create_key(name, limits);
    for node in &cluster.nodes {
        node.remember(&secret);
        // The key's own usage page: known keys get 200; it counts against no limit.
        let url = format!("{}/gateway/usage", node.url);
        let deadline = Instant::now() + Duration::from_secs(1);
        while crate::support::World::client()
            .get(&url)
            .header("x-api-key", &secret)
            .send()
            .await
            .unwrap()
            .status()
            != 200
        {
            assert!(
                Instant::now() < deadline,
                "{} does not know the key",
                node.url
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    secret
}

/// One Messages request with `text` to `node`; its status.
async fn claude(node: &Daemon, secret: &str, text: &str) -> u16 {
    let url = format!("{}/v1/messages", node.url);
    post(&url, "x-api-key", secret, &claude_body(false, text))
        .await
        .status()
        .as_u16()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// Sends a request to `node` until it answers `status`, at most `within`; how long it took.
async fn answers(node: &Daemon, secret: &str, status: u16, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let got = ten_tokens(&node.url, secret).await.status().as_u16();
        if got == status {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "{} still answers {got}, not {status}, after {within:?}",
            node.url
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until `node`'s status says `field` of the cluster is `value`.
fn status_says(node: &Daemon, field: &str, value: serde_json::Value) {
    gateway_tests::harness::eventually(&format!("status: {field} = {value}"), || {
        (node.ctl_json(&["status"])["cluster"][field] == value).then_some(())
    });
}
