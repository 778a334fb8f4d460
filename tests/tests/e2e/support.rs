//! Shared set-ups for the e2e tests.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};

/// A daemon with one key and one account of each provider, both on one mock.
pub struct World {
    pub mock: MockHandle,
    pub daemon: Daemon,
    pub key_id: String,
    pub secret: String,
    pub claude_account: String,
    pub gemini_account: String,
}

pub const CLAUDE_UPSTREAM_KEY: &str = "sk-ant-api03-upstream-claude-0001";
pub const GEMINI_UPSTREAM_KEY: &str = "AIzaSy-upstream-gemini-0001";

impl World {
    pub fn new() -> Self {
        let mock = MockHandle::start(MockConfig::default());
        let daemon = Daemon::start();
        let (key_id, secret) = daemon.create_key("dev", &[]);
        let claude_account = daemon.add_account(
            "claude-1",
            "claude-code",
            CLAUDE_UPSTREAM_KEY,
            &mock.url(),
            &[],
        );
        let gemini_account = daemon.add_account(
            "gemini-1",
            "gemini-cli",
            GEMINI_UPSTREAM_KEY,
            &mock.url(),
            &[],
        );
        Self {
            mock,
            daemon,
            key_id,
            secret,
            claude_account,
            gemini_account,
        }
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.daemon.url)
    }

    /// A Claude Code style Messages request with this world's key.
    pub async fn claude(&self, stream: bool, text: &str) -> reqwest::Response {
        post(
            &self.url("/v1/messages"),
            "x-api-key",
            &self.secret,
            &claude_body(stream, text),
        )
        .await
    }
}

/// A Claude Code style Messages body.
pub fn claude_body(stream: bool, text: &str) -> serde_json::Value {
    serde_json::json!({
        "model": "claude-sonnet-mock",
        "max_tokens": 1024,
        "stream": stream,
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli;"},
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": {"type": "ephemeral"}}
        ],
        "messages": [
            {"role": "system", "content": "inline system note"},
            {"role": "user", "content": [{"type": "text", "text": text}]}
        ],
        "tools": [{"name": "Read", "description": "read a file", "input_schema": {"type": "object"}}],
        "thinking": {"type": "adaptive"},
        "metadata": {"user_id": "{\"device_id\":\"d\",\"account_uuid\":\"a\",\"session_id\":\"s\"}"},
        "some_future_field": {"kept": true}
    })
}

/// A Gemini CLI style generateContent body.
pub fn gemini_body(text: &str) -> serde_json::Value {
    serde_json::json!({
        "contents": [{"role": "user", "parts": [{"text": text}]}],
        "systemInstruction": {"role": "user", "parts": [{"text": "You are a CLI."}]},
        "generationConfig": {"temperature": 1, "thinkingConfig": {"thinkingBudget": 8192, "includeThoughts": true}}
    })
}

/// POSTs `body` as JSON to `url` with the gateway key in `header`.
pub async fn post(
    url: &str,
    header: &str,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    World::client()
        .post(url)
        .header(header, key)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Status and JSON body of an answer.
pub async fn status_and_json(response: reqwest::Response) -> (u16, serde_json::Value) {
    (response.status().as_u16(), response.json().await.unwrap())
}

/// GETs `url` with `header: value` and parses the JSON answer.
pub async fn get_json(url: &str, header: &str, value: &str) -> serde_json::Value {
    let response = World::client()
        .get(url)
        .header(header, value)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

/// Fails if any of `needles` is in a stopped daemon's log or, in plaintext, anywhere in
/// its data dir (records, usage ledger, manifest).
pub fn assert_secret_free(dir: &std::path::Path, needles: &[&str]) {
    let log = std::fs::read_to_string(dir.join("gatewayd.log")).unwrap();
    for needle in needles {
        assert!(!log.contains(needle), "{needle} logged");
        for path in files_under(&dir.join("data")) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert!(
                !contains(&bytes, needle),
                "{needle} stored in plaintext in {}",
                path.display()
            );
        }
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every file below `dir`.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Runs `gatewayctl --json account login PROVIDER --name NAME --base-url BASE` and plays
/// the browser: `answer` reads the authorize URL the CLI prints and returns the code to
/// paste back. Returns the CLI's output.
pub fn login(
    daemon: &Daemon,
    provider: &str,
    name: &str,
    base_url: &str,
    answer: impl FnOnce(&reqwest::Url) -> String,
) -> std::process::Output {
    use std::io::{BufRead, Write};
    let mut child = std::process::Command::new(gateway_tests::harness::bin("gatewayctl"))
        .arg("--socket")
        .arg(daemon.socket())
        .args(["--json", "account", "login", provider, "--name", name])
        .args(["--base-url", base_url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if let Some(url) = line.trim().strip_prefix("https://") {
            break reqwest::Url::parse(&format!("https://{url}")).unwrap();
        }
    };
    let pasted = format!("{}\n", answer(&url));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(pasted.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// One query parameter of `url` (empty if absent).
pub fn param(url: &reqwest::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The Prometheus exposition on `daemon`'s data-plane port.
pub async fn metrics(daemon: &gateway_tests::harness::Daemon) -> String {
    let response = reqwest::get(format!("{}/metrics", daemon.url)).await;
    response
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text")
}

/// A Claude Messages request with the gateway key `secret` whose answer carries 10
/// output tokens (the mock's directive), to `base` (the daemon's URL).
pub async fn ten_tokens(base: &str, secret: &str) -> reqwest::Response {
    ten_tokens_model(base, secret, "claude-sonnet-mock").await
}

/// The same for `model`.
pub async fn ten_tokens_model(base: &str, secret: &str, model: &str) -> reqwest::Response {
    let mut body = claude_body(false, "[[mock:ok tokens=10]]");
    body["model"] = model.into();
    World::client()
        .post(format!("{base}/v1/messages"))
        .header("x-api-key", secret)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The same, expecting a 200 and reading the answer to its end.
pub async fn ten_tokens_ok(base: &str, secret: &str) {
    let answer = ten_tokens(base, secret).await;
    assert_eq!(answer.status(), 200);
    let _ = answer.bytes().await;
}
