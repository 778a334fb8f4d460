//! The account lifecycle through gatewayctl, and what it does to routing: disable and
//! enable, models and concurrency limits, drain with streams in flight, live tests.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};

use crate::support::{claude_body, post};

struct Two {
    mock: MockHandle,
    daemon: Daemon,
    secret: String,
    first: String,
}

/// Claude accounts `first` (priority 0, upstream key "k1") and `second` (priority 1, "k2").
fn two(first_flags: &[&str]) -> Two {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    let (_, secret) = daemon.create_key("dev", &[]);
    let mut flags = vec!["--priority", "0"];
    flags.extend_from_slice(first_flags);
    let first = daemon.add_account("first", "claude-code", "k1", &mock.url(), &flags);
    daemon.add_account(
        "second",
        "claude-code",
        "k2",
        &mock.url(),
        &["--priority", "1"],
    );
    Two {
        mock,
        daemon,
        secret,
        first,
    }
}

impl Two {
    async fn send(&self, text: &str) -> reqwest::Response {
        post(
            &format!("{}/v1/messages", self.daemon.url),
            "x-api-key",
            &self.secret,
            &claude_body(true, text),
        )
        .await
    }

    /// Sends one request to completion and says which upstream key served it.
    async fn served_by(&self) -> String {
        self.mock.clear_requests();
        let response = self.send("hi").await;
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await.unwrap();
        self.mock.requests()[0].account.clone().unwrap()
    }
}

