//! `GET /gateway/usage`: a key holder reads their own key's limits, budgets and usage
//! with the key they present, in any of the places a key is accepted; never another
//! key's, and reading changes nothing.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use serde_json::Value;

use crate::support::{ten_tokens_ok, World};

async fn usage(daemon: &Daemon, place: &str, secret: &str) -> (u16, Value) {
    let url = format!("{}/gateway/usage", daemon.url);
    let request = match place {
        "x-api-key" => World::client().get(&url).header("x-api-key", secret),
        "bearer" => World::client().get(&url).bearer_auth(secret),
        "x-goog-api-key" => World::client().get(&url).header("x-goog-api-key", secret),
        _ => World::client().get(format!("{url}?key={secret}")),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The key's own view once `requests` of its requests today are counted (the recorder
/// takes them in rounds, so a key's last answers may land a round after another key's).
async fn counted(daemon: &Daemon, secret: &str, requests: u64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, body) = usage(daemon, "x-api-key", secret).await;
        if status == 200 && body["usage"]["today"]["requests"] == requests {
            return body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never counted: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_holder_sees_their_own_limits_budgets_and_usage_only() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(
        "[[prices]]\nmodel = \"claude-sonnet-mock\"\ninput = 0.0\noutput = 10000.0\n",
    );
    daemon.add_account("api", "claude-code", "sk-ant-api", &mock.url(), &[]);
    let (mine, secret) = daemon.create_key(
        "alice",
        &[
            "--rpm",
            "10",
            "--budget-usd",
            "day=5,month=60",
            "--expires",
            "30d",
        ],
    );
    let (_, other) = daemon.create_key("bob", &[]);
    for (secret, n) in [(&secret, 3), (&other, 2)] {
        for _ in 0..n {
            ten_tokens_ok(&daemon.url, secret).await;
        }
    }

    // The recorder counts answers in rounds as they end; wait until each key's are in.
    let seen = counted(&daemon, &secret, 3).await;
    assert_eq!(seen["key"]["id"], mine.as_str());
    assert_eq!(seen["key"]["name"], "alice");
    assert!(
        seen["key"]["expires_at"].as_str().unwrap().ends_with('Z'),
        "{seen}"
    );
    for period in ["today", "this_week", "this_month"] {
        let counted = &seen["usage"][period];
        assert_eq!(counted["requests"], 3, "{period}: {seen}");
        assert_eq!(counted["output_tokens"], 30);
        assert!(
            (counted["cost_usd"].as_f64().unwrap() - 0.30).abs() < 1e-9,
            "{seen}"
        );
    }
    let rpm = &seen["limits"][0];
    assert_eq!(
        (rpm["name"].as_str(), rpm["limit"].as_u64()),
        (Some("requests_per_minute"), Some(10))
    );
    assert_eq!(
        (rpm["used"].as_u64(), rpm["remaining"].as_u64()),
        (Some(3), Some(7))
    );
    assert!(rpm["clears_at"].is_string());
    let day = &seen["budgets"][0];
    assert_eq!(day["period"], "day");
    assert!(
        (day["spent_usd"].as_f64().unwrap() - 0.30).abs() < 1e-9,
        "{seen}"
    );
    assert!(
        (day["remaining_usd"].as_f64().unwrap() - 4.70).abs() < 1e-9,
        "{seen}"
    );
    assert!(
        day["resets_at"].as_str().unwrap().ends_with("T00:00:00Z"),
        "{seen}"
    );
    assert_eq!(seen["budgets"][1]["period"], "month");

    // Every place a key is accepted; reading is not a request and uses no limit.
    for place in ["bearer", "x-goog-api-key", "query"] {
        let (status, body) = usage(&daemon, place, &secret).await;
        assert_eq!(status, 200, "{place}: {body}");
        assert_eq!(body["key"]["id"], mine.as_str());
        assert_eq!(
            body["limits"][0]["used"], 3,
            "{place}: reading used nothing"
        );
    }
    // Another key sees only its own; a wrong key is refused in the dialect of its place.
    let theirs = counted(&daemon, &other, 2).await;
    assert_eq!(theirs["key"]["name"], "bob");
    assert_eq!(theirs["usage"]["today"]["requests"], 2, "{theirs}");
    assert_eq!(theirs["limits"], serde_json::json!([]));
    let (status, refused) = usage(&daemon, "x-api-key", "gwk_nope").await;
    assert_eq!(status, 401);
    assert_eq!(refused["error"]["type"], "authentication_error");
    let (status, refused) = usage(&daemon, "x-goog-api-key", "gwk_nope").await;
    assert_eq!(status, 401);
    assert_eq!(refused["error"]["status"], "UNAUTHENTICATED", "{refused}");

    // After a restart the month so far comes back from the ledger.
    let (dir, _) = daemon.stop();
    let config = dir.path().join("gatewayd.toml");
    let daemon = Daemon::start_in(dir, &["--config", config.to_str().unwrap()]);
    let (_, again) = usage(&daemon, "x-api-key", &secret).await;
    assert_eq!(again["usage"]["this_month"]["requests"], 3, "{again}");
}
