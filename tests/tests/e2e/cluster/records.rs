//! The cluster's record on PostgreSQL: keys and revocations everywhere within a second,
//! one audit chain, one OAuth refresh, usage and drains across nodes.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_key_made_on_one_node_works_on_all_within_a_second_and_so_does_its_revocation() {
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
    // A follower of the log on one node sees the entries every node writes.
    let mut follower = std::process::Command::new(gateway_tests::harness::bin("gatewayctl"))
        .arg("--socket")
        .arg(cluster.nodes[0].socket())
        .args(["--json", "log", "tail", "--follow", "--limit", "100"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (lines, followed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let sends = (0..30).map(|i| crate::support::ten_tokens_ok(&cluster.nodes[i % 3].url, &secret));
    futures_util::future::join_all(sends).await;
    for node in &cluster.nodes {
        node.settle();
    }
    let mut ids = std::collections::BTreeSet::new();
    while ids.len() < 30 {
        let line = followed
            .recv_timeout(Duration::from_secs(10))
            .expect("the follower saw every node's entries");
        let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
        ids.insert(entry["request_id"].as_str().unwrap().to_owned());
    }
    let _ = follower.kill();
    let _ = follower.wait();
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
