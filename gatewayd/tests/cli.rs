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

#[test]
fn check_config_validates_and_exits() {
    let exe = env!("CARGO_BIN_EXE_gatewayd");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = Command::new(exe)
        .args(["--check-config", "--config", example])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("configuration OK"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[upstream]\nmax_attempts = 0\n").unwrap();
    let out = Command::new(exe)
        .args(["--check-config", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("upstream.max_attempts"));

    let missing_cert = dir.path().join("tls.toml");
    std::fs::write(
        &missing_cert,
        "[tls]\ncert = \"/nonexistent/cert.pem\"\nkey = \"/nonexistent/key.pem\"\n",
    )
    .unwrap();
    let out = Command::new(exe)
        .args(["--check-config", "--config"])
        .arg(&missing_cert)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/cert.pem"));
}
