//! Restart, clean shutdown, and secrets: nothing secret in the data dir or the log.

use gateway_tests::harness::Daemon;

use crate::support::{
    claude_body, contains, files_under as files, post, World, CLAUDE_UPSTREAM_KEY,
    GEMINI_UPSTREAM_KEY,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_keys_and_accounts_and_no_secret_is_written_or_logged() {
    let w = World::new();
    let prompt = "a private prompt about project nightingale";
    let response = w.claude(true, prompt).await;
    assert_eq!(response.status(), 200);
    let _ = response.bytes().await.unwrap();
    let World {
        mock,
        daemon,
        secret,
        key_id,
        ..
    } = w;
    assert!(
        daemon.log().contains("back it up now"),
        "the first start tells the operator to back up the new master key"
    );

    let (dir, status) = daemon.stop();
    assert!(
        status.success(),
        "SIGTERM ends gatewayd with exit 0, got {status}"
    );
    for file in files(&dir.path().join("data")) {
        let bytes = std::fs::read(&file).unwrap();
        for needle in [
            secret.as_str(),
            CLAUDE_UPSTREAM_KEY,
            GEMINI_UPSTREAM_KEY,
            prompt,
        ] {
            assert!(
                !contains(&bytes, needle),
                "{} holds a secret in plaintext",
                file.display()
            );
        }
    }
    let log = std::fs::read(dir.path().join("gatewayd.log")).unwrap();
    for needle in [
        secret.as_str(),
        CLAUDE_UPSTREAM_KEY,
        GEMINI_UPSTREAM_KEY,
        prompt,
    ] {
        assert!(!contains(&log, needle), "the log leaks a secret or prompt");
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.path().join("data/master.key"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    let daemon = Daemon::start_in(dir, &[]);
    let keys = daemon.ctl_json(&["key", "list"]);
    assert_eq!(keys[0]["id"], key_id.as_str());
    let accounts = daemon.ctl_json(&["account", "list"]);
    assert_eq!(accounts.as_array().unwrap().len(), 2);
    let usage = daemon.ctl_json(&["stats", "--by", "key"]);
    assert_eq!(usage[0]["requests"], 1, "usage survives the restart");
    mock.clear_requests();
    let url = format!("{}/v1/messages", daemon.url);
    let response = post(
        &url,
        "x-api-key",
        &secret,
        &claude_body(false, "after restart"),
    )
    .await;
    assert_eq!(
        response.status(),
        200,
        "the old key and the sealed account still work"
    );
    assert_eq!(
        mock.requests()[0].header("x-api-key"),
        Some(CLAUDE_UPSTREAM_KEY)
    );
    let (_, status) = daemon.stop();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_master_key_is_refused_loudly() {
    let daemon = Daemon::start();
    daemon.create_key("dev", &[]);
    let (dir, _) = daemon.stop();
    std::fs::remove_file(dir.path().join("data/master.key")).unwrap();
    let out = std::process::Command::new(gateway_tests::harness::bin("gatewayd"))
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--socket")
        .arg(dir.path().join("ctl.sock"))
        .env_remove("GATEWAYD_MASTER_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("master key is missing"));
    assert!(
        !dir.path().join("data/master.key").exists(),
        "no new key is generated over old data"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_an_in_flight_stream_finish() {
    let w = World::new();
    let mut response = w
        .claude(true, "slow [[mock:ok tokens=40 interval_ms=25]]")
        .await;
    let first = response.chunk().await.unwrap().unwrap();
    let World { daemon, .. } = w;
    let stopper = std::thread::spawn(move || daemon.stop().1);
    let mut text = String::from_utf8_lossy(&first).into_owned();
    while let Some(chunk) = response.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        text.contains("message_stop"),
        "the stream finished during the grace period"
    );
    assert!(stopper.join().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_at_the_end_of_the_grace_is_recorded_with_what_it_counted() {
    let mock = gateway_tests::mock::MockHandle::start(Default::default());
    let daemon = Daemon::start_with_config("shutdown_grace = \"300ms\"\n");
    let (_, secret) = daemon.create_key("dev", &[]);
    daemon.add_account("up", "claude-code", CLAUDE_UPSTREAM_KEY, &mock.url(), &[]);
    let mut response = crate::support::post(
        &format!("{}/v1/messages", daemon.url),
        "x-api-key",
        &secret,
        &crate::support::claude_body(true, "long [[mock:ok tokens=400 interval_ms=50]]"),
    )
    .await;
    let first = response.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("message_start"));
    let (dir, status) = tokio::task::spawn_blocking(move || daemon.stop())
        .await
        .unwrap();
    assert!(status.success(), "a cut stream is still a clean stop");
    drop(response);

    let daemon = Daemon::start_in(dir, &[]);
    let log = daemon.ctl_json(&["log", "tail"]);
    let entry = &log.as_array().unwrap()[0];
    assert_eq!(entry["error"], "incomplete", "{entry}");
    assert!(entry["input_tokens"].as_u64().unwrap() > 0, "{entry}");
    let stats = daemon.ctl_json(&["stats", "--by", "key"]);
    assert_eq!(stats[0]["requests"], 1, "{stats}");
    assert_eq!(stats[0]["errors"], 1, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_a_followed_log_within_the_grace() {
    use std::io::BufRead;
    let daemon = Daemon::start_with_config("shutdown_grace = \"2s\"\n");
    let mut follower = std::process::Command::new(gateway_tests::harness::bin("gatewayctl"))
        .arg("--socket")
        .arg(daemon.socket())
        .args(["--json", "log", "tail", "--follow"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (lines, got) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let _ = lines.send(line);
        }
    });
    // Refusals are logged too: once one shows up, the follower is following.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let _ = reqwest::get(format!("{}/v1/nothing-here", daemon.url)).await;
        if got
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_ok()
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the follower never followed"
        );
    }
    let started = std::time::Instant::now();
    let (_, status) = tokio::task::spawn_blocking(move || daemon.stop())
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took < std::time::Duration::from_secs(5),
        "a followed log held up the shutdown for {took:?}"
    );
    let ended = follower.wait().unwrap();
    assert!(ended.success(), "the follower ends cleanly: {ended:?}");
}
