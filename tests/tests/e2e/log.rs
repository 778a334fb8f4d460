//! The request log and windowed stats: one redacted entry per request with its timings,
//! tails filtered and followed, and latency percentiles that match known delays.

use std::io::BufRead;
use std::process::{Command, Stdio};

use gateway_tests::mock::{Action, Fault};

use crate::support::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_percentiles_and_filters() {
    let w = World::new();
    for text in ["one", "two", "three", "slow [[mock:ok ttfb_ms=150]]"] {
        let response = w.claude(false, text).await;
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await.unwrap();
    }
    w.mock.fault(Fault::for_account(
        crate::support::CLAUDE_UPSTREAM_KEY,
        Action::Status {
            code: 429,
            retry_after: Some(30),
        },
        1,
    ));
    assert_eq!(w.claude(true, "limited").await.status(), 429);
    w.daemon.settle();

    let stats = w
        .daemon
        .ctl_json(&["stats", "--by", "key", "--since", "1h"]);
    let row = &stats[0];
    assert_eq!(
        (row["requests"].as_u64(), row["errors"].as_u64()),
        (Some(5), Some(1))
    );
    let (p50, p95) = (
        row["latency_p50_ms"].as_u64().unwrap(),
        row["latency_p95_ms"].as_u64().unwrap(),
    );
    assert!(p50 < 150 && p95 >= 150, "p50 {p50} ms, p95 {p95} ms");
    assert!(row["ttfb_p99_ms"].as_u64().unwrap() >= 150);

    let out = w.daemon.ctl(&["--json", "log", "tail", "--limit", "10"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let entries: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 5);
    let first = &entries[0];
    assert_eq!(first["key_id"], w.key_id.as_str());
    assert_eq!(first["account_id"], w.claude_account.as_str());
    assert_eq!(first["model"], "claude-sonnet-mock");
    assert_eq!(
        (first["status"].as_u64(), first["attempts"].as_u64()),
        (Some(200), Some(1))
    );
    assert_eq!(first["client_ip"], "127.0.0.1");
    assert!(first["input_tokens"].as_u64().unwrap() > 0);
    let last = &entries[4];
    assert_eq!(
        (last["status"].as_u64(), last["error"].as_str()),
        (Some(429), Some("upstream_error"))
    );
    for secret in [
        w.secret.as_str(),
        "Explain",
        "slow",
        crate::support::CLAUDE_UPSTREAM_KEY,
    ] {
        assert!(!text.contains(secret), "the log shows {secret:?}");
    }

    let none = w
        .daemon
        .ctl_json(&["log", "tail", "--key", "key_000000000000"]);
    assert_eq!(none, serde_json::json!([]));
    let by_account = w.daemon.ctl_json(&[
        "log",
        "tail",
        "--account",
        &w.claude_account,
        "--limit",
        "2",
    ]);
    assert_eq!(by_account.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_streams_new_entries_as_json_lines() {
    let w = World::new();
    let mut child = Command::new(gateway_tests::harness::bin("gatewayctl"))
        .arg("--socket")
        .arg(w.daemon.socket())
        .args(["--json", "log", "tail", "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, got) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let response = w.claude(false, "followed").await;
    let _ = response.bytes().await.unwrap();
    let line = got
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("a followed entry");
    let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["key_id"], w.key_id.as_str());
    let _ = child.kill();
    let _ = child.wait();
}

/// One refusal as the client saw it: status, the id in each header, the body's id.
struct Seen {
    status: u16,
    header_id: String,
    request_id_header: String,
    body_id: String,
}

async fn seen(response: reqwest::Response) -> Seen {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (header_id, request_id_header) = (header("x-gateway-request-id"), header("request-id"));
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    Seen {
        status,
        header_id,
        request_id_header,
        body_id: body["request_id"].as_str().unwrap_or_default().to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_logged_under_the_id_the_client_saw() {
    let mock = gateway_tests::mock::MockHandle::start(Default::default());
    let daemon = gateway_tests::harness::Daemon::start_with_config("max_body_bytes = 2048\n");
    daemon.add_account("claude", "claude-code", "sk-up", &mock.url(), &[]);
    let (dev_id, secret) = daemon.create_key("dev", &[]);
    let (tight_id, tight) = daemon.create_key("tight", &["--rpm", "1"]);
    let (office_id, office) = daemon.create_key("office", &["--allow-ip", "10.0.0.0/8"]);
    let post = |path: &str, key: &str, body: serde_json::Value| {
        crate::support::World::client()
            .post(format!("{}{path}", daemon.url))
            .header("x-api-key", key)
            .json(&body)
            .send()
    };
    let small = crate::support::claude_body(false, "hi");
    let large = crate::support::claude_body(false, &"x".repeat(4096));
    assert_eq!(
        post("/v1/messages", &tight, small.clone())
            .await
            .unwrap()
            .status(),
        200
    );
    let cases = [
        (
            post("/v1/messages", "gwk_not_a_key", small.clone()).await,
            401,
            "unauthorized",
            None,
        ),
        (
            post("/v1/nothing/here", &secret, small.clone()).await,
            404,
            "not_found",
            None,
        ),
        (
            post("/v1/messages", &secret, large).await,
            413,
            "body_too_large",
            Some(&dev_id),
        ),
        (
            post("/v1/messages", &office, small.clone()).await,
            403,
            "ip_denied",
            Some(&office_id),
        ),
        (
            post("/v1/messages", &tight, small).await,
            429,
            "rate_limited",
            Some(&tight_id),
        ),
    ];
    let mut expected = Vec::new();
    for (response, status, error, key) in cases {
        let seen = seen(response.unwrap()).await;
        assert_eq!(seen.status, status);
        assert!(
            seen.header_id.starts_with("req_gw_"),
            "{error}: {}",
            seen.header_id
        );
        assert_eq!(seen.request_id_header, seen.header_id, "{error}: two ids");
        assert_eq!(
            seen.body_id, seen.header_id,
            "{error}: the body names another id"
        );
        expected.push((seen.header_id, status, error, key));
    }
    let log = gateway_tests::harness::eventually("every refusal in the log", || {
        let log = daemon.ctl_json(&["log", "tail", "--limit", "50"]);
        (log.as_array().unwrap().len() == 6).then_some(log)
    });
    for (id, status, error, key) in expected {
        let entry = log
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["request_id"] == id.as_str())
            .unwrap_or_else(|| panic!("{error} ({id}) is not in the log: {log}"));
        assert_eq!(entry["status"], status, "{entry}");
        assert_eq!(entry["error"], error, "{entry}");
        let key = key.map(String::as_str).unwrap_or_default();
        assert_eq!(entry["key_id"], key, "{entry}");
        let alone = daemon.ctl_json(&["log", "tail", "--request", &id]);
        assert_eq!(alone.as_array().unwrap().len(), 1, "{alone}");
        assert_eq!(alone[0]["status"], status);
    }
    let metrics = crate::support::metrics(&daemon).await;
    for kind in [
        "unauthorized",
        "not_found",
        "body_too_large",
        "ip_denied",
        "rate_limited",
    ] {
        let line = format!("gateway_refusals_total{{kind=\"{kind}\"}} 1");
        assert!(metrics.contains(&line), "no {line:?} in\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_before_the_answer_is_logged_as_aborted() {
    let w = World::new();
    let slow = w.claude(false, "slow [[mock:ok ttfb_ms=3000]]");
    let gone = tokio::time::timeout(std::time::Duration::from_millis(300), slow).await;
    assert!(gone.is_err(), "the answer came before the client left");
    let entry = gateway_tests::harness::eventually("the aborted request in the log", || {
        let log = w.daemon.ctl_json(&["log", "tail"]);
        log.as_array().unwrap().first().cloned()
    });
    assert_eq!(entry["status"], 499, "{entry}");
    assert_eq!(entry["error"], "client_aborted", "{entry}");
    assert_eq!(entry["key_id"], w.key_id.as_str(), "{entry}");
    assert!(entry["request_id"].as_str().unwrap().starts_with("req_gw_"));
}
