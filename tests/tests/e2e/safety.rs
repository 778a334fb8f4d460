//! Subscription safety: a Claude subscription serves Claude Code traffic only unless an
//! operator widens it, and Anthropic's refusals of a client (third-party billing, a
//! client older than the model needs) reach the client as they came — never retried on
//! another account, never held against the account, counted per key and alerted.

use gateway_tests::harness::{eventually, Daemon};
use gateway_tests::mock::{Action, Fault, MockConfig, MockHandle};
use serde_json::Value;

use crate::oauth::{import, CLAUDE_CODE};
use crate::support::{claude_body, World};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Sends a Messages request with `user_agent` (none: reqwest's own); status and body.
async fn send(daemon: &Daemon, secret: &str, user_agent: Option<&str>) -> (u16, Value) {
    let mut request = World::client()
        .post(format!("{}/v1/messages", daemon.url))
        .header("x-api-key", secret)
        .json(&claude_body(false, "hi"));
    if let Some(agent) = user_agent {
        request = request.header("user-agent", agent);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The upstream credential the mock saw on its latest Messages request.
fn served_by(mock: &MockHandle) -> Option<String> {
    let requests = mock.requests();
    let last = requests.iter().rev().find(|r| r.path == "/v1/messages")?;
    last.account.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_serves_claude_code_only_until_an_operator_widens_it() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    let (key, secret) = daemon.create_key("dev", &[]);
    let id = import(
        &daemon,
        &mock,
        "max-1",
        "at-1",
        "rt-1",
        now_ms() + 3_600_000,
    );
    assert_eq!(
        daemon.ctl_json(&["account", "show", &id])["serves"],
        "claude-code"
    );

    let (status, body) = send(&daemon, &secret, Some("my-script/1.0")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["type"], "permission_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Claude Code traffic only"),
        "{body}"
    );
    assert_eq!(served_by(&mock), None, "nothing reached the subscription");
    assert_eq!(send(&daemon, &secret, Some(CLAUDE_CODE)).await.0, 200);
    assert_eq!(served_by(&mock).as_deref(), Some("at-1"));

    // An API-key account takes the other clients; Claude Code stays on the subscription.
    daemon.add_account(
        "api",
        "claude-code",
        "sk-ant-api",
        &mock.url(),
        &["--priority", "1"],
    );
    assert_eq!(send(&daemon, &secret, None).await.0, 200);
    assert_eq!(served_by(&mock).as_deref(), Some("sk-ant-api"));
    assert_eq!(send(&daemon, &secret, Some(CLAUDE_CODE)).await.0, 200);
    assert_eq!(served_by(&mock).as_deref(), Some("at-1"));

    // Widened, the subscription takes every client (it is preferred by priority).
    let widened = daemon.ctl_json(&["account", "update", &id, "--serves", "any"]);
    assert_eq!(widened["serves"], "any");
    assert_eq!(send(&daemon, &secret, None).await.0, 200);
    assert_eq!(served_by(&mock).as_deref(), Some("at-1"));

    let shown = eventually("the refusal counted for the key", || {
        let shown = daemon.ctl_json(&["key", "show", &key]);
        (shown["client_refusals"]["client_not_served"] == 1).then_some(shown)
    });
    assert_eq!(
        shown["client_refusals"].as_object().unwrap().len(),
        1,
        "{shown}"
    );

    // The rules can be given when an account is added, too.
    let flags = [
        "--serves",
        "claude-code",
        "--pause-at",
        "0.9",
        "--priority",
        "5",
    ];
    let strict = daemon.add_account(
        "strict",
        "claude-code",
        "sk-ant-strict",
        &mock.url(),
        &flags,
    );
    let shown = daemon.ctl_json(&["account", "show", &strict]);
    assert_eq!(
        (shown["serves"].as_str(), shown["pause_at"].as_u64()),
        (Some("claude-code"), Some(90))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_refusals_are_relayed_not_retried_nor_blamed_and_alerted_per_key() {
    let mock = MockHandle::start(MockConfig::default());
    let (hook, alerts) = crate::observe::receiver(false);
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        format!("[alerts]\nwebhooks = [\"{hook}\"]\n"),
    )
    .unwrap();
    let daemon = Daemon::start_with(&["--config", config.path().to_str().unwrap()]);
    let (key, secret) = daemon.create_key("dev", &[]);
    let first = import(
        &daemon,
        &mock,
        "max-1",
        "at-1",
        "rt-1",
        now_ms() + 3_600_000,
    );
    let second = import(
        &daemon,
        &mock,
        "max-2",
        "at-2",
        "rt-2",
        now_ms() + 3_600_000,
    );

    for action in [Action::third_party_billing(), Action::client_too_old()] {
        mock.clear_requests();
        mock.fault(Fault {
            path: Some("/v1/messages".to_owned()),
            account: None,
            action: action.clone(),
            times: 1,
        });
        let (status, body) = send(&daemon, &secret, Some(CLAUDE_CODE)).await;
        let Action::Refuse { message, .. } = &action else {
            unreachable!()
        };
        assert_eq!(status, 400);
        assert_eq!(
            body["error"]["message"].as_str(),
            Some(message.as_str()),
            "relayed as it came"
        );
        let tried = mock
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/messages")
            .count();
        assert_eq!(tried, 1, "not retried on the other subscription");
    }
    for id in [&first, &second] {
        let shown = daemon.ctl_json(&["account", "show", id]);
        assert_eq!(shown["state"], "active", "not blamed: {shown}");
    }
    assert_eq!(send(&daemon, &secret, Some(CLAUDE_CODE)).await.0, 200);

    let shown = eventually("both refusals counted for the key", || {
        let shown = daemon.ctl_json(&["key", "show", &key]);
        let counted = &shown["client_refusals"];
        (counted["third_party_billing"] == 1 && counted["client_too_old"] == 1).then_some(shown)
    });
    assert!(shown["client_refusals"].get("client_not_served").is_none());
    let raised = eventually("an alert per kind", || {
        let got = alerts.lock().unwrap().clone();
        let of_kind = |reason: &str| {
            got.iter().any(|a| {
                a["kind"] == "client_refusal"
                    && a["key"] == key.as_str()
                    && a["message"].as_str().unwrap_or("").contains(reason)
            })
        };
        (of_kind("third_party_billing") && of_kind("client_too_old")).then_some(got)
    });
    let by_account = daemon.ctl_json(&["stats", "--by", "account"]);
    let rows = by_account.as_array().unwrap();
    let count = |field: &str| rows.iter().map(|r| r[field].as_u64().unwrap()).sum::<u64>();
    assert_eq!(count("requests"), 3, "{by_account}");
    assert_eq!(
        count("errors"),
        0,
        "not the accounts' errors: {by_account} {raised:?}"
    );
    let by_key = daemon.ctl_json(&["stats", "--by", "key"]);
    assert_eq!(by_key[0]["errors"], 2, "the key's: {by_key}");
}
