//! gatewayctl's edges that need no daemon: the unreachable-daemon message and exit code,
//! usage errors, and that the checked-in completions match the clap tree.

use std::process::Command;

#[test]
fn unreachable_daemon_exits_69_with_one_line_naming_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("nope.sock");
    let out = Command::new(env!("CARGO_BIN_EXE_gatewayctl"))
        .arg("--socket")
        .arg(&socket)
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&socket.display().to_string()), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gatewayctl"))
        .args(["key", "create"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn checked_in_completions_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../completions");
    for (shell, file) in [
        ("bash", "gatewayctl.bash"),
        ("zsh", "_gatewayctl"),
        ("fish", "gatewayctl.fish"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_gatewayctl"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        let want = std::fs::read(root.join(file)).unwrap_or_default();
        assert!(
            want == out.stdout,
            "completions/{file} is stale: regenerate with `gatewayctl completions {shell} > completions/{file}`"
        );
    }
}
