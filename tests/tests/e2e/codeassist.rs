//! Gemini CLI logins (Google OAuth, Code Assist) in the pool: import and login with
//! project discovery and onboarding, Gemini API clients served through the Code Assist
//! envelope byte for byte, Gemini CLI's own Code Assist protocol served by the gateway,
//! and Google's QUOTA_EXHAUSTED cooling the account.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::codeassist::PROJECT;
use gateway_tests::mock::{Action, Fault, MockConfig, MockHandle};
use serde_json::value::RawValue;

use crate::support::{assert_secret_free, gemini_body, login, param, World};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A daemon whose Google token endpoint is the mock's, polling onboarding quickly.
fn daemon_for(mock: &MockHandle, dir: &tempfile::TempDir) -> Daemon {
    daemon_with(mock, dir, "")
}

/// The same, with more settings after `[oauth]`'s.
fn daemon_with(mock: &MockHandle, dir: &tempfile::TempDir, more: &str) -> Daemon {
    let config = dir.path().join("gatewayd.toml");
    std::fs::write(
        &config,
        format!(
            "[oauth]\ngoogle_token_url = \"{}/token\"\nonboard_poll_interval = \"20ms\"\n{more}",
            mock.url()
        ),
    )
    .unwrap();
    Daemon::start_with(&["--config", config.to_str().unwrap()])
}

