//! The hot state in Redis: limits and budgets for the whole cluster, conversations on
//! one account, cool-downs and lock-outs on every node.

use super::*;

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
    let answer = refuse(1).await;
    assert_eq!(answer.status(), 429, "{}", cluster.nodes[1].log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn failed_key_attempts_count_for_the_cluster_and_a_lock_out_holds_on_every_node() {
    let config =
        "[limits]\nfailed_auth_per_minute = 4\n\n[security]\ntrusted_proxies = [\"127.0.0.1\"]\n";
    let cluster = Cluster::start_with(2, config);
    cluster.add_claude_account();
    let secret = shared_key(&cluster, "dev", &[]).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    // One address tries four bad keys on one node: that node locks it out and tells b.
    for _ in 0..4 {
        assert_eq!(from(a, "10.0.0.1", "gw-not-a-key-0000000000").await, 401);
    }
    refused_for_failed_attempts(b, "10.0.0.1", &secret).await;
    // Another spreads its four over both nodes: neither saw four, the cluster did.
    for node in [a, b, a, b] {
        assert_eq!(from(node, "10.0.0.2", "gw-not-a-key-0000000000").await, 401);
    }
    refused_for_failed_attempts(a, "10.0.0.2", &secret).await;
    refused_for_failed_attempts(b, "10.0.0.2", &secret).await;
    // An address with fewer failures than the limit is still let in everywhere.
    assert_eq!(from(b, "10.0.0.3", "gw-not-a-key-0000000000").await, 401);
    assert_eq!(from(a, "10.0.0.3", &secret).await, 200);
}

/// Sends a request with `secret` to `node` as if from `ip` (the test's proxy forwards it).
async fn send_from(node: &Daemon, ip: &str, secret: &str) -> reqwest::Response {
    crate::support::World::client()
        .post(format!("{}/v1/messages", node.url))
        .header("x-api-key", secret)
        .header("x-forwarded-for", ip)
        .json(&claude_body(false, "hi"))
        .send()
        .await
        .unwrap()
}

async fn from(node: &Daemon, ip: &str, secret: &str) -> u16 {
    send_from(node, ip, secret).await.status().as_u16()
}

/// Waits (at most a second) until even the right key from `ip` is refused by `node`.
async fn refused_for_failed_attempts(node: &Daemon, ip: &str, secret: &str) {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let answer = send_from(node, ip, secret).await;
        if answer.status() == 429 {
            let body: serde_json::Value = answer.json().await.unwrap();
            let message = body["error"]["message"].as_str().unwrap_or("");
            assert!(message.contains("failed key attempts"), "{body}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} still admits {ip}: {}",
            node.url,
            answer.status()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
