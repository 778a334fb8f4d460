//! Reset-aware scheduling: `soonest-reset` puts the subscription whose binding window
//! resets soonest with room first, `pause_at` keeps new conversations off an account
//! near its limit (never moving one it holds), and `route explain` says where the next
//! conversation would go and why, for any strategy, without taking a turn.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use serde_json::Value;

use crate::oauth::{import, CLAUDE_CODE};
use crate::support::{claude_body, World};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A turn of conversation `session` from Claude Code; the subscription that served it.
async fn turn(daemon: &Daemon, mock: &MockHandle, secret: &str, session: &str) -> String {
    let mut body = claude_body(false, "hi");
    body["metadata"] =
        serde_json::json!({"user_id": format!("user_1_account_2_session_{session}")});
    let response = World::client()
        .post(format!("{}/v1/messages", daemon.url))
        .header("x-api-key", secret)
        .header("user-agent", CLAUDE_CODE)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let _ = response.bytes().await;
    let requests = mock.requests();
    requests.last().unwrap().account.clone().unwrap()
}

fn explain(daemon: &Daemon, args: &[&str]) -> Value {
    let mut all = vec!["route", "explain"];
    all.extend_from_slice(args);
    daemon.ctl_json(&all)
}

fn place_of(explained: &Value, name: &str) -> Value {
    let candidates = explained["candidates"].as_array().unwrap();
    let found = candidates.iter().find(|c| c["name"] == name).unwrap();
    found.clone()
}

fn write_config(daemon: &Daemon, strategy: &str) {
    let config = daemon.dir.path().join("gatewayd.toml");
    std::fs::write(
        &config,
        format!("[balance]\nclaude_code = \"{strategy}\"\n"),
    )
    .unwrap();
    let reload = daemon.ctl_json(&["config", "reload"]);
    assert!(
        reload["applied"].to_string().contains("balance"),
        "{reload}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soonest_reset_spends_the_window_about_to_reset_and_pause_at_spares_a_full_one() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[balance]\nclaude_code = \"round-robin\"\n");
    let (key, secret) = daemon.create_key("dev", &[]);
    let expiry = now_ms() + 3_600_000;
    let ids: Vec<String> = ["one", "two", "three"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let n = i + 1;
            import(
                &daemon,
                &mock,
                name,
                &format!("at-{n}"),
                &format!("rt-{n}"),
                expiry,
            )
        })
        .collect();
    // one: 40% used, resets in 4 h; two: 50%, in 3 h; three: 90%, in 10 minutes.
    mock.set_windows("at-1", 0.40, 4 * 3600);
    mock.set_windows("at-2", 0.50, 3 * 3600);
    mock.set_windows("at-3", 0.90, 600);

    // Round robin: explaining takes no turn, so the account it names serves next.
    let before = explain(&daemon, &[]);
    assert_eq!(before["strategy"], "round-robin");
    let named = before["picked"].as_str().unwrap().to_owned();
    let served = turn(&daemon, &mock, &secret, "a").await;
    let served_id = &ids[served.trim_start_matches("at-").parse::<usize>().unwrap() - 1];
    assert_eq!(&named, served_id, "{before}");
    turn(&daemon, &mock, &secret, "b").await;
    turn(&daemon, &mock, &secret, "c").await;

    write_config(&daemon, "soonest-reset");
    let explained = explain(&daemon, &["--model", "claude-sonnet-mock", "--key", &key]);
    assert_eq!(explained["strategy"], "soonest-reset");
    assert_eq!(explained["picked"], ids[2].as_str(), "{explained}");
    assert_eq!(place_of(&explained, "three")["place"], 1);
    assert_eq!(place_of(&explained, "two")["place"], 2);
    assert_eq!(place_of(&explained, "one")["place"], 3);
    assert!(place_of(&explained, "three")["score"]
        .as_str()
        .unwrap()
        .contains("5h 90% used"));
    assert_eq!(turn(&daemon, &mock, &secret, "held").await, "at-3");

    // Paused at 85%: new conversations go to the next soonest; the one it holds stays.
    let updated = daemon.ctl_json(&["account", "update", &ids[2], "--pause-at", "85%"]);
    assert_eq!(updated["pause_at"], 85);
    let explained = explain(&daemon, &[]);
    assert_eq!(explained["picked"], ids[1].as_str(), "{explained}");
    let three = place_of(&explained, "three");
    assert_eq!(three["place"], 0);
    assert!(
        three["excluded"].as_str().unwrap().contains("paused"),
        "{three}"
    );
    assert_eq!(turn(&daemon, &mock, &secret, "new").await, "at-2");
    assert_eq!(
        turn(&daemon, &mock, &secret, "held").await,
        "at-3",
        "sticky is never moved"
    );

    // Explained for a key that may not send it, and for a client the pool does not serve.
    let (narrow, _) = daemon.create_key("narrow", &["--models", "claude-haiku-*"]);
    let refused = explain(
        &daemon,
        &["--model", "claude-sonnet-mock", "--key", &narrow],
    );
    assert_eq!(refused["picked"], "");
    assert!(
        refused["why"]
            .as_str()
            .unwrap()
            .contains("may not use model"),
        "{refused}"
    );
    let other = explain(&daemon, &["--client", "other"]);
    assert_eq!(other["picked"], "");
    assert!(place_of(&other, "one")["excluded"]
        .as_str()
        .unwrap()
        .contains("Claude Code"));

    let table = daemon.ctl(&["route", "explain"]);
    let shown = String::from_utf8_lossy(&table.stdout);
    assert!(
        shown.contains("would pick") && shown.contains("soonest-reset"),
        "{shown}"
    );
}
