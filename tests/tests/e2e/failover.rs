//! Failover before the first byte, cool-downs, failed credentials, and streams cut midway.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{Action, Fault, MockConfig, MockHandle};
use serde_json::Value;

use crate::support::{claude_body, gemini_body, post};

struct Pool {
    mock: MockHandle,
    daemon: Daemon,
    secret: String,
}

/// Three claude-code accounts (upstream keys a, b, c) and two gemini-cli ones (g1, g2),
/// in plain round robin: the same request body each time would otherwise stick to one
/// account.
fn pool() -> Pool {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[balance]\nsticky_sessions = false\n");
    let (_, secret) = daemon.create_key("dev", &[]);
    for key in ["a", "b", "c"] {
        daemon.add_account(
            &format!("claude-{key}"),
            "claude-code",
            key,
            &mock.url(),
            &[],
        );
    }
    for key in ["g1", "g2"] {
        daemon.add_account(
            &format!("gemini-{key}"),
            "gemini-cli",
            key,
            &mock.url(),
            &[],
        );
    }
    Pool {
        mock,
        daemon,
        secret,
    }
}

impl Pool {
    async fn claude(&self, stream: bool) -> reqwest::Response {
        let url = format!("{}/v1/messages", self.daemon.url);
        post(&url, "x-api-key", &self.secret, &claude_body(stream, "hi")).await
    }

    async fn gemini(&self) -> reqwest::Response {
        let url = format!(
            "{}/v1beta/models/gemini-2.5-pro:generateContent",
            self.daemon.url
        );
        post(&url, "x-goog-api-key", &self.secret, &gemini_body("hi")).await
    }

    fn account(&self, name: &str) -> Value {
        let list = self.daemon.ctl_json(&["account", "list"]);
        list.as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()
            .clone()
    }

