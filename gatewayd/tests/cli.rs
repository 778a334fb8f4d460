//! The gatewayd binary's own edges: version, and a bad configuration exits 64 with one
//! clear line before anything binds.

use std::process::Command;

#[test]
fn version_and_bad_config() {
    let exe = env!("CARGO_BIN_EXE_gatewayd");
    let out = Command::new(exe).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("gatewayd "));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\nmax_body_bytes = \"lots\"\n",
    )
    .unwrap();
    let out = Command::new(exe)
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid config file"), "{stderr}");
    assert!(
        !dir.path().join("data").exists(),
        "nothing is created for a bad config"
    );
}