const SLOW: &str = "slow [[mock:ok tokens=24 interval_ms=60]]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_update_disable_enable_remove() {
    let t = two(&["--models", "claude-*", "--max-concurrency", "4"]);
    let shown = t.daemon.ctl_json(&["account", "show", &t.first]);
    assert_eq!(shown["models"], serde_json::json!(["claude-*"]));
    assert_eq!(shown["max_concurrency"], 4);
    assert_eq!(t.served_by().await, "k1");

    let disabled = t.daemon.ctl_json(&["account", "disable", &t.first]);
    assert_eq!(disabled["state"], "disabled");
    assert_eq!(
        t.served_by().await,
        "k2",
        "a disabled account takes no requests"
    );
    t.daemon.ctl_json(&["account", "enable", &t.first]);
    assert_eq!(t.served_by().await, "k1");
    let shown = t.daemon.ctl_json(&["account", "show", &t.first]);
    let history: Vec<(&str, &str)> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["state"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [
            ("active", "added"),
            ("disabled", "disabled by an operator"),
            ("active", "enabled by an operator")
        ]
    );
    let table = t.daemon.ctl(&["account", "show", &t.first]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("disabled by an operator"), "{text}");

    let out = t.daemon.ctl_stdin(
        &[
            "--json",
            "account",
            "update",
            &t.first,
            "--models",
            "claude-haiku-*",
            "--api-key-stdin",
        ],
        b"k1-new",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        t.served_by().await,
        "k2",
        "the first account no longer serves this model"
    );
    t.daemon
        .ctl_json(&["account", "update", &t.first, "--models", "*"]);
    assert_eq!(
        t.served_by().await,
        "k1-new",
        "the new credential is used at once"
    );

    assert_eq!(
        t.daemon.ctl(&["account", "remove", &t.first]).status.code(),
        Some(2),
        "--yes needed off a terminal"
    );
    t.daemon.ctl_json(&["account", "remove", &t.first, "--yes"]);
    assert_eq!(
        t.daemon.ctl(&["account", "show", &t.first]).status.code(),
        Some(3)
    );
    assert_eq!(t.served_by().await, "k2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_account_is_skipped_not_queued() {
    let t = two(&["--max-concurrency", "1"]);
    let mut slow = t.send(SLOW).await;
    let _ = slow.chunk().await.unwrap();
    assert_eq!(t.served_by().await, "k2", "first is at its limit of 1");
    while slow.chunk().await.unwrap().is_some() {}
    assert_eq!(
        t.served_by().await,
        "k1",
        "free again once the stream ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_waits_for_in_flight_streams_while_new_requests_go_elsewhere() {
    let t = two(&[]);
    let mut slow = t.send(SLOW).await;
    let _ = slow.chunk().await.unwrap();
    let (socket, first) = (t.daemon.socket(), t.first.clone());
    let drain = std::thread::spawn(move || {
        gateway_tests::harness::ctl_at(
            &socket,
            &[
                "--json",
                "account",
                "drain",
                &first,
                "--wait",
                "--timeout",
                "20s",
            ],
            b"",
        )
    });
    gateway_tests::harness::eventually("the drain to take effect", || {
        (t.daemon.ctl_json(&["account", "show", &t.first])["draining"] == true).then_some(())
    });
    assert_eq!(
        t.served_by().await,
        "k2",
        "new requests go to the other account"
    );
    let mut text = String::new();
    while let Some(chunk) = slow.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        text.contains("message_stop"),
        "the in-flight stream finished"
    );
    let out = drain.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["in_flight"], 0);

    t.daemon.ctl_json(&["account", "undrain", &t.first]);
    assert_eq!(t.served_by().await, "k1");
    let audit = t.daemon.ctl_json(&["audit", "list"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions.last(),
        Some(&"Accounts/UndrainAccount"),
        "undrain is audited as itself: {actions:?}"
    );

    let mut slow = t.send(SLOW).await;
    let _ = slow.chunk().await.unwrap();
    let out = t
        .daemon
        .ctl(&["account", "drain", &t.first, "--wait", "--timeout", "200ms"]);
    assert_eq!(out.status.code(), Some(1), "a drain that times out fails");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 request(s) are still in flight"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_test_reports_latency_and_failure() {
    let t = two(&[]);
    let ok = t.daemon.ctl_json(&["account", "test", &t.first]);
    assert_eq!(
        (ok["ok"].as_bool(), ok["status"].as_u64()),
        (Some(true), Some(200))
    );
    assert!(ok["latency_ms"].is_u64());
    assert_eq!(t.mock.requests_for("k1").last().unwrap().path, "/v1/models");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dead = t.daemon.add_account(
        "dead",
        "claude-code",
        "k3",
        &format!("http://{closed}"),
        &[],
    );
    let out = t.daemon.ctl(&["--json", "account", "test", &dead]);
    assert_eq!(out.status.code(), Some(1));
    let failed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failed["ok"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_can_reach_its_upstream_through_its_own_proxy() {
    // The mock answers absolute-form proxy requests as if it were the upstream.
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    let (_, secret) = daemon.create_key("dev", &[]);
    let refused = daemon.ctl_stdin(
        &[
            "account",
            "add",
            "--name",
            "p",
            "--type",
            "claude-code",
            "--api-key-stdin",
            "--proxy",
            "http://u:hunter2@127.0.0.1:1",
        ],
        b"k1",
    );
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a proxy password never comes through argv"
    );
    let proxy_file = daemon.dir.path().join("proxy.url");
    std::fs::write(&proxy_file, format!("http://u:hunter2@{}", mock.addr)).unwrap();
    let id = daemon.add_account(
        "proxied",
        "claude-code",
        "k1",
        "http://upstream.invalid",
        &["--proxy-file", proxy_file.to_str().unwrap()],
    );
    let shown = daemon.ctl_json(&["account", "show", &id]);
    assert_eq!(
        shown["proxy"],
        format!("http://{}", mock.addr),
        "shown without the password"
    );

    let url = format!("{}/v1/messages", daemon.url);
    let response = post(&url, "x-api-key", &secret, &claude_body(false, "via proxy")).await;
    assert_eq!(response.status(), 200);
    let seen = mock.requests().pop().unwrap();
    assert_eq!(seen.path, "/v1/messages");
    assert!(seen
        .header("proxy-authorization")
        .is_some_and(|v| v.starts_with("Basic ")));

    let (dir, _) = daemon.stop();
    for entry in std::fs::read_dir(dir.path().join("data/db")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(
            !bytes.windows(7).any(|w| w == b"hunter2"),
            "the proxy password is sealed at rest"
        );
    }
}

#[test]
fn names_work_wherever_ids_do_and_stay_unique() {
    let daemon = gateway_tests::harness::Daemon::start();
    let mock = gateway_tests::mock::MockHandle::start(gateway_tests::mock::MockConfig::default());
    let id = daemon.add_account("claude-1", "claude-code", "sk-1", &mock.url(), &[]);
    let shown = daemon.ctl_json(&["account", "show", "claude-1"]);
    assert_eq!(shown["id"], id.as_str());
    let drained = daemon.ctl_json(&["account", "drain", "claude-1"]);
    assert_eq!(drained["id"], id.as_str(), "{drained}");
    let table = daemon.ctl(&["account", "list"]);
    let short = &id[..10];
    let listed = String::from_utf8_lossy(&table.stdout);
    assert!(listed.contains(short) && !listed.contains(&id), "{listed}");
    assert_eq!(
        daemon.ctl_json(&["account", "show", short])["id"],
        id.as_str(),
        "the short id a table shows names the account"
    );
    let wide = daemon.ctl(&["--wide", "account", "list"]);
    assert!(String::from_utf8_lossy(&wide.stdout).contains(&id));
    let missing = daemon.ctl(&["account", "show", "claude-9"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("gatewayctl account list"));

    let (key, _) = daemon.create_key("ci", &[]);
    let again = daemon.ctl(&["key", "create", "--name", "ci"]);
    assert_eq!(
        again.status.code(),
        Some(4),
        "a second key named ci is refused"
    );
    assert_eq!(daemon.ctl_json(&["key", "show", "ci"])["id"], key.as_str());
    daemon.ctl_json(&["key", "revoke", "ci"]);
    let (fresh, _) = daemon.create_key("ci", &[]);
    assert_eq!(
        daemon.ctl_json(&["key", "show", "ci"])["id"],
        fresh.as_str(),
        "the name now means the key in force"
    );
}

#[test]
fn inputs_that_cannot_mean_what_was_asked_are_refused() {
    let daemon = gateway_tests::harness::Daemon::start();
    let mock = gateway_tests::mock::MockHandle::start(gateway_tests::mock::MockConfig::default());
    let refused = |args: &[&str], stdin: &[u8], why: &str| {
        let out = daemon.ctl_stdin(args, stdin);
        assert_eq!(out.status.code(), Some(2), "{why}: {out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "account",
            "add",
            "--type",
            "gemini-cli",
            "--auth",
            "api-key",
            "--api-key-stdin",
            "--base-url",
            "http://127.0.0.1:9",
        ];
        args.extend_from_slice(extra);
        args
    }
    let why = refused(
        &with(&["--name", "g", "--models", "claude-*"]),
        b"AIza-1",
        "claude models on gemini",
    );
    assert!(why.contains("can never match"), "{why}");
    refused(
        &with(&["--name", "g", "--weight", "0"]),
        b"AIza-1",
        "weight 0",
    );
    let long = "n".repeat(65);
    let why = refused(&with(&["--name", &long]), b"AIza-1", "a 65-character name");
    assert!(why.contains("longer than 64"), "{why}");
    let why = refused(
        &with(&["--name", "bell\u{7}"]),
        b"AIza-1",
        "a control character",
    );
    assert!(why.contains("control characters"), "{why}");
    let why = refused(
        &["key", "create", "--name", "b", "--burst", "5"],
        b"",
        "burst without rps",
    );
    assert!(why.contains("--rps"), "{why}");

    let file = daemon.dir.path().join("not-json");
    std::fs::write(&file, "not json").unwrap();
    let why = refused(
        &[
            "account",
            "import",
            file.to_str().unwrap(),
            "--name",
            "sub",
            "--type",
            "claude-code",
            "--base-url",
            &mock.url(),
        ],
        b"",
        "a credentials file that is not one",
    );
    assert!(
        why.contains("neither a JSON credentials file nor an access token"),
        "{why}"
    );
    assert_eq!(
        daemon
            .ctl_json(&["account", "list"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutations_say_what_they_did() {
    use gateway_tests::mock::{Action, Fault};
    let daemon = gateway_tests::harness::Daemon::start();
    let mock = gateway_tests::mock::MockHandle::start(gateway_tests::mock::MockConfig::default());
    let (_, secret) = daemon.create_key("dev", &[]);
    daemon.add_account("solo", "claude-code", "sk-solo", &mock.url(), &[]);
    let limited = Action::Status {
        code: 429,
        retry_after: Some(600),
    };
    mock.fault(Fault::for_account("sk-solo", limited, 1));
    let url = format!("{}/v1/messages", daemon.url);
    let _ = crate::support::post(
        &url,
        "x-api-key",
        &secret,
        &crate::support::claude_body(false, "x"),
    )
    .await;
    let cooling = daemon.ctl_json(&["account", "show", "solo"]);
    assert!(cooling["cooling_until_ms"].is_i64(), "{cooling}");
    let enabled = daemon.ctl_json(&["account", "enable", "solo"]);
    assert_eq!(
        enabled["state"], "active",
        "enable shows the state it left: {enabled}"
    );
    assert!(enabled["cooling_until_ms"].is_null(), "{enabled}");

    let removed = daemon.ctl(&["account", "remove", "solo", "--yes"]);
    assert!(removed.status.success());
    assert!(
        String::from_utf8_lossy(&removed.stdout).starts_with("removed account acc_"),
        "{removed:?}"
    );
    let audit = daemon.ctl(&["audit", "list"]);
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains("removed"),
        "{audit:?}"
    );
}
