//! The pool as one reliable upstream: balancing strategies (switched by `config reload`),
//! sticky conversations, the circuit breaker, and active health checks, against mocks
//! with per-account faults and latencies.

use std::collections::HashMap;
use std::time::Duration;

use gateway_tests::harness::{eventually, Daemon};
use gateway_tests::mock::{Action, Fault, MockConfig, MockHandle};
use serde_json::Value;

use crate::support::{claude_body, post};

struct Pool {
    mock: MockHandle,
    daemon: Daemon,
    secret: String,
}

/// Claude accounts with upstream keys `keys` (and the given extra flags), all at
/// priority 0 on one mock, under `config`.
fn pool(config: &str, accounts: &[(&str, &[&str])]) -> Pool {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(config);
    let (_, secret) = daemon.create_key("dev", &[]);
    for (key, flags) in accounts {
        daemon.add_account(key, "claude-code", key, &mock.url(), flags);
    }
    Pool {
        mock,
        daemon,
        secret,
    }
}

/// A Claude Code turn of conversation `session` (its `metadata.user_id`).
fn turn(session: &str, text: &str) -> Value {
    let mut body = claude_body(false, text);
    body["metadata"] =
        serde_json::json!({"user_id": format!("user_1_account_2_session_{session}")});
    body
}

impl Pool {
    async fn send(&self, body: &Value) -> u16 {
        let url = format!("{}/v1/messages", self.daemon.url);
        let response = post(&url, "x-api-key", &self.secret, body).await;
        let status = response.status().as_u16();
        let _ = response.bytes().await;
        status
    }

    /// Upstream key → requests it served (2xx).
    fn served(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for r in self.mock.requests().iter().filter(|r| r.status == 200) {
            *counts.entry(r.account.clone().unwrap()).or_default() += 1;
        }
        counts
    }

    fn account(&self, name: &str) -> Value {
        let list = self.daemon.ctl_json(&["account", "list"]);
        let found = list.as_array().unwrap().iter().find(|a| a["name"] == name);
        let id = found.unwrap()["id"].as_str().unwrap().to_owned();
        self.daemon.ctl_json(&["account", "show", &id])
    }

    fn slow(&self, key: &str, ttfb_ms: u64) {
        let action = Action::Ok {
            tokens: None,
            ttfb_ms: Some(ttfb_ms),
            interval_ms: None,
            thinking: None,
        };
        self.mock.fault(Fault::for_account(key, action, 1000));
    }
}

