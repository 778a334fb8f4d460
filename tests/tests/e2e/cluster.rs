//! Several gatewayd nodes as one gateway: private PostgreSQL (and Redis) servers on
//! loopback, three real daemons sharing them, gatewayctl on any node's socket.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use gateway_tests::services::{Postgres, Redis};

use crate::support::{claude_body, post, ten_tokens, CLAUDE_UPSTREAM_KEY};

const IGNORED: &str =
    "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it";

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

    fn config(&self, name: &str) -> String {
        format!(
            "master_key_file = {key:?}\n{extra}\n[cluster]\npostgres_url = {url:?}\nredis_url = {redis:?}\nnode_id = {name:?}\n",
            key = self.key_dir.path().join("master.key"),
            url = self.pg.url(),
            redis = self.redis.url(),
            extra = self.extra,
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

    // Any node's status lists every node, and says that limits are shared.
    let status = gateway_tests::harness::eventually("every node in status", || {
        let status = c.ctl_json(&["status"]);
        let nodes = status["cluster"]["nodes"].as_array()?.len();
        (nodes == 3).then_some(status)
    });
    let cluster_status = &status["cluster"];
    assert_eq!(cluster_status["node_id"], "c");
    assert_eq!(cluster_status["postgres_reachable"], true);
    assert_eq!(cluster_status["limits"], "shared");
    let names: Vec<&str> = cluster_status["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["node_id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    for n in cluster_status["nodes"].as_array().unwrap() {
        assert_eq!(n["version"], status["version"]);
        assert_eq!(n["limits_shared"], true);
    }
    let table = String::from_utf8(c.ctl(&["status"]).stdout).unwrap();
    assert!(
        table.contains("limits") && table.contains("shared"),
        "{table}"
    );

    // Control writes from every node at once: each lands once, in one unbroken chain.
    std::thread::scope(|s| {
        for (n, node) in [a, b, c].into_iter().enumerate() {
            s.spawn(move || {
                for i in 0..5 {
                    let name = format!("parallel-{n}-{i}");
                    let out = node.ctl(&["key", "create", "--name", &name]);
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            });
        }
    });
    for node in [a, b, c] {
        gateway_tests::harness::eventually("15 new keys on every node", || {
            let keys = node.ctl_json(&["key", "list"]);
            let made = keys
                .as_array()?
                .iter()
                .filter(|k| {
                    k["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("parallel-"))
                })
                .count();
            (made == 15).then_some(())
        });
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
        let created = actions.iter().filter(|a| **a == "Keys/CreateKey").count();
        assert_eq!(created, 16, "{actions:?}");
        assert!(actions.contains(&"Keys/RevokeKey"), "{actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_key_s_limits_hold_for_the_whole_cluster() {
    let cluster = Cluster::start(3);
    cluster.add_claude_account();
    let nodes = &cluster.nodes;

    let secret = shared_key(&cluster, "rpm", &["--rpm", "10"]).await;
    let sent = (0..60).map(|i| claude(&nodes[i % 3], &secret, "hi"));
    let statuses = futures_util::future::join_all(sent).await;
    assert_eq!(count(&statuses, 200), 10, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 50, "{statuses:?}");
    // The key holder sees the cluster's count on any node.
    let url = format!("{}/gateway/usage", nodes[2].url);
    let own = crate::support::get_json(&url, "x-api-key", &secret).await;
    let rpm = own["limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "requests_per_minute")
        .unwrap()
        .clone();
    assert_eq!(
        (rpm["used"].as_u64(), rpm["remaining"].as_u64()),
        (Some(10), Some(0)),
        "{own}"
    );
    assert!(
        rpm["clears_at"].is_string() || rpm["clears_at"].is_i64(),
        "{own}"
    );

    let secret = shared_key(&cluster, "slow", &["--max-concurrent", "2"]).await;
    let slow = "slow [[mock:ok ttfb_ms=800]]";
    let sent = (0..9).map(|i| claude(&nodes[i % 3], &secret, slow));
    let statuses = futures_util::future::join_all(sent).await;
    assert_eq!(count(&statuses, 200), 2, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 7, "{statuses:?}");
    // The slots come back when the answers end, on whichever node.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let sent = (0..2).map(|i| claude(&nodes[i + 1], &secret, "again"));
        let statuses = futures_util::future::join_all(sent).await;
        if statuses == [200, 200] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "slots not given back: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn an_expiring_login_is_refreshed_once_for_the_whole_cluster() {
    let cluster = Cluster::start_with(3, "[oauth]\nclaude_token_url = \"{mock}/v1/oauth/token\"\n");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    // Expires within the 5-minute refresh lead: due now, on every node.
    crate::oauth::import(
        &cluster.nodes[0],
        &cluster.mock,
        "max-1",
        "at-old",
        "rt-first",
        now_ms + 60_000,
    );
    let secret = shared_key(&cluster, "dev", &[]).await;
    let sends = (0..60).map(|i| crate::oauth::send(&cluster.nodes[i % 3], &secret));
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        cluster.mock.oauth_refresh_calls(),
        1,
        "one refresh for the whole cluster (a second would reuse the rotated token)"
    );
    let tokens: std::collections::BTreeSet<String> = cluster
        .mock
        .requests()
        .iter()
        .filter_map(|r| r.account.clone())
        .collect();
    assert_eq!(tokens.len(), 1, "every node used the new token: {tokens:?}");
    assert!(!tokens.contains("at-old"));

    // The subscription windows one node's answers report reach the others.
    let token = tokens.into_iter().next().unwrap();
    cluster.mock.set_windows(&token, 0.42, 3_600);
    assert_eq!(crate::oauth::send(&cluster.nodes[0], &secret).await, 200);
    let id = cluster.nodes[0].ctl_json(&["account", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for node in &cluster.nodes[1..] {
        gateway_tests::harness::eventually("the windows on every node", || {
            let usage = node.ctl_json(&["account", "usage", &id]);
            let utilization = usage["windows"].as_array()?.first()?["utilization"].as_f64()?;
            ((utilization - 0.42).abs() < 1e-9).then_some(())
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn usage_from_every_node_adds_up_in_stats_and_the_log_on_any_node() {
    let cluster = Cluster::start(3);
    cluster.add_claude_account();
    let secret = shared_key(&cluster, "dev", &[]).await;
    let sends = (0..30).map(|i| crate::support::ten_tokens_ok(&cluster.nodes[i % 3].url, &secret));
    futures_util::future::join_all(sends).await;
    for node in &cluster.nodes {
        node.settle();
    }
    for node in &cluster.nodes {
        let stats = node.ctl_json(&["stats", "--by", "key"]);
        assert_eq!(stats[0]["requests"], 30, "{stats}");
        let log = node.ctl_json(&["log", "tail", "--limit", "100"]);
        assert_eq!(log.as_array().unwrap().len(), 30, "{log}");
    }
    let stats = cluster.nodes[1].ctl_json(&["stats", "--by", "model"]);
    assert_eq!(
        stats[0]["output_tokens"], 300,
        "ten tokens an answer: {stats}"
    );
}

/// Waits until `node`'s status says `field` of the cluster is `value`.
fn status_says(node: &Daemon, field: &str, value: serde_json::Value) {
    gateway_tests::harness::eventually(&format!("status: {field} = {value}"), || {
        (node.ctl_json(&["status"])["cluster"][field] == value).then_some(())
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_node_killed_redis_then_postgres_stopped_the_rest_serve_and_recover() {
    let (hook, alerts) = crate::observe::receiver(false);
    let mut cluster = Cluster::start_with(3, &format!("[alerts]\nwebhooks = [\"{hook}\"]\n"));
    let alerted = |kind: &str, about: &str| {
        gateway_tests::harness::eventually(&format!("a {kind} alert about {about}"), || {
            let got = alerts.lock().unwrap().clone();
            got.iter()
                .any(|a| a["kind"] == kind && a["message"].as_str().unwrap_or("").contains(about))
                .then_some(())
        });
    };
    cluster.add_claude_account();
    let secret = shared_key(&cluster, "dev", &["--rpm", "6"]).await;
    let mut served = 0;

    // kill -9 of one node: the others serve every request.
    let killed = cluster.nodes.pop().unwrap();
    drop(killed.kill());
    for i in 0..4 {
        assert_eq!(claude(&cluster.nodes[i % 2], &secret, "hi").await, 200);
        served += 1;
    }

    // Redis away: limits are node-local (each node admits the key's 6), shown in status.
    cluster.redis.halt();
    for node in &cluster.nodes {
        status_says(
            node,
            "limits",
            "node-local (degraded: Redis unreachable)".into(),
        );
    }
    for node in &cluster.nodes {
        let sent = (0..8).map(|_| claude(node, &secret, "hi"));
        let statuses = futures_util::future::join_all(sent).await;
        assert_eq!(count(&statuses, 200), 6, "{statuses:?}");
        served += 8;
    }
    // Back (empty): shared again, the cluster admits 6 in all.
    cluster.redis.resume();
    for node in &cluster.nodes {
        status_says(node, "limits", "shared".into());
    }
    alerted("cluster_recovered", "Redis");
    let sent = (0..12).map(|i| claude(&cluster.nodes[i % 2], &secret, "hi"));
    let statuses = futures_util::future::join_all(sent).await;
    assert_eq!(count(&statuses, 200), 6, "{statuses:?}");
    served += 12;

    // PostgreSQL away: both nodes serve from their snapshot, control changes are refused
    // clearly, and a node restarted meanwhile starts from its snapshot.
    for node in &cluster.nodes {
        node.settle();
    }
    cluster.pg.halt();
    let open = cluster.nodes[0].ctl(&["key", "create", "--name", "during-outage"]);
    assert_eq!(open.status.code(), Some(69), "{open:?}");
    let message = String::from_utf8_lossy(&open.stderr);
    assert!(message.contains("PostgreSQL"), "{message}");
    // A node that never synced has nothing to serve from: it refuses to start.
    let fresh = tempfile::tempdir().unwrap();
    std::fs::write(fresh.path().join("gatewayd.toml"), cluster.config("d")).unwrap();
    let config = fresh.path().join("gatewayd.toml");
    let refused = Daemon::try_start_in(fresh, &["--config", config.to_str().unwrap()])
        .err()
        .expect("a node without a snapshot does not start without PostgreSQL");
    assert!(
        refused.log.contains("no snapshot of the cluster yet"),
        "{}",
        refused.log
    );
    let b = cluster.nodes.pop().unwrap();
    let (dir, _) = b.stop();
    let config = dir.path().join("gatewayd.toml");
    let b = Daemon::start_in(dir, &["--config", config.to_str().unwrap()]);
    status_says(&b, "postgres_reachable", false.into());
    alerted("cluster_degraded", "PostgreSQL");
    cluster.nodes.push(b);
    cluster.nodes[1].remember(&secret);
    for node in &cluster.nodes {
        let sent = (0..3).map(|_| ten_tokens(&node.url, &secret));
        for answer in futures_util::future::join_all(sent).await {
            assert!(
                matches!(answer.status().as_u16(), 200 | 429),
                "{}",
                answer.status()
            );
        }
        served += 3;
    }

    // PostgreSQL back: changes go through again and reach the other node; the usage the
    // nodes held meanwhile is in the ledger, every request counted once.
    cluster.pg.resume();
    status_says(&cluster.nodes[0], "postgres_reachable", true.into());
    alerted("cluster_recovered", "PostgreSQL");
    let after = shared_key(&cluster, "after", &[]).await;
    assert_eq!(claude(&cluster.nodes[1], &after, "hi").await, 200);
    served += 1;
    for node in &cluster.nodes {
        node.settle();
    }
    let stats = gateway_tests::harness::eventually("every request in the ledger", || {
        let stats = cluster.nodes[1].ctl_json(&["stats", "--by", "key"]);
        let total: u64 = stats
            .as_array()?
            .iter()
            .map(|row| row["requests"].as_u64().unwrap_or(0))
            .sum();
        (total == served).then_some(stats)
    });
    eprintln!("{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_conversation_keeps_its_account_and_a_cool_down_holds_on_every_node() {
    use gateway_tests::mock::{Action, Fault};
    let cluster = Cluster::start(3);
    let nodes = &cluster.nodes;
    for name in ["a", "b", "c"] {
        let url = cluster.mock.url();
        nodes[0].add_account(&format!("claude-{name}"), "claude-code", name, &url, &[]);
    }
    let secret = shared_key(&cluster, "dev", &[]).await;

    // Each turn of a conversation reaches another node; one account serves them all.
    for session in ["s1", "s2"] {
        // The nodes' round robins stand at different accounts.
        for (skew, node) in nodes.iter().enumerate() {
            for _ in 0..skew {
                assert_eq!(claude(node, &secret, "skew").await, 200);
            }
        }
        cluster.mock.clear_requests();
        for i in 0..9 {
            let mut body = claude_body(false, "turn");
            body["metadata"] =
                serde_json::json!({"user_id": format!("user_1_account_2_session_{session}")});
            let url = format!("{}/v1/messages", nodes[i % 3].url);
            assert_eq!(post(&url, "x-api-key", &secret, &body).await.status(), 200);
        }
        let accounts: std::collections::BTreeSet<String> = cluster
            .mock
            .requests()
            .iter()
            .filter_map(|r| r.account.clone())
            .collect();
        assert_eq!(accounts.len(), 1, "{session} moved between {accounts:?}");
    }

    // A 429 one node meets benches the account on every node.
    cluster.mock.clear_requests();
    cluster.mock.fault(Fault::for_account(
        "a",
        Action::Status {
            code: 429,
            retry_after: Some(300),
        },
        1,
    ));
    // Each request a conversation of its own, so round robin walks the accounts.
    let unpinned = |node: &Daemon, n: usize| {
        let mut body = claude_body(false, "question");
        body["metadata"] = serde_json::json!({"user_id": format!("user_1_account_2_session_q{n}")});
        let url = format!("{}/v1/messages", node.url);
        let secret = secret.clone();
        async move {
            post(&url, "x-api-key", &secret, &body)
                .await
                .status()
                .as_u16()
        }
    };
    let mut tries = 0;
    while cluster.mock.requests_for("a").is_empty() {
        assert_eq!(unpinned(&nodes[0], tries).await, 200);
        tries += 1;
        let seen: Vec<(Option<String>, u16)> = cluster
            .mock
            .requests()
            .iter()
            .map(|r| (r.account.clone(), r.status))
            .collect();
        assert!(tries < 10, "round robin never reached account a: {seen:?}");
    }
    for node in &nodes[1..] {
        gateway_tests::harness::eventually("the cool-down on the other nodes", || {
            let accounts = node.ctl_json(&["account", "list"]);
            let a = accounts
                .as_array()?
                .iter()
                .find(|a| a["name"] == "claude-a")?
                .clone();
            (a["cooling_reason"] == "rate limited").then_some(())
        });
    }
    for i in 0..12 {
        assert_eq!(unpinned(&nodes[1 + i % 2], 100 + i).await, 200);
    }
    let statuses: Vec<u16> = cluster
        .mock
        .requests_for("a")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429], "no node tried account a again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn drain_wait_on_one_node_waits_for_requests_in_flight_on_every_node() {
    let cluster = Cluster::start(2);
    let account = cluster.add_claude_account();
    let secret = shared_key(&cluster, "dev", &[]).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    let url = format!("{}/v1/messages", b.url);
    let slow = tokio::spawn(async move {
        let body = claude_body(false, "slow [[mock:ok ttfb_ms=3000]]");
        let answer = post(&url, "x-api-key", &secret, &body).await;
        assert_eq!(answer.status(), 200);
        let _ = answer.bytes().await;
        Instant::now()
    });
    gateway_tests::harness::eventually("the slow request in flight on b", || {
        (b.ctl_json(&["status"])["in_flight"] == 1).then_some(())
    });
    let socket = a.socket();
    let drained = tokio::task::spawn_blocking(move || {
        let out = gateway_tests::harness::ctl_at(
            &socket,
            &["--json", "account", "drain", &account, "--wait"],
            b"",
        );
        (out, Instant::now())
    });
    let (out, drained_at) = drained.await.unwrap();
    let finished_at = slow.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        finished_at <= drained_at,
        "the drain on a returned while b still served the account"
    );
    assert_eq!(
        claude(b, &shared_key(&cluster, "after", &[]).await, "hi").await,
        503
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn the_benchmark_s_cluster_part_runs_without_errors() {
    let gatewayd = gateway_tests::harness::bin("gatewayd");
    let options = gateway_tests::bench::Options {
        bin_dir: gatewayd.parent().unwrap().to_owned(),
        quick: false,
        smoke: true,
        accounts: 1,
        upstream_latency_ms: 0,
        pin: false,
        static_upstream: false,
        only: vec!["cluster".to_owned()],
    };
    let report = gateway_tests::bench::run(options)
        .await
        .expect("benchmark runs");
    let cluster = report.cluster.as_ref().expect("the cluster part ran");
    for run in &cluster.runs {
        assert!(run.single.ok > 0 && run.cluster.ok > 0, "no answers");
        assert_eq!((run.single.errors, run.cluster.errors), (0, 0), "errors");
    }
    assert!(report.text().contains("shared admission"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_dollar_budget_holds_for_the_whole_cluster_and_outlives_a_redis_restart() {
    let (hook, alerts) = crate::observe::receiver(false);
    let mut cluster = Cluster::start_with(
        3,
        &format!(
            "[alerts]\nwebhooks = [\"{hook}\"]\n\
             [[prices]]\nmodel = \"claude-sonnet-mock\"\ninput = 0.0\noutput = 10000.0\n"
        ),
    );
    cluster.add_claude_account();
    // $0.10 an answer: three leave $0.05, which still admits one more; then it is spent,
    // whichever node is asked.
    let secret = shared_key(&cluster, "dev", &["--budget-usd", "day=0.35"]).await;
    let usage = format!("{}/gateway/usage", cluster.nodes[2].url);
    for i in 0..4 {
        let answer = ten_tokens(&cluster.nodes[i % 3].url, &secret).await;
        assert_eq!(answer.status(), 200, "answer {i}");
        let _ = answer.bytes().await;
        // The answer's cost settles in Redis as its permit is dropped, just after.
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let own = crate::support::get_json(&usage, "x-api-key", &secret).await;
            let spent = own["budgets"][0]["spent_usd"].as_f64().unwrap_or(0.0);
            if (spent - 0.10 * (i + 1) as f64).abs() < 1e-9 {
                break;
            }
            assert!(Instant::now() < deadline, "answer {i} never settled: {own}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let refuse = |node: usize| ten_tokens(&cluster.nodes[node].url, &secret);
    for node in 0..3 {
        let answer = refuse(node).await;
        assert_eq!(answer.status(), 429, "node {node}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["type"], "rate_limit_error", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("$0.35 per day"),
            "{body}"
        );
    }
    // Any node shows the cluster's spend.
    let url = format!("{}/gateway/usage", cluster.nodes[2].url);
    let own = crate::support::get_json(&url, "x-api-key", &secret).await;
    let spent = own["budgets"][0]["spent_usd"].as_f64().unwrap();
    assert!((spent - 0.40).abs() < 1e-9, "{own}");
    // One alert at 80% for the whole cluster.
    let raised = gateway_tests::harness::eventually("the budget alert", || {
        let got = alerts.lock().unwrap().clone();
        let budget: Vec<serde_json::Value> = got
            .into_iter()
            .filter(|a| a["kind"] == "budget_threshold")
            .collect();
        (!budget.is_empty()).then_some(budget)
    });
    assert_eq!(raised.len(), 1, "{raised:?}");

    // Redis restarts empty: the spend comes back from the ledger, the key stays refused.
    for node in &cluster.nodes {
        node.settle();
    }
    cluster.redis.halt();
    cluster.redis.resume();
    for node in &cluster.nodes {
        status_says(node, "limits", "shared".into());
    }
    let url = format!("{}/gateway/usage", cluster.nodes[0].url);
    gateway_tests::harness::eventually("the spend seeded again", || {
        let own = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(crate::support::get_json(
                &url,
                "x-api-key",
                &secret,
            ))
        });
        let spent = own["budgets"][0]["spent_usd"].as_f64()?;
        ((spent - 0.40).abs() < 1e-9).then_some(())
    });
    assert_eq!(refuse(1).await.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn an_address_locked_out_on_one_node_is_locked_out_on_all() {
    let cluster = Cluster::start_with(2, "[limits]\nfailed_auth_per_minute = 3\n");
    cluster.add_claude_account();
    let secret = shared_key(&cluster, "dev", &[]).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    for _ in 0..3 {
        assert_eq!(claude(a, "gw-not-a-key-0000000000", "hi").await, 401);
    }
    // Even the right key from that address is refused now, on the other node too.
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let url = format!("{}/v1/messages", b.url);
        let answer = post(&url, "x-api-key", &secret, &claude_body(false, "hi")).await;
        if answer.status() == 429 {
            let body: serde_json::Value = answer.json().await.unwrap();
            let message = body["error"]["message"].as_str().unwrap_or("");
            assert!(message.contains("failed key attempts"), "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "b still admits the address: {}",
            answer.status()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
