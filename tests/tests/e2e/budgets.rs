//! Spend budgets per key in dollars: answers are priced by the price table, reserved at
//! admission and settled after; over budget a key gets a 429 that names the reset, an
//! alert goes out once a period at the alert fraction, and `key show` and `stats` show
//! each budget as it stands.

use gateway_tests::harness::{eventually, Daemon};
use gateway_tests::mock::{MockConfig, MockHandle};
use serde_json::Value;

use crate::support::{ten_tokens, ten_tokens_model};

/// One answer of 10 output tokens at $0.01 a token: $0.10.
async fn send(daemon: &Daemon, secret: &str) -> reqwest::Response {
    ten_tokens(&daemon.url, secret).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dollar_budget_stops_a_key_until_its_period_resets_and_alerts_first() {
    let mock = MockHandle::start(MockConfig::default());
    let (hook, alerts) = crate::observe::receiver(false);
    let daemon = Daemon::start_with_config(&format!(
        "[alerts]\nwebhooks = [\"{hook}\"]\n\
         [[prices]]\nmodel = \"claude-sonnet-mock\"\ninput = 0.0\noutput = 10000.0\n"
    ));
    daemon.add_account("api", "claude-code", "sk-ant-api", &mock.url(), &[]);
    let (key, secret) = daemon.create_key("dev", &["--budget-usd", "day=0.35,total=100"]);
    let shown = daemon.ctl_json(&["key", "show", &key]);
    assert_eq!(shown["budget_usd"]["day"], 0.35, "{shown}");
    assert_eq!(shown["budget_usd"]["total"], 100.0);

    // $0.10 an answer: three leave $0.05, which still admits one more; then it is spent.
    for _ in 0..4 {
        let answer = send(&daemon, &secret).await;
        assert_eq!(answer.status(), 200);
        let _ = answer.bytes().await;
    }
    let refused = send(&daemon, &secret).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&wait), "until midnight UTC: {wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["type"], "rate_limit_error");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("$0.35 per day") && message.contains("resets at"),
        "{message}"
    );

    let shown = daemon.ctl_json(&["key", "show", &key]);
    let day = &shown["budgets"][0];
    assert_eq!(day["period"], "day", "{shown}");
    assert!(
        (day["spent_usd"].as_f64().unwrap() - 0.40).abs() < 1e-9,
        "{shown}"
    );
    assert!(day["resets_at"].is_i64());
    assert_eq!(shown["budgets"][1]["period"], "total");

    let stats = eventually("the key's spend in stats", || {
        let stats = daemon.ctl_json(&["stats", "--by", "key"]);
        (stats[0]["requests"] == 5).then_some(stats)
    });
    assert!((stats[0]["budgets"][0]["spent_usd"].as_f64().unwrap() - 0.40).abs() < 1e-9);
    assert_eq!(stats[0]["errors"], 1, "the refusal: {stats}");

    let raised = eventually("one alert at 80% of the day budget", || {
        let got = alerts.lock().unwrap().clone();
        let budget: Vec<Value> = got
            .into_iter()
            .filter(|a| a["kind"] == "budget_threshold")
            .collect();
        (!budget.is_empty()).then_some(budget)
    });
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0]["key"], key.as_str());
    assert!(
        raised[0]["message"]
            .as_str()
            .unwrap()
            .contains("day budget of $0.35"),
        "{raised:?}"
    );

    // Raised by the operator, the key works again at once.
    daemon.ctl_json(&["key", "update", &key, "--budget-usd", "day=1"]);
    let answer = send(&daemon, &secret).await;
    assert_eq!(answer.status(), 200);
    // With room again, a model no price covers is refused: it would cost nothing here.
    let unpriced = ten_tokens_model(&daemon.url, &secret, "mystery-model").await;
    assert_eq!(unpriced.status(), 403);
    let body: Value = unpriced.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("mystery-model has no price"), "{message}");

    let table = daemon.ctl(&["key", "show", &key]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("day: $0.50 of $1.00 (50%)"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spend_counted_before_a_kill_still_counts_after_the_restart() {
    let mock = MockHandle::start(MockConfig::default());
    let config = "[[prices]]\nmodel = \"claude-sonnet-mock\"\ninput = 0.0\noutput = 10000.0\n";
    let daemon = Daemon::start_with_config(config);
    daemon.add_account("api", "claude-code", "sk-ant-api", &mock.url(), &[]);
    let (_, secret) = daemon.create_key("dev", &["--budget-usd", "day=0.35"]);
    for _ in 0..3 {
        let answer = send(&daemon, &secret).await;
        assert_eq!(answer.status(), 200);
        let _ = answer.bytes().await;
    }
    // Acknowledged once in the ledger (a flush after the answers); killed before the
    // windows' own save (every 30 s).
    eventually("the three answers in the ledger", || {
        let stats = daemon.ctl_json(&["stats", "--by", "key"]);
        (stats[0]["requests"] == 3).then_some(())
    });
    let dir = daemon.kill();
    let path = dir.path().join("gatewayd.toml");
    let daemon = Daemon::start_in(dir, &["--config", path.to_str().unwrap()]);
    daemon.remember(&secret);
    let answer = send(&daemon, &secret).await;
    assert_eq!(answer.status(), 200, "$0.30 of $0.35 spent: room for one");
    let _ = answer.bytes().await;
    assert_eq!(send(&daemon, &secret).await.status(), 429, "$0.40 spent");
}
