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
