//! A node killed, Redis and PostgreSQL stopped and back; and the benchmark's cluster
//! part.

use super::*;

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
    let admissions: std::collections::BTreeSet<_> =
        cluster.runs.iter().map(|run| run.admission).collect();
    assert_eq!(Vec::from_iter(admissions), ["leased", "per request"]);
    assert!(report.text().contains("shared admission"));
}
