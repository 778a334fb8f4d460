//! Claude subscription (OAuth) accounts against the mock's token endpoint: import,
//! bearer plus OAuth beta upstream, single-flight refresh ahead of expiry, rotated
//! refresh tokens kept across a restart, and a refused refresh taking the account out.

use std::path::PathBuf;

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{Action, Fault, MockConfig, MockHandle};

use crate::support::{assert_secret_free, claude_body, login, param, World};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A daemon whose OAuth token endpoint is the mock's.
fn daemon_for(mock: &MockHandle, dir: &tempfile::TempDir) -> (Daemon, PathBuf) {
    daemon_with(mock, dir, "")
}

/// The same, with more `[oauth]` settings.
fn daemon_with(mock: &MockHandle, dir: &tempfile::TempDir, oauth: &str) -> (Daemon, PathBuf) {
    let config = dir.path().join("gatewayd.toml");
    let url = format!("{}/v1/oauth/token", mock.url());
    std::fs::write(
        &config,
        format!("[oauth]\nclaude_token_url = \"{url}\"\n{oauth}"),
    )
    .unwrap();
    (
        Daemon::start_with(&["--config", config.to_str().unwrap()]),
        config,
    )
}

/// Writes a Claude Code credentials file and imports it; returns the account id.
pub(crate) fn import(
    daemon: &Daemon,
    mock: &MockHandle,
    name: &str,
    access: &str,
    refresh: &str,
    expires_at_ms: u64,
) -> String {
    let file = daemon.dir.path().join(format!("{name}.json"));
    let creds = serde_json::json!({"claudeAiOauth": {
        "accessToken": access, "refreshToken": refresh, "expiresAt": expires_at_ms,
        "scopes": ["user:inference", "user:profile"]}});
    std::fs::write(&file, creds.to_string()).unwrap();
    let account = daemon.ctl_json(&[
        "account",
        "import",
        file.to_str().unwrap(),
        "--name",
        name,
        "--base-url",
        &mock.url(),
    ]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(account["auth"], "oauth");
    account["id"].as_str().unwrap().to_owned()
}

/// The user agent Claude Code sends: subscription accounts serve it only.
pub(crate) const CLAUDE_CODE: &str = "claude-cli/2.1.251 (external, cli)";

/// Sends a Messages request as Claude Code would; the status.
pub(crate) async fn send(daemon: &Daemon, secret: &str) -> u16 {
    let response = World::client()
        .post(format!("{}/v1/messages", daemon.url))
        .header("x-api-key", secret)
        .header("anthropic-beta", "claude-code-20250219")
        .header("user-agent", CLAUDE_CODE)
        .json(&claude_body(false, "hi"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let _ = response.bytes().await;
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_logins_send_a_bearer_with_the_oauth_beta() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _) = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    import(
        &daemon,
        &mock,
        "max-1",
        "at-initial",
        "rt-initial",
        now_ms() + 3_600_000,
    );
    assert_eq!(send(&daemon, &secret).await, 200);
    let seen = mock.requests().pop().unwrap();
    assert_eq!(seen.header("authorization"), Some("Bearer at-initial"));
    assert_eq!(
        seen.header("anthropic-beta"),
        Some("claude-code-20250219,oauth-2025-04-20")
    );
    assert_eq!(seen.header("x-api-key"), None);
    assert_eq!(
        mock.oauth_refresh_calls(),
        0,
        "a token far from expiry is not refreshed"
    );

    let (dir, _) = daemon.stop();
    assert_secret_free(dir.path(), &["at-initial", "rt-initial"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_for_fifty_waiting_requests_and_the_rotation_survives_a_restart() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (daemon, config) = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    // Expires within the 5-minute refresh lead: due now.
    let id = import(
        &daemon,
        &mock,
        "max-1",
        "at-old",
        "rt-first",
        now_ms() + 60_000,
    );
    let sends = (0..50).map(|_| send(&daemon, &secret));
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        mock.oauth_refresh_calls(),
        1,
        "single flight: one refresh for 50 requests"
    );
    let tokens: std::collections::BTreeSet<String> = mock
        .requests()
        .iter()
        .filter_map(|r| r.account.clone())
        .collect();
    assert_eq!(
        tokens.len(),
        1,
        "every request used the refreshed token: {tokens:?}"
    );
    assert!(!tokens.contains("at-old"));

    let (dir, status) = daemon.stop();
    assert!(status.success());
    let daemon = Daemon::start_in(dir, &["--config", config.to_str().unwrap()]);
    let refreshed = daemon.ctl_json(&["account", "refresh", &id]);
    assert_eq!(
        refreshed["status"], "active",
        "the rotated refresh token was stored and used"
    );
    assert_eq!(mock.oauth_refresh_calls(), 2);
    assert_eq!(send(&daemon, &secret).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refresh_needs_login_and_traffic_moves_on() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _) = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    let id = import(
        &daemon,
        &mock,
        "max-1",
        "at-expired",
        "rt-revoked-1",
        now_ms() - 1_000,
    );
    daemon.add_account(
        "fallback",
        "claude-code",
        "sk-fallback",
        &mock.url(),
        &["--priority", "1"],
    );
    assert_eq!(send(&daemon, &secret).await, 200);
    assert_eq!(
        mock.requests().pop().unwrap().account.as_deref(),
        Some("sk-fallback")
    );
    let shown = daemon.ctl_json(&["account", "show", &id]);
    assert_eq!(shown["status"], "error");
    assert!(
        shown["status_reason"]
            .as_str()
            .unwrap()
            .contains("needs login"),
        "{shown}"
    );
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.account.as_deref() != Some("at-expired")),
        "the expired token never went out"
    );

    let setup = daemon.dir.path().join("setup.txt");
    std::fs::write(&setup, "sk-ant-oat01-setup-token").unwrap();
    let long_lived = daemon.ctl_json(&[
        "account",
        "import",
        setup.to_str().unwrap(),
        "--name",
        "setup",
        "--base-url",
        &mock.url(),
    ]);
    daemon.ctl_json(&[
        "account",
        "update",
        long_lived["id"].as_str().unwrap(),
        "--priority",
        "-1",
    ]);
    assert_eq!(send(&daemon, &secret).await, 200);
    assert_eq!(
        mock.requests().pop().unwrap().header("authorization"),
        Some("Bearer sk-ant-oat01-setup-token")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_by_authorization_code_with_pkce() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _) = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    let out = login(&daemon, "claude-code", "max-login", &mock.url(), |url| {
        assert_eq!(param(url, "code_challenge_method"), "S256");
        assert_eq!(
            param(url, "client_id"),
            "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
        );
        format!(
            "code-{}#{}",
            param(url, "code_challenge"),
            param(url, "state")
        )
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let account: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (account["auth"].as_str(), account["status"].as_str()),
        (Some("oauth"), Some("active"))
    );
    assert_eq!(send(&daemon, &secret).await, 200);
    let seen = mock.requests().pop().unwrap();
    assert!(seen
        .header("authorization")
        .unwrap()
        .starts_with("Bearer at-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_near_its_limit_stays_usable_and_is_shown() {
    let mock = MockHandle::start(MockConfig {
        utilization_5h: 0.85,
        ..MockConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _) = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    let id = import(
        &daemon,
        &mock,
        "max-1",
        "at-initial",
        "rt-initial",
        now_ms() + 3_600_000,
    );
    for _ in 0..2 {
        assert_eq!(
            send(&daemon, &secret).await,
            200,
            "allowed_warning is still allowed"
        );
    }
    daemon.settle();
    let shown = daemon.ctl_json(&["account", "show", &id]);
    assert_eq!(shown["state"], "active (near its limit)");
    assert_eq!(shown["limit_status"], "allowed_warning");
    // The account's quota: tokens counted in its window, and the window's reset as the
    // upstream reported it (the 5-hour one, three hours out).
    let body = claude_body(false, "hi");
    let per_request = gateway_tests::mock::input_tokens(&body) + 16;
    assert_eq!(shown["quota"]["used"], 2 * per_request, "{shown}");
    let reset = shown["quota"]["reset_time"].as_i64().unwrap();
    let expected = (now_ms() / 1000) as i64 + 3 * 3600;
    assert!((reset - expected).abs() < 120, "{reset} vs {expected}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_accounts_are_refreshed_in_the_background() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _) = daemon_with(&mock, &dir, "refresh_check_interval = \"100ms\"\n");
    import(
        &daemon,
        &mock,
        "idle",
        "at-idle",
        "rt-idle",
        now_ms() + 60_000,
    );
    gateway_tests::harness::eventually("a background refresh", || {
        (mock.oauth_refresh_calls() == 1).then_some(())
    });
    assert!(
        mock.requests().iter().all(|r| r.path == "/v1/oauth/token"),
        "no client traffic was needed"
    );
}

/// A subscription benched by an exhausted window (reset in an hour), in a daemon that
/// probes every 200 ms.
async fn benched(mock: &MockHandle, dir: &tempfile::TempDir) -> (Daemon, String) {
    let config = dir.path().join("gatewayd.toml");
    let url = format!("{}/v1/oauth/token", mock.url());
    std::fs::write(
        &config,
        format!("[oauth]\nclaude_token_url = \"{url}\"\n[health]\ncheck_interval = \"200ms\"\n"),
    )
    .unwrap();
    let daemon = Daemon::start_with(&["--config", config.to_str().unwrap()]);
    let (_, secret) = daemon.create_key("dev", &[]);
    let id = import(&daemon, mock, "max-1", "at-1", "rt-1", now_ms() + 3_600_000);
    // On the Messages route only: the health probes use the same login.
    mock.fault(Fault {
        path: Some("/v1/messages".to_owned()),
        account: Some("at-1".to_owned()),
        action: Action::Exhausted {
            reset_in: 3_600,
            model_scoped: false,
        },
        times: 1,
    });
    assert_eq!(send(&daemon, &secret).await, 429);
    let shown = daemon.ctl_json(&["account", "show", &id]);
    assert_eq!(
        shown["cooling_reason"], "subscription window exhausted",
        "{shown}"
    );
    (daemon, id)
}

/// Waits until the daemon has read the usage endpoint twice.
fn two_usage_reads(mock: &MockHandle) {
    let asked = || {
        mock.requests()
            .iter()
            .filter(|r| r.path == "/api/oauth/usage")
            .count()
    };
    gateway_tests::harness::eventually("two usage reads", || (asked() >= 2).then_some(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_with_room_again_brings_its_account_back_early() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    mock.set_usage(1.0);
    let (daemon, id) = benched(&mock, &dir).await;
    // Still exhausted: a few rounds pass and it stays benched, asked less and less often.
    two_usage_reads(&mock);
    assert!(daemon.ctl_json(&["account", "show", &id])["cooling_until_ms"].is_i64());

    mock.set_usage(0.3);
    let back = gateway_tests::harness::eventually("the account back early", || {
        let shown = daemon.ctl_json(&["account", "show", &id]);
        shown["cooling_until_ms"].is_null().then_some(shown)
    });
    let history = back["history"].as_array().unwrap();
    assert!(
        history.iter().any(|e| e["reason"]
            .as_str()
            .unwrap()
            .starts_with("quota back early")),
        "{back}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_usage_read_leaves_the_account_benched() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let failing = Fault {
        path: Some("/api/oauth/usage".to_owned()),
        account: None,
        action: Action::Status {
            code: 500,
            retry_after: None,
        },
        times: 1_000,
    };
    mock.fault(failing);
    let (daemon, id) = benched(&mock, &dir).await;
    two_usage_reads(&mock);
    let shown = daemon.ctl_json(&["account", "show", &id]);
    assert!(
        shown["cooling_until_ms"].is_i64(),
        "still benched until its reset: {shown}"
    );
}
