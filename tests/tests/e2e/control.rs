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