/// Imports a Gemini CLI `oauth_creds.json` holding `access` and a refresh token; returns
/// the account as shown.
fn import(daemon: &Daemon, mock: &MockHandle, access: &str, expiry_ms: f64) -> serde_json::Value {
    let creds = serde_json::json!({
        "access_token": access, "refresh_token": "1//initial", "token_type": "Bearer",
        "scope": "https://www.googleapis.com/auth/cloud-platform", "expiry_date": expiry_ms,
        "id_token": "eyJ.mock.id"});
    let out = import_creds(daemon, mock, "google-1", &creds, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The next Code Assist generation call finds the login's quota used up for two hours.
fn exhaust_once(mock: &MockHandle) {
    mock.fault(Fault {
        path: Some("/v1internal:generateContent".into()),
        account: None,
        action: Action::Exhausted {
            reset_in: 7200,
            model_scoped: false,
        },
        times: 1,
    });
}

/// `gatewayctl --json account import --type gemini-cli` of `creds`, written to a file.
fn import_creds(
    daemon: &Daemon,
    mock: &MockHandle,
    name: &str,
    creds: &serde_json::Value,
    extra: &[&str],
) -> std::process::Output {
    let file = daemon.dir.path().join(format!("{name}.json"));
    std::fs::write(&file, creds.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let mut args = vec!["--json", "account", "import", path, "--type", "gemini-cli"];
    let base_url = mock.url();
    args.extend(["--name", name, "--base-url", &base_url]);
    args.extend(extra);
    let out = daemon.ctl(&args);
    std::fs::remove_file(&file).unwrap();
    out
}

/// The `response` inside a Code Assist answer envelope, as the bytes it was sent as.
fn inner(envelope: &[u8]) -> String {
    field(envelope, "response")
}

/// One top-level field of a JSON object, as its exact bytes.
fn field(object: &[u8], name: &str) -> String {
    let fields: std::collections::HashMap<String, Box<RawValue>> =
        serde_json::from_slice(object).unwrap();
    fields[name].get().to_owned()
}

/// SSE `data:` payloads in order.
fn data_lines(body: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(body)
        .lines()
        .filter_map(|l| l.strip_prefix("data: ").map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_google_login_is_onboarded_and_serves_gemini_api_clients() {
    let mock = MockHandle::start(MockConfig {
        onboard_required: true,
        ..MockConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let daemon = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    // An expired access token (Gemini CLI writes fractional milliseconds): the import
    // refreshes it, then discovery onboards the user and polls the operation.
    let account = import(&daemon, &mock, "ya29.stale", now_ms() as f64 - 5_000.5);
    assert_eq!(account["project"], PROJECT, "{account}");
    assert_eq!(account["status"], "active");
    let calls: Vec<String> = mock.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        calls,
        [
            "/token",
            "/v1internal:loadCodeAssist",
            "/v1internal:onboardUser",
            "/v1internal/operations/mock-1"
        ]
    );
    let usage = daemon.ctl_json(&["account", "usage", account["id"].as_str().unwrap()]);
    assert_eq!(usage["buckets"][0]["model"], "gemini-2.5-pro", "{usage}");
    assert_eq!(usage["buckets"][0]["remaining_fraction"], 0.75);
    mock.clear_requests();

    let client = World::client();
    let sent = serde_json::to_vec(&gemini_body("hello")).unwrap();
    for (path, sse) in [
        ("/v1beta/models/gemini-2.5-pro:generateContent", false),
        (
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            true,
        ),
    ] {
        mock.clear_requests();
        let response = client
            .post(format!("{}{path}", daemon.url))
            .header("x-goog-api-key", &secret)
            .header("content-type", "application/json")
            .body(sent.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let received = response.bytes().await.unwrap();
        let seen = mock.requests().pop().unwrap();
        let method = path.rsplit(':').next().unwrap().split('?').next().unwrap();
        assert_eq!(seen.path, format!("/v1internal:{method}"));
        assert!(seen
            .header("authorization")
            .unwrap()
            .starts_with("Bearer ya29.mock-"));
        assert_eq!(seen.header("x-goog-api-key"), None);
        let envelope: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
        assert_eq!(envelope["model"], "gemini-2.5-pro");
        assert_eq!(envelope["project"], PROJECT);
        assert_eq!(
            field(seen.body.as_bytes(), "request").as_bytes(),
            sent.as_slice(),
            "the client's body travels inside the envelope unchanged"
        );
        if sse {
            assert_eq!(seen.query.as_deref(), Some("alt=sse"));
            let upstream: Vec<String> = data_lines(&seen.response)
                .iter()
                .map(|d| inner(d.as_bytes()))
                .collect();
            assert!(upstream.len() > 1, "a real stream");
            assert_eq!(data_lines(&received), upstream, "unwrapped byte for byte");
        } else {
            assert_eq!(
                std::str::from_utf8(&received).unwrap(),
                inner(&seen.response)
            );
        }
    }
    let count = client
        .post(format!(
            "{}/v1beta/models/gemini-2.5-pro:countTokens",
            daemon.url
        ))
        .header("x-goog-api-key", &secret)
        .json(&serde_json::json!({"contents": [{"parts": [{"text": "a b c"}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(count.status(), 200);
    let seen = mock.requests().pop().unwrap();
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(body["request"]["model"], "models/gemini-2.5-pro");
    assert!(count.json::<serde_json::Value>().await.unwrap()["totalTokens"].is_u64());

    let (dir, _) = daemon.stop();
    assert_secret_free(dir.path(), &["ya29.", "1//initial", "eyJ.mock.id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_cli_in_google_login_mode_talks_code_assist_to_the_gateway() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let daemon = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    let client = World::client();
    let call = |method: &str, body: serde_json::Value| {
        client
            .post(format!("{}/v1internal:{method}", daemon.url))
            .bearer_auth(&secret)
            .json(&body)
            .send()
    };
    // Housekeeping is answered by the gateway: a tier and a project, no onboarding.
    let load: serde_json::Value = call("loadCodeAssist", serde_json::json!({"metadata": {}}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(load["currentTier"]["id"], "standard-tier");
    let project = load["cloudaicompanionProject"].as_str().unwrap().to_owned();
    for (method, expected) in [
        ("listExperiments", serde_json::json!({})),
        ("retrieveUserQuota", serde_json::json!({"buckets": []})),
    ] {
        let answer: serde_json::Value = call(method, serde_json::json!({"project": project}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer, expected, "{method}");
    }
    assert!(mock.requests().is_empty(), "nothing went upstream yet");
    let refused = client
        .post(format!("{}/v1internal:loadCodeAssist", daemon.url))
        .bearer_auth("gwk_wrong")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["status"], "UNAUTHENTICATED");

    // With an API-key account, the envelope comes off on the way up and goes back on.
    daemon.add_account("gemini-key", "gemini-cli", "AIza-key", &mock.url(), &[]);
    let envelope = serde_json::json!({"model": "gemini-2.5-flash", "project": project,
        "user_prompt_id": "p-1", "request": gemini_body("hi")});
    let response = client
        .post(format!(
            "{}/v1internal:streamGenerateContent?alt=sse",
            daemon.url
        ))
        .bearer_auth(&secret)
        .json(&envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let received = response.bytes().await.unwrap();
    let seen = mock.requests().pop().unwrap();
    assert_eq!(
        seen.path,
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    );
    assert_eq!(seen.account.as_deref(), Some("AIza-key"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&seen.body).unwrap(),
        gemini_body("hi")
    );
    let received = data_lines(&received);
    assert_eq!(
        received
            .iter()
            .map(|d| inner(d.as_bytes()))
            .collect::<Vec<_>>(),
        data_lines(&seen.response),
        "each chunk wrapped, its bytes untouched"
    );
    let first: serde_json::Value = serde_json::from_str(&received[0]).unwrap();
    assert!(first["traceId"].is_string());

    // With a Code Assist account as well (preferred), the envelope passes through with
    // the account's own project.
    let creds = serde_json::json!({"access_token": "ya29.fresh", "refresh_token": "1//r",
        "expiry_date": now_ms() + 3_600_000});
    let out = import_creds(&daemon, &mock, "google-1", &creds, &["--priority", "-1"]);
    assert!(out.status.success());
    mock.clear_requests();
    let response = call("generateContent", envelope).await.unwrap();
    assert_eq!(response.status(), 200);
    let received = response.bytes().await.unwrap();
    let seen = mock.requests().pop().unwrap();
    assert_eq!(seen.path, "/v1internal:generateContent");
    let sent_up: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(sent_up["project"], PROJECT);
    assert_eq!(sent_up["user_prompt_id"], "p-1");
    assert_eq!(received.as_ref(), seen.response.as_slice());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_exhausted_cools_the_login_until_its_reset() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let daemon = daemon_for(&mock, &dir);
    let (_, secret) = daemon.create_key("dev", &[]);
    let account = import(&daemon, &mock, "ya29.fresh", (now_ms() + 3_600_000) as f64);
    let id = account["id"].as_str().unwrap().to_owned();
    daemon.add_account(
        "gemini-key",
        "gemini-cli",
        "AIza-key",
        &mock.url(),
        &["--priority", "1"],
    );
    exhaust_once(&mock);
    let url = format!(
        "{}/v1beta/models/gemini-2.5-pro:generateContent",
        daemon.url
    );
    let send = || {
        World::client()
            .post(&url)
            .header("x-goog-api-key", &secret)
            .json(&gemini_body("hi"))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200, "failed over");
    assert_eq!(
        mock.requests().pop().unwrap().account.as_deref(),
        Some("AIza-key")
    );
    let shown = daemon.ctl_json(&["account", "show", &id]);
    let until = shown["cooling_until_ms"].as_u64().expect("cooling down");
    let expected = now_ms() + 7_200_000;
    assert!(
        until.abs_diff(expected) < 60_000,
        "cools until the quota reset: {until} vs {expected}"
    );
    mock.clear_requests();
    assert_eq!(send().await.unwrap().status(), 200);
    assert_eq!(
        mock.requests().pop().unwrap().account.as_deref(),
        Some("AIza-key"),
        "the exhausted login is skipped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_whose_quota_is_back_returns_early_and_usage_shows_the_check() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let daemon = daemon_with(&mock, &dir, "[health]\ncheck_interval = \"200ms\"\n");
    let (_, secret) = daemon.create_key("dev", &[]);
    let id = import(&daemon, &mock, "ya29.fresh", (now_ms() + 3_600_000) as f64)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    mock.set_usage(1.0);
    exhaust_once(&mock);
    let url = format!(
        "{}/v1beta/models/gemini-2.5-pro:generateContent",
        daemon.url
    );
    let sent = World::client()
        .post(&url)
        .header("x-goog-api-key", &secret)
        .json(&gemini_body("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 429, "the only login is exhausted");
    let reads = || {
        let asked = mock.requests();
        asked
            .iter()
            .filter(|r| r.path == "/v1internal:retrieveUserQuota")
            .count()
    };
    gateway_tests::harness::eventually("two quota reads", || (reads() >= 2).then_some(()));
    let usage = daemon.ctl_json(&["account", "usage", &id]);
    assert_eq!(usage["quota_check"]["finding"], "exhausted", "{usage}");
    assert!(usage["quota_check"]["next_ms"].is_i64(), "{usage}");

    mock.set_usage(0.4);
    let back = gateway_tests::harness::eventually("the login back early", || {
        let shown = daemon.ctl_json(&["account", "show", &id]);
        shown["cooling_until_ms"].is_null().then_some(shown)
    });
    let reasons: Vec<&str> = back["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["reason"].as_str())
        .collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("quota back early")),
        "{back}"
    );
    let usage = daemon.ctl(&["account", "usage", &id]);
    let shown = String::from_utf8_lossy(&usage.stderr);
    assert!(
        shown.contains("last quota check") && shown.contains("room"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_login_by_pkce_and_a_revoked_import_is_refused() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let daemon = daemon_for(&mock, &dir);
    let out = login(&daemon, "gemini-cli", "g", &mock.url(), |url| {
        assert_eq!(url.host_str(), Some("accounts.google.com"));
        assert!(param(url, "client_id").starts_with("681255809395-"));
        assert_eq!(param(url, "access_type"), "offline");
        assert_eq!(param(url, "code_challenge_method"), "S256");
        // Google's page shows only the code.
        format!("code-{}", param(url, "code_challenge"))
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let account: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(account["project"], PROJECT);
    assert_eq!(account["type"], "gemini-cli");

    let creds = serde_json::json!({"access_token": "ya29.old", "refresh_token": "1//revoked",
        "expiry_date": now_ms() - 1_000});
    let out = import_creds(&daemon, &mock, "g2", &creds, &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs login"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}
