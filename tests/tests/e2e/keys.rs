//! The key lifecycle through gatewayctl: settings in and out, model scope on the data
//! plane, rotation with a grace period, deletion and its exit codes.

use gateway_tests::harness::eventually;
use serde_json::Value;

use crate::support::{claude_body, gemini_body, post, World};

async fn claude_status(w: &World, secret: &str) -> u16 {
    let response = post(
        &w.url("/v1/messages"),
        "x-api-key",
        secret,
        &claude_body(false, "hi"),
    )
    .await;
    response.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_round_trip_and_model_patterns_are_enforced() {
    let w = World::new();
    let created = w.daemon.ctl_json(&[
        "key",
        "create",
        "--name",
        "ci",
        "--models",
        "gemini-*",
        "--rpm",
        "10",
        "--note",
        "nightly jobs",
    ]);
    let (id, secret) = (
        created["id"].as_str().unwrap(),
        created["secret"].as_str().unwrap(),
    );
    let shown = w.daemon.ctl_json(&["key", "show", id]);
    assert_eq!(shown["models"], serde_json::json!(["gemini-*"]));
    assert_eq!(shown["requests_per_minute"], 10);
    assert_eq!(shown["note"], "nightly jobs");
    assert!(
        shown.get("secret").is_none(),
        "a secret is never shown again"
    );

    let response = post(
        &w.url("/v1/messages"),
        "x-api-key",
        secret,
        &claude_body(false, "hi"),
    )
    .await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "permission_error");
    let gemini = w.url("/v1beta/models/gemini-2.5-pro:generateContent");
    assert_eq!(
        post(&gemini, "x-goog-api-key", secret, &gemini_body("hi"))
            .await
            .status(),
        200
    );

    let updated = w.daemon.ctl_json(&[
        "key",
        "update",
        id,
        "--name",
        "ci-2",
        "--models",
        "claude-*",
        "--expires",
        "30d",
    ]);
    assert_eq!(updated["name"], "ci-2");
    assert!(updated["expires_at"].is_i64());
    assert_eq!(
        claude_status(&w, secret).await,
        200,
        "the update applies at once"
    );
    let cleared = w
        .daemon
        .ctl_json(&["key", "update", id, "--expires", "never"]);
    assert!(cleared["expires_at"].is_null());
    assert_eq!(
        cleared["requests_per_minute"], 10,
        "unset flags keep their value"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_keeps_the_old_secret_only_for_the_grace_period() {
    let w = World::new();
    let (id, old) = w.daemon.create_key("rotating", &[]);
    let rotated = w.daemon.ctl_json(&["key", "rotate", &id, "--grace", "2s"]);
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rotated["id"], id.as_str(), "same key, same settings");
    assert_eq!(claude_status(&w, &new).await, 200);
    assert_eq!(
        claude_status(&w, &old).await,
        200,
        "the old secret works inside the grace"
    );
    let rt = tokio::runtime::Handle::current();
    eventually("the grace period to end", || {
        let status = tokio::task::block_in_place(|| rt.block_on(claude_status(&w, &old)));
        (status == 401).then_some(())
    });
    assert_eq!(claude_status(&w, &new).await, 200);

    let again = w.daemon.ctl_json(&["key", "rotate", &id]);
    assert_eq!(
        claude_status(&w, &new).await,
        401,
        "without a grace the old secret stops at once"
    );
    assert_eq!(
        claude_status(&w, again["secret"].as_str().unwrap()).await,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_needs_yes_off_a_terminal_and_unknown_ids_exit_3() {
    let w = World::new();
    let (id, secret) = w.daemon.create_key("doomed", &[]);
    let refused = w.daemon.ctl(&["key", "delete", &id]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "no prompt without a terminal: usage error"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--yes"));
    assert_eq!(claude_status(&w, &secret).await, 200, "nothing was deleted");

    let deleted = w.daemon.ctl_json(&["key", "delete", &id, "--yes"]);
    assert_eq!(deleted["id"], id.as_str());
    assert_eq!(claude_status(&w, &secret).await, 401);
    for args in [
        vec!["key", "show", &id],
        vec!["key", "revoke", &id],
        vec!["key", "rotate", &id],
    ] {
        let out = w.daemon.ctl(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: not found");
    }
    let listed = w.daemon.ctl_json(&["key", "list", "--all"]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["id"] != id.as_str()));

    let (revoked_id, _) = w.daemon.create_key("revoked", &[]);
    w.daemon.ctl_json(&["key", "revoke", &revoked_id]);
    let out = w.daemon.ctl(&["key", "rotate", &revoked_id]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "rotating a revoked key is a conflict"
    );
    let all = w.daemon.ctl_json(&["key", "list", "--all"]);
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == revoked_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["state"], "revoked");
    let live = w.daemon.ctl_json(&["key", "list"]);
    assert!(
        live.as_array()
            .unwrap()
            .iter()
            .all(|k| k["id"] != revoked_id.as_str()),
        "revoked keys hide without --all"
    );
}

#[test]
fn absurd_input_is_refused_and_names_cannot_drive_a_terminal() {
    let daemon = gateway_tests::harness::Daemon::start();
    let far = daemon.ctl(&[
        "key",
        "create",
        "--name",
        "far",
        "--expires",
        "100000000000d",
    ]);
    assert_eq!(far.status.code(), Some(2), "{far:?}");
    assert!(String::from_utf8_lossy(&far.stderr).contains("100 years"));
    // Control characters never get stored (what was stored before is escaped on output,
    // see gatewayctl's output tests).
    let ansi = daemon.ctl(&["key", "create", "--name", "\u{1b}[31mred\u{1b}[0m"]);
    assert_eq!(ansi.status.code(), Some(2), "{ansi:?}");
    assert!(String::from_utf8_lossy(&ansi.stderr).contains("control characters"));
}

#[test]
fn a_closed_pipe_ends_gatewayctl_quietly() {
    // The script is larger than a pipe's buffer, so gatewayctl is still writing when
    // `head` has its line and goes away.
    let ctl = gateway_tests::harness::bin("gatewayctl");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' completions bash | head -1 >/dev/null",
            ctl.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
