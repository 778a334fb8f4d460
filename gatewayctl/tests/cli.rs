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
fn usage_errors_exit_2_and_name_the_missing_flag_before_dialling() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("none.sock");
    for (args, flag) in [
        (vec!["key", "create"], "--name"),
        (
            vec!["account", "add", "--name", "a", "--api-key-stdin"],
            "--type",
        ),
        (vec!["account", "add", "--type", "claude-code"], "--name"),
        (vec!["key", "frobnicate"], "frobnicate"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_gatewayctl"))
            .arg("--socket")
            .arg(&socket)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(flag),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
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

#[test]
fn a_daemon_that_never_answers_times_out_with_75() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("silent.sock");
    // Accepted by the kernel's backlog, never served.
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gatewayctl"))
        .arg("--socket")
        .arg(&socket)
        .args(["--timeout", "300ms", "status"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not answer"));
}

#[test]
fn json_errors_are_one_object_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gatewayctl"))
        .arg("--socket")
        .arg(dir.path().join("none.sock"))
        .args(["--json", "key", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69));
    assert!(out.stdout.is_empty(), "stdout carries only answers");
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "UNAVAILABLE");
}

#[test]
fn the_readme_lists_every_exit_code() {
    let codes = |text: &str, prefix: &str| -> Vec<u32> {
        text.lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .filter_map(|l| l.split('|').next()?.trim().parse().ok())
            .collect()
    };
    let source = include_str!("../src/exit.rs");
    let readme = include_str!("../../README.md");
    let table = readme
        .split("| exit code | meaning |")
        .nth(1)
        .expect("the README's exit code table");
    let table = &table[..table.find("\n\n").unwrap_or(table.len())];
    assert_eq!(codes(source, "//! | "), codes(table, "| "));
}
