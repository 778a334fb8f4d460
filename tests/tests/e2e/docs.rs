//! The README's demo, run as written: the same commands, with free ports and a temp
//! data directory in place of the defaults.

use gateway_tests::harness::bin;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The first ```sh block after `heading`.
fn shell_block(readme: &str, heading: &str) -> String {
    let section = readme.split(heading).nth(1).expect("the section");
    let block = section.split("```sh\n").nth(1).expect("a sh block");
    block.split("```").next().unwrap().to_owned()
}

#[test]
fn the_readme_demo_runs_as_written() {
    let readme = include_str!("../../../README.md");
    let demo = shell_block(readme, "## Five-minute demo with the mock upstream");
    let dir = tempfile::tempdir().unwrap();
    let (mock, gateway) = (free_port(), free_port());
    let mut script = String::from("set -euo pipefail\n");
    for line in demo.lines() {
        // Built already, and found through PATH below.
        if line.starts_with("cargo build") || line.starts_with("export PATH") {
            continue;
        }
        let line = line
            .replace("127.0.0.1:9000", &format!("127.0.0.1:{mock}"))
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{gateway}"));
        if line.starts_with("gatewayd &") {
            script.push_str(&format!("gatewayd --listen 127.0.0.1:{gateway} &\n"));
            // A person typing the next command gives it a moment; a script waits.
            script.push_str(
                "for i in $(seq 200); do gatewayctl status >/dev/null 2>&1 && break; sleep 0.05; done\n",
            );
            continue;
        }
        script.push_str(&line);
        script.push('\n');
    }
    script.push_str("wait %2\nkill %1\n");
    let bin_dir = bin("gatewayd").parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("PATH", path)
        .env("GATEWAYD_DATA_DIR", dir.path().join("data"))
        .env("GATEWAYD_SOCKET", dir.path().join("gatewayd.sock"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the demo failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("message_stop"),
        "the Claude stream: {stdout}"
    );
    assert!(
        stdout.contains("\"finishReason\":\"STOP\""),
        "the Gemini stream: {stdout}"
    );
    assert!(
        stdout.contains("claude-1") && stdout.contains("gemini-1"),
        "the accounts are listed: {stdout}"
    );
    assert!(
        stdout.contains("alice"),
        "stats by key names the key: {stdout}"
    );
}
