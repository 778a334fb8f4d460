//! The control socket's security: the peer's uid decides, the socket's mode and group
//! decide who can connect at all, and every change is logged with who made it.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use gateway_tests::harness::{bin, Daemon};

/// Runs `gatewayctl status` as nobody/nogroup against `daemon`, if this test runs as root.
fn status_as_nobody(daemon: &Daemon) -> Option<std::process::Output> {
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !root || Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipping: needs root and setpriv to act as another user");
        return None;
    }
    // Let nobody reach the socket inside the test's private temp dir.
    std::fs::set_permissions(daemon.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin("gatewayctl"))
        .arg("--socket")
        .arg(daemon.socket())
        .arg("status")
        .output()
        .unwrap();
    Some(out)
}

fn config(dir: &tempfile::TempDir, body: &str) -> String {
    let path = dir.path().join("gatewayd.toml");
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_peer_uid_is_checked_against_the_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    let refusing = Daemon::start_with(&[
        "--config",
        &config(&dir, "[control]\nsocket_group = \"nogroup\"\n"),
    ]);
    let mode = std::fs::metadata(refusing.socket())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o660, "a socket group makes the socket 0660");
    let Some(out) = status_as_nobody(&refusing) else {
        return;
    };
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("uid 65534 may not use this gatewayd"));

    let allowing = Daemon::start_with(&[
        "--config",
        &config(
            &dir,
            "[control]\nsocket_group = \"nogroup\"\nallowed_uids = [65534]\n",
        ),
    ]);
    let out = status_as_nobody(&allowing).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_default_socket_is_owner_only_and_changes_are_logged_with_the_caller() {
    let daemon = Daemon::start();
    let mode = std::fs::metadata(daemon.socket())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let (id, _) = daemon.create_key("audited", &[]);
    daemon.ctl_json(&["key", "revoke", &id]);
    let uid = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap();
    let log = daemon.log();
    for rpc in ["/gateway.v1.Keys/CreateKey", "/gateway.v1.Keys/RevokeKey"] {
        let line = log
            .lines()
            .find(|l| l.contains(rpc))
            .unwrap_or_else(|| panic!("no audit line for {rpc}"));
        assert!(line.contains(&format!("audit.actor_uid={uid}")), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_reload_applies_live_settings_and_names_the_rest() {
    let mock = gateway_tests::mock::MockHandle::start(gateway_tests::mock::MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let path = config(&dir, "max_body_bytes = 2048\n");
    let daemon = Daemon::start_with(&["--config", &path]);
    let (_, secret) = daemon.create_key("dev", &[]);
    daemon.add_account("claude-1", "claude-code", "k1", &mock.url(), &[]);
    let client = crate::support::World::client();
    let url = format!("{}/v1/messages", daemon.url);
    let big = crate::support::claude_body(false, &"x".repeat(4096));
    let send = || {
        client
            .post(&url)
            .header("x-api-key", &secret)
            .json(&big)
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 413);

    // --listen on the command line still wins over the file, so only the grace changes.
    std::fs::write(
        &path,
        "max_body_bytes = 65536\nlisten = \"127.0.0.1:1\"\nshutdown_grace = \"5s\"\n",
    )
    .unwrap();
    let report = daemon.ctl_json(&["config", "reload"]);
    assert_eq!(report["applied"], serde_json::json!(["max_body_bytes"]));
    assert_eq!(
        report["needs_restart"],
        serde_json::json!(["shutdown_grace"])
    );
    assert_eq!(
        send().await.unwrap().status(),
        200,
        "the new limit applies without a restart"
    );
    let change = |report: &serde_json::Value, setting: &str| {
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["setting"] == setting)
            .cloned()
            .unwrap_or_else(|| panic!("no {setting} in {report}"))
    };
    let grace = change(&report, "shutdown_grace");
    assert_eq!(
        (grace["new"].as_str(), grace["needs_restart"].as_bool()),
        (Some("\"5s\""), Some(true))
    );
    let audited = |daemon: &Daemon| {
        let audit = daemon.ctl_json(&["audit", "list"]);
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "System/ReloadConfig")
            .cloned()
            .collect::<Vec<_>>()
    };
    let entries = audited(&daemon);
    assert_eq!(
        entries.len(),
        1,
        "a reload that changes something is audited"
    );
    let detail = entries[0]["detail"].to_string();
    assert!(
        detail.contains("max_body_bytes") && detail.contains("65536"),
        "{detail}"
    );

    // [oauth] is not live: it is named, not silently ignored; the same file again changes
    // nothing new and is not audited again.
    std::fs::write(
        &path,
        "max_body_bytes = 65536\nshutdown_grace = \"5s\"\n[oauth]\nrefresh_before = \"10m\"\n",
    )
    .unwrap();
    let report = daemon.ctl_json(&["config", "reload"]);
    assert_eq!(report["applied"], serde_json::json!([]));
    assert_eq!(
        report["needs_restart"],
        serde_json::json!(["oauth.refresh_before", "shutdown_grace"])
    );
    daemon.ctl_json(&["config", "reload"]);
    assert_eq!(
        audited(&daemon).len(),
        2,
        "only reloads that change something"
    );

    std::fs::write(&path, "max_body_bytes = \"lots\"\n").unwrap();
    let out = daemon.ctl(&["config", "reload"]);
    assert_eq!(out.status.code(), Some(2), "an invalid file is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unchanged"));
    assert_eq!(
        send().await.unwrap().status(),
        200,
        "and the running settings stay"
    );

    let plain = Daemon::start();
    assert_eq!(
        plain.ctl(&["config", "reload"]).status.code(),
        Some(4),
        "no file to reload"
    );
}

#[test]
fn status_summarises_account_health() {
    let daemon = Daemon::start();
    let a = daemon.add_account("a", "claude-code", "k1", "http://127.0.0.1:9", &[]);
    daemon.add_account("b", "gemini-cli", "k2", "http://127.0.0.1:9", &[]);
    daemon.ctl_json(&["account", "disable", &a]);
    let status = daemon.ctl_json(&["status"]);
    assert_eq!(status["accounts"], 2);
    assert_eq!(status["accounts_usable"], 1);
    assert_eq!(status["accounts_disabled"], 1);
    assert!(status["listen_address"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
}

#[test]
fn a_user_without_access_is_told_it_is_a_permission_problem() {
    let daemon = Daemon::start();
    let Some(out) = status_as_nobody(&daemon) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
    assert!(stderr.contains("allowed_uids"), "{stderr}");
}