fn history(account: &Value) -> Vec<(String, String)> {
    account["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            (s("state"), s("reason"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_are_honoured_after_a_config_reload() {
    let p = pool(
        "[balance]\nsticky_sessions = false\n",
        &[("heavy", &["--weight", "3"]), ("light", &["--weight", "1"])],
    );
    for i in 0..8 {
        assert_eq!(p.send(&claude_body(false, &format!("rr {i}"))).await, 200);
    }
    assert_eq!(
        p.served(),
        HashMap::from([("heavy".into(), 4), ("light".into(), 4)])
    );

    let config = p.daemon.dir.path().join("gatewayd.toml");
    std::fs::write(
        &config,
        "[balance]\nsticky_sessions = false\nclaude_code = \"weighted-round-robin\"\n",
    )
    .unwrap();
    let reload = p.daemon.ctl_json(&["config", "reload"]);
    assert!(
        reload["applied"].to_string().contains("balance"),
        "{reload}"
    );
    let status = p.daemon.ctl_json(&["status"]);
    assert_eq!(status["strategies"]["claude-code"], "weighted-round-robin");
    p.mock.clear_requests();
    for i in 0..40 {
        assert_eq!(p.send(&claude_body(false, &format!("w {i}"))).await, 200);
    }
    let served = p.served();
    assert_eq!(
        (served["heavy"], served["light"]),
        (30, 10),
        "smooth weighted round robin is exact over whole cycles"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn least_connections_keeps_away_from_a_slow_account() {
    let p = pool(
        "[balance]\nsticky_sessions = false\nstrategy = \"least-connections\"\n",
        &[("slow", &[]), ("fast", &[])],
    );
    p.slow("slow", 600);
    let p = std::sync::Arc::new(p);
    let mut tasks = Vec::new();
    for i in 0..20u64 {
        let p = std::sync::Arc::clone(&p);
        tasks.push(tokio::spawn(async move {
            // Staggered starts: each request is planned while earlier ones are in flight.
            tokio::time::sleep(Duration::from_millis(i * 15)).await;
            p.send(&claude_body(false, &format!("lc {i}"))).await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let served = p.served();
    let slow = served.get("slow").copied().unwrap_or(0);
    assert!(slow <= 2, "the busy slow account is avoided: {served:?}");
    assert_eq!(slow + served["fast"], 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastest_response_prefers_the_fast_account_and_keeps_measuring_the_other() {
    let p = pool(
        "[balance]\nsticky_sessions = false\nstrategy = \"fastest-response\"\nexplore_every = 5\n",
        &[("tortoise", &[]), ("hare", &[])],
    );
    p.slow("tortoise", 80);
    for i in 0..30 {
        assert_eq!(p.send(&claude_body(false, &format!("f {i}"))).await, 200);
    }
    let served = p.served();
    let tortoise = served["tortoise"];
    assert!(served["hare"] >= 22, "the fast account wins: {served:?}");
    assert!(tortoise >= 3, "the slow one is still explored: {served:?}");
    let before = p.account("tortoise")["latency_ms"].as_f64().unwrap();
    assert!(before >= 30.0, "measured slow: {before}");

    // It recovers: exploration measures it again and its average falls.
    p.mock.clear_faults();
    p.mock.clear_requests();
    for i in 0..30 {
        assert_eq!(p.send(&claude_body(false, &format!("g {i}"))).await, 200);
    }
    assert!(p.served()["tortoise"] >= 3, "{:?}", p.served());
    let after = p.account("tortoise")["latency_ms"].as_f64().unwrap();
    assert!(after < before / 2.0, "re-measured: {before} → {after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_stays_on_its_account_and_moves_when_that_fails() {
    let p = pool("", &[("a", &[]), ("b", &[]), ("c", &[])]);
    for i in 0..6 {
        assert_eq!(p.send(&turn("S1", &format!("turn {i}"))).await, 200);
    }
    let served = p.served();
    assert_eq!(
        served.len(),
        1,
        "one account for the whole conversation: {served:?}"
    );
    let home = served.keys().next().unwrap().clone();

    // Its account starts failing: the next turn moves, and the conversation stays moved.
    p.mock.fault(Fault::for_account(
        &home,
        Action::Status {
            code: 401,
            retry_after: None,
        },
        1,
    ));
    p.mock.clear_requests();
    for i in 0..4 {
        assert_eq!(p.send(&turn("S1", &format!("later {i}"))).await, 200);
    }
    let moved = p.served();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(!moved.contains_key(&home), "{moved:?}");

    // Other conversations spread over the pool.
    p.mock.clear_requests();
    for s in 0..9 {
        assert_eq!(p.send(&turn(&format!("other-{s}"), "hi")).await, 200);
    }
    assert_eq!(
        p.served().len(),
        2,
        "the two healthy accounts share new conversations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_checks_bring_a_failed_account_back_and_skip_disabled_ones() {
    let p = pool(
        "[balance]\nsticky_sessions = false\n[health]\ncheck_interval = \"300ms\"\n",
        &[("broken", &[]), ("spare", &[]), ("off", &[])],
    );
    let off = p.account("off")["id"].as_str().unwrap().to_owned();
    p.daemon.ctl_json(&["account", "disable", &off]);
    let refused = Action::Status {
        code: 401,
        retry_after: None,
    };
    p.mock.fault(Fault::for_account("broken", refused, 1));
    for i in 0..4 {
        assert_eq!(p.send(&claude_body(false, &format!("h {i}"))).await, 200);
    }
    assert_eq!(p.account("broken")["status"], "error");

    // The mock has healed (the fault was used up): the next probe restores the account.
    let back = eventually("a health check to restore the account", || {
        // The status and its history entry are two writes: wait for both.
        let broken = p.account("broken");
        let noted =
            history(&broken).contains(&("active".to_owned(), "health check passed".to_owned()));
        (broken["status"] == "active" && noted).then_some(broken)
    });
    assert_eq!(back["last_check"]["ok"], true, "{back}");
    assert!(back["last_health_check"].is_i64());
    let probes: Vec<String> = p
        .mock
        .requests_for("broken")
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(probes.contains(&"/v1/models".to_owned()), "{probes:?}");
    eventually("the spare account to be probed too", || {
        (!p.mock.requests_for("spare").is_empty()).then_some(())
    });
    assert!(
        p.mock.requests_for("off").is_empty(),
        "a disabled account is never probed"
    );
}