    fn statuses(&self, key: &str) -> Vec<u16> {
        self.mock
            .requests_for(key)
            .iter()
            .map(|r| r.status)
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_account_is_skipped_and_rested_until_retry_after() {
    let p = pool();
    p.mock.fault(Fault::for_account(
        "a",
        Action::Status {
            code: 429,
            retry_after: Some(300),
        },
        1,
    ));
    // Round robin puts `a` first within three requests; six make sure it was tried.
    for _ in 0..6 {
        let response = p.claude(false).await;
        assert_eq!(
            response.status(),
            200,
            "the request fails over to a healthy account"
        );
        let _ = response.bytes().await.unwrap();
    }
    assert_eq!(
        p.statuses("a"),
        vec![429],
        "a is not chosen again before its retry-after"
    );
    assert_eq!(p.statuses("b").len() + p.statuses("c").len(), 6);
    let a = p.account("claude-a");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let until = a["cooling_until_ms"].as_i64().expect("a is cooling down");
    assert!(
        (now_ms + 250_000..=now_ms + 301_000).contains(&until),
        "cooling until {until}, now {now_ms}"
    );
    assert_eq!(a["cooling_reason"], "rate limited");
    assert!(
        a["state"].as_str().unwrap().contains("(rate limited)"),
        "{a}"
    );
    let shown = p
        .daemon
        .ctl_json(&["account", "show", a["id"].as_str().unwrap()]);
    let last = shown["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["state"].as_str(), last["reason"].as_str()),
        (Some("cooling_down"), Some("rate limited")),
        "{shown}"
    );
    assert_eq!(last["until_ms"].as_i64(), Some(until));
    p.daemon.settle();
    let stats = p.daemon.ctl_json(&["stats", "--by", "account"]);
    let row = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "claude-a")
        .unwrap();
    assert_eq!(
        (row["requests"].as_u64(), row["errors"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_fail_over_and_refused_credentials_leave_the_pool() {
    let p = pool();
    p.mock.fault(Fault::for_account(
        "g1",
        Action::Status {
            code: 500,
            retry_after: None,
        },
        100,
    ));
    for _ in 0..4 {
        assert_eq!(p.gemini().await.status(), 200);
    }
    assert!(p.statuses("g1").iter().all(|s| *s == 500) && !p.statuses("g1").is_empty());
    assert_eq!(p.statuses("g2").len(), 4);
    assert_eq!(
        p.account("gemini-g1")["status"],
        "active",
        "a 500 is not the account's fault"
    );

    p.mock.fault(Fault::for_account(
        "c",
        Action::Status {
            code: 401,
            retry_after: None,
        },
        1,
    ));
    for _ in 0..6 {
        assert_eq!(p.claude(false).await.status(), 200);
    }
    assert_eq!(p.statuses("c"), vec![401]);
    let c = p.account("claude-c");
    assert_eq!(c["status"], "error");
    let reason = c["status_reason"].as_str().unwrap();
    assert!(
        reason.starts_with("invalid credentials") && reason.contains("401"),
        "{c}"
    );
    let shown = p
        .daemon
        .ctl_json(&["account", "show", c["id"].as_str().unwrap()]);
    let states: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "error"], "added, then failed: {shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_account_fails_the_last_upstream_error_is_relayed() {
    let p = pool();
    for key in ["g1", "g2"] {
        p.mock.fault(Fault::for_account(
            key,
            Action::Status {
                code: 529,
                retry_after: None,
            },
            1,
        ));
    }
    let response = p.gemini().await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["status"], "UNAVAILABLE");
    assert_eq!(
        body["error"]["message"],
        "The model is overloaded. Please try again later."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_midway_ends_the_clients_stream_and_the_gateway_keeps_serving() {
    let p = pool();
    p.mock.fault(Fault {
        path: Some("/v1/messages".to_owned()),
        account: None,
        action: Action::Drop { after: 3 },
        times: 1,
    });
    let response = p.claude(true).await;
    assert_eq!(response.status(), 200, "the status was sent before the cut");
    let mut received = Vec::new();
    let mut stream = response;
    let ended_with_error = loop {
        match stream.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    let text = String::from_utf8_lossy(&received);
    assert!(
        !ended_with_error,
        "the stream ends cleanly, with an error event"
    );
    assert!(
        text.contains("message_start") && !text.contains("message_stop"),
        "{text}"
    );
    let last = text.trim_end().rsplit("\n\n").next().unwrap();
    assert!(
        last.starts_with("event: error") && last.contains("\"type\":\"api_error\""),
        "the client's stream ends with an Anthropic error event: {last}"
    );
    assert_eq!(
        p.mock.requests().len(),
        1,
        "no retry once bytes reached the client"
    );

    let response = p.claude(true).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("message_stop"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_and_slow_accounts_are_skipped_within_the_header_timeout() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gatewayd.toml");
    std::fs::write(
        &config,
        "[upstream]\nheader_timeout = \"300ms\"\nmax_attempts = 3\n",
    )
    .unwrap();
    let daemon = Daemon::start_with(&["--config", config.to_str().unwrap()]);
    let (_, secret) = daemon.create_key("dev", &[]);
    // A port nothing listens on: bind one, then free it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    daemon.add_account(
        "dead",
        "claude-code",
        "dead",
        &format!("http://{closed}"),
        &["--priority", "0"],
    );
    daemon.add_account(
        "slow",
        "claude-code",
        "slow",
        &mock.url(),
        &["--priority", "1"],
    );
    daemon.add_account(
        "fine",
        "claude-code",
        "fine",
        &mock.url(),
        &["--priority", "2"],
    );
    mock.fault(Fault::for_account(
        "slow",
        Action::Ok {
            tokens: None,
            ttfb_ms: Some(3_000),
            interval_ms: None,
            thinking: None,
        },
        1,
    ));
    let started = std::time::Instant::now();
    let url = format!("{}/v1/messages", daemon.url);
    let response = post(&url, "x-api-key", &secret, &claude_body(false, "hi")).await;
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2_500),
        "the slow account was abandoned at the header timeout"
    );
    assert_eq!(mock.requests_for("fine").len(), 1);
    let list = daemon.ctl_json(&["account", "list"]);
    let cooling: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["cooling_until_ms"].is_i64())
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        cooling,
        vec!["dead", "slow"],
        "both are rested for unreachable_cooldown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_subscription_window_benches_the_account_until_its_reset() {
    let p = pool();
    p.mock.fault(Fault::for_account(
        "a",
        Action::Exhausted {
            reset_in: 3_600,
            model_scoped: false,
        },
        1,
    ));
    for _ in 0..6 {
        assert_eq!(p.claude(false).await.status(), 200);
    }
    assert_eq!(p.statuses("a"), vec![429]);
    let until = p.account("claude-a")["cooling_until_ms"]
        .as_i64()
        .expect("cooling down");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(
        until > now_ms + 3_500_000,
        "benched until the window resets, not for the 1 s retry-after: {until} vs {now_ms}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_organisation_is_banned_and_ordinary_400s_reach_the_client() {
    let p = pool();
    p.mock.fault(Fault::for_account(
        "b",
        Action::Status {
            code: 400,
            retry_after: None,
        },
        1,
    ));
    for _ in 0..6 {
        assert_eq!(p.claude(false).await.status(), 200);
    }
    assert_eq!(p.statuses("b"), vec![400]);
    let b = p.account("claude-b");
    assert_eq!(b["status"], "error");
    assert!(
        b["status_reason"].as_str().unwrap().starts_with("banned:"),
        "{b}"
    );

    // A 400 about the request itself goes back to the client as it came.
    let url = format!("{}/v1/messages", p.daemon.url);
    let bad = serde_json::json!({"model": "claude-sonnet-mock", "messages": "not a list"});
    let response = crate::support::post(&url, "x-api-key", &p.secret, &bad).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(p.account("claude-a")["status"], "active");
    assert_eq!(p.account("claude-c")["status"], "active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_scoped_window_benches_only_that_model_family() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    let (_, secret) = daemon.create_key("dev", &[]);
    daemon.add_account(
        "first",
        "claude-code",
        "a",
        &mock.url(),
        &["--priority", "0"],
    );
    daemon.add_account(
        "second",
        "claude-code",
        "b",
        &mock.url(),
        &["--priority", "1"],
    );
    mock.fault(Fault::for_account(
        "a",
        Action::Exhausted {
            reset_in: 3_600,
            model_scoped: true,
        },
        1,
    ));
    let url = format!("{}/v1/messages", daemon.url);
    let ask = |model: &str| {
        let mut body = claude_body(false, "hi");
        body["model"] = model.into();
        body
    };
    for model in ["claude-sonnet-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"] {
        assert_eq!(
            post(&url, "x-api-key", &secret, &ask(model)).await.status(),
            200
        );
    }
    let served: Vec<(String, String)> = mock
        .requests()
        .iter()
        .map(|r| {
            let model = serde_json::from_str::<Value>(&r.body).unwrap()["model"]
                .as_str()
                .unwrap()
                .to_owned();
            (r.account.clone().unwrap(), model)
        })
        .collect();
    let expected = [
        ("a", "claude-sonnet-4-5"),
        ("b", "claude-sonnet-4-5"),
        ("b", "claude-sonnet-4-5"),
        ("a", "claude-haiku-4-5"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, m)| (a.to_string(), m.to_string()))
        .collect();
    assert_eq!(served, expected, "sonnet moves to b; haiku still goes to a");
    let list = daemon.ctl_json(&["account", "list"]);
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "first")
        .unwrap();
    assert!(
        first["cooling_until_ms"].is_null(),
        "the account itself is not benched"
    );
    assert_eq!(first["benched"][0]["family"], "sonnet", "{first}");
    assert!(first["state"]
        .as_str()
        .unwrap()
        .starts_with("active; rate-limited: sonnet until"));
    let shown = daemon.ctl_json(&["account", "show", first["id"].as_str().unwrap()]);
    let last = shown["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["state"], "rate_limited");
    assert_eq!(last["reason"], "sonnet: subscription window exhausted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_goes_quiet_ends_at_the_idle_timeout() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[upstream]\nidle_timeout = \"300ms\"\n");
    let (_, secret) = daemon.create_key("dev", &[]);
    daemon.add_account("quiet", "claude-code", "quiet", &mock.url(), &[]);
    mock.fault(Fault::for_account(
        "quiet",
        Action::Ok {
            tokens: None,
            ttfb_ms: None,
            interval_ms: Some(5_000),
            thinking: None,
        },
        1,
    ));
    let started = std::time::Instant::now();
    let url = format!("{}/v1/messages", daemon.url);
    let mut response = post(&url, "x-api-key", &secret, &claude_body(true, "hi")).await;
    assert_eq!(response.status(), 200);
    let mut received = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        received.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&received);
    assert!(
        text.contains("message_start") && !text.contains("message_stop"),
        "{text}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_millis(3_000),
        "the quiet upstream was given up at the idle timeout, not waited out"
    );
    let entry = gateway_tests::harness::eventually("the cut stream in the log", || {
        let tail = daemon.ctl_json(&["log", "tail"]);
        tail.as_array()?.first().cloned()
    });
    assert_eq!(entry["error"], "incomplete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_opens_with_an_error_fails_over_before_the_client_sees_it() {
    let p = pool();
    for key in ["a", "b"] {
        p.mock.fault(Fault::for_account(
            key,
            Action::StreamError {
                code: 529,
                after: 0,
            },
            1,
        ));
    }
    // Round robin starts anywhere: two of the three open overloaded, once each.
    for _ in 0..3 {
        let text = p.claude(true).await.text().await.unwrap();
        assert!(
            text.contains("message_stop") && !text.contains("event: error"),
            "the client sees only the served stream: {text}"
        );
    }
    for key in ["a", "b"] {
        let account = p.account(&format!("claude-{key}"));
        assert_eq!(account["cooling_reason"], "overloaded", "{account}");
    }

    // Gemini: a rate-limit chunk first fails over to the other account.
    p.mock.fault(Fault::for_account(
        "g1",
        Action::StreamError {
            code: 429,
            after: 0,
        },
        1,
    ));
    p.mock.fault(Fault::for_account(
        "g2",
        Action::StreamError {
            code: 429,
            after: 0,
        },
        1,
    ));
    let url = format!(
        "{}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
        p.daemon.url
    );
    let text = post(&url, "x-goog-api-key", &p.secret, &gemini_body("hi"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("\"error\"") && text.contains("RESOURCE_EXHAUSTED"),
        "with every account limited, the last opening reaches the client as it came: {text}"
    );
    assert!(!p.account("gemini-g1")["cooling_until_ms"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_opens_with_the_requests_own_error_is_relayed_without_blame() {
    let p = pool();
    for key in ["a", "b", "c"] {
        p.mock.fault(Fault::for_account(
            key,
            Action::StreamError {
                code: 400,
                after: 0,
            },
            1,
        ));
    }
    let text = p.claude(true).await.text().await.unwrap();
    assert!(text.starts_with("event: error"), "{text}");
    assert!(text.contains("invalid_request_error"), "{text}");
    let tried: usize = ["a", "b", "c"].iter().map(|k| p.statuses(k).len()).sum();
    assert_eq!(tried, 1, "no fail-over for the request's own error");
    for key in ["a", "b", "c"] {
        assert_eq!(p.account(&format!("claude-{key}"))["status"], "active");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_event_midway_is_recorded_as_a_failure_of_its_account() {
    let p = pool();
    let midway = Action::StreamError {
        code: 529,
        after: 3,
    };
    for key in ["a", "b", "c"] {
        p.mock.fault(Fault::for_account(key, midway.clone(), 1));
    }
    let text = p.claude(true).await.text().await.unwrap();
    assert!(
        text.contains("message_start") && text.contains("event: error"),
        "the client sees the stream and its error as they came: {text}"
    );
    p.daemon.settle();
    let log = p.daemon.ctl_json(&["log", "tail"]);
    assert_eq!(log[0]["error"], "upstream_error", "{log}");
    assert!(log[0]["input_tokens"].as_u64() > Some(0), "{log}");
    let stats = p.daemon.ctl_json(&["stats", "--by", "account"]);
    let errors: u64 = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["errors"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        errors, 1,
        "the answer counts as its account's failure: {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_with_a_wrong_base_url_is_taken_out_and_the_operator_warned() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[balance]\nsticky_sessions = false\n");
    let (_, secret) = daemon.create_key("dev", &[]);
    let wrong = format!("{}/v1", mock.url());
    let added = daemon.ctl_stdin(
        &[
            "account",
            "add",
            "--name",
            "wrong",
            "--type",
            "claude-code",
            "--auth",
            "api-key",
            "--api-key-stdin",
            "--base-url",
            &wrong,
        ],
        b"sk-wrong",
    );
    assert!(added.status.success());
    assert!(
        String::from_utf8_lossy(&added.stderr).contains("ends in /v1"),
        "account add warns: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    daemon.add_account("right", "claude-code", "sk-right", &mock.url(), &[]);
    let url = format!("{}/v1/messages", daemon.url);
    for i in 0..4 {
        let response = post(
            &url,
            "x-api-key",
            &secret,
            &claude_body(false, &format!("q {i}")),
        )
        .await;
        assert_eq!(response.status(), 200, "every request is served");
    }
    let list = daemon.ctl_json(&["account", "list"]);
    let wrong = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "wrong")
        .unwrap();
    assert_eq!(wrong["status"], "error", "{wrong}");
    assert!(
        wrong["status_reason"]
            .as_str()
            .unwrap()
            .contains("wrong base URL"),
        "{wrong}"
    );
    let tested = daemon.ctl(&["account", "test", wrong["id"].as_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&tested.stdout).contains("wrong base URL")
            || String::from_utf8_lossy(&tested.stderr).contains("wrong base URL"),
        "{tested:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_probe_that_finds_a_wrong_base_url_takes_the_account_out() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[health]\ncheck_interval = \"300ms\"\n");
    let wrong = format!("{}/v1", mock.url());
    daemon.add_account("wrong", "claude-code", "sk-wrong", &wrong, &[]);
    let failed = gateway_tests::harness::eventually("the probe to take it out", || {
        let list = daemon.ctl_json(&["account", "list"]);
        let account = list.as_array().unwrap()[0].clone();
        (account["status"] == "error").then_some(account)
    });
    assert!(
        failed["status_reason"]
            .as_str()
            .unwrap()
            .contains("wrong base URL"),
        "{failed}"
    );
    let status = daemon.ctl_json(&["status"]);
    assert_eq!(status["accounts_usable"], 0, "{status}");
}
