//! Several gatewayd nodes as one gateway: private PostgreSQL (and Redis) servers on
//! loopback, three real daemons sharing them, gatewayctl on any node's socket.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use gateway_tests::services::Postgres;

use crate::support::{ten_tokens, CLAUDE_UPSTREAM_KEY};

const IGNORED: &str =
    "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it";

/// Nodes of one cluster, the servers they share, and one mock upstream.
struct Cluster {
    nodes: Vec<Daemon>,
    mock: MockHandle,
    pg: Postgres,
    key_dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts `count` nodes: the first alone (it migrates the schema), the rest at once.
    fn start(count: usize) -> Self {
        let pg = Postgres::start();
        let key_dir = tempfile::tempdir().unwrap();
        let key_file = key_dir.path().join("master.key");
        std::fs::write(&key_file, "7f".repeat(32)).unwrap();
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut cluster = Self {
            nodes: Vec::new(),
            mock: MockHandle::start(MockConfig::default()),
            pg,
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

    fn config(&self, name: &str) -> String {
        format!(
            "master_key_file = {key:?}\n[cluster]\npostgres_url = {url:?}\nnode_id = {name:?}\n",
            key = self.key_dir.path().join("master.key"),
            url = self.pg.url(),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_key_made_on_one_node_works_on_all_within_a_second_and_so_does_its_revocation() {
    let _ = IGNORED;
    let cluster = Cluster::start(3);
    let [a, b, c] = &cluster.nodes[..] else {
        unreachable!()
    };
    cluster.add_claude_account();
    let (id, secret) = a.create_key("shared", &[]);
    b.remember(&secret);
    c.remember(&secret);
    for node in [a, b, c] {
        let took = answers(node, &secret, 200, Duration::from_secs(1)).await;
        eprintln!("key usable on {} after {took:?}", node.url);
    }

    let revoked = b.ctl(&["key", "revoke", &id]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    for node in [a, c] {
        let took = answers(node, &secret, 401, Duration::from_secs(1)).await;
        eprintln!("revocation seen on {} after {took:?}", node.url);
    }

    // One audit chain for the whole cluster, whole on every node.
    for node in [a, b, c] {
        let report = node.ctl_json(&["audit", "verify"]);
        assert_eq!(report["ok"], true, "{report}");
        let entries = node.ctl_json(&["audit", "list"]);
        let actions: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"Keys/CreateKey"), "{actions:?}");
        assert!(actions.contains(&"Keys/RevokeKey"), "{actions:?}");
    }
}
