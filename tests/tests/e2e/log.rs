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
