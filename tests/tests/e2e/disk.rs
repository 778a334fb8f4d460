//! The data directory stays bounded under sustained traffic: with the request log capped,
//! the second half of a long run adds (almost) nothing to it.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};

use crate::support::{files_under, World};

const REQUESTS: usize = 51_200;
const LOG_CAP: usize = 5_000;
const CONCURRENCY: usize = 32;

fn data_dir_bytes(daemon: &Daemon) -> u64 {
    files_under(&daemon.data_dir())
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Sends `n` small Messages requests, `CONCURRENCY` at a time; all must succeed.
async fn drive(url: &str, secret: &str, n: usize) {
    let client = World::client();
    let body = serde_json::json!({
        "model": "claude-sonnet-mock",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}]
    })
    .to_string();
    let per_task = n / CONCURRENCY;
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, url, secret, body) = (
                client.clone(),
                url.to_owned(),
                secret.to_owned(),
                body.clone(),
            );
            tokio::spawn(async move {
                for _ in 0..per_task {
                    let status = client
                        .post(&url)
                        .header("x-api-key", &secret)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap()
                        .status();
                    assert_eq!(status, 200);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_dir_stops_growing_once_the_log_is_at_its_cap() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(&format!(
        "[record]\nlog_max_entries = {LOG_CAP}\nhousekeeping_interval = \"1s\"\nflush_interval = \"200ms\"\n"
    ));
    let (_, secret) = daemon.create_key("load", &[]);
    daemon.add_account("up", "claude-code", "sk-ant-disk-0001", &mock.url(), &[]);
    let url = format!("{}/v1/messages", daemon.url);

    drive(&url, &secret, REQUESTS / 2).await;
    let halfway = data_dir_bytes(&daemon);
    drive(&url, &secret, REQUESTS / 2).await;
    let end = data_dir_bytes(&daemon);
    eprintln!(
        "data dir: {halfway} bytes after {} requests, {end} after {REQUESTS}",
        REQUESTS / 2
    );
    assert!(
        end < halfway + halfway / 10,
        "the data dir grew from {halfway} to {end} bytes in the second half"
    );

    daemon.settle();
    let totals = daemon.ctl_json(&["stats", "--by", "key"]);
    assert_eq!(totals[0]["requests"], REQUESTS as u64, "{totals}");
    let tail = daemon.ctl_json(&["log", "tail", "--limit", "100000"]);
    let kept = tail.as_array().unwrap().len();
    assert!(kept <= LOG_CAP + 1_000, "{kept} entries kept");
}
