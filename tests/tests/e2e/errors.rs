//! Every error the gateway makes itself, in the client's dialect, before any upstream call.

use gateway_tests::harness::{eventually, Daemon};
use gateway_tests::mock::{MockConfig, MockHandle};
use serde_json::Value;

use crate::support::{claude_body, gemini_body, post, status_and_json, World};

const MESSAGES: &str = "/v1/messages?beta=true";
const GENERATE: &str = "/v1beta/models/gemini-2.5-pro:generateContent";

async fn anthropic(w: &World, key: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut request = World::client().post(w.url(MESSAGES)).body(body);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn gemini(w: &World, key: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut request = World::client().post(w.url(GENERATE)).body(body);
    if let Some(key) = key {
        request = request.header("x-goog-api-key", key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn assert_anthropic(got: (u16, Value), status: u16, kind: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["type"], "error");
    assert_eq!(got.1["error"]["type"], kind, "{}", got.1);
    assert!(got.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

fn assert_gemini(got: (u16, Value), status: u16, canonical: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], status);
    assert_eq!(got.1["error"]["status"], canonical, "{}", got.1);
}

fn claude() -> Vec<u8> {
    serde_json::to_vec(&claude_body(false, "hi")).unwrap()
}

fn google() -> Vec<u8> {
    serde_json::to_vec(&gemini_body("hi")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_failures_in_both_dialects() {
    let w = World::new();
    assert_anthropic(
        anthropic(&w, None, claude()).await,
        401,
        "authentication_error",
    );
    assert_gemini(gemini(&w, None, google()).await, 401, "UNAUTHENTICATED");
    let unknown = format!("gwk_{}", "x".repeat(43));
    assert_anthropic(
        anthropic(&w, Some(&unknown), claude()).await,
        401,
        "authentication_error",
    );
    assert_gemini(
        gemini(&w, Some(&unknown), google()).await,
        401,
        "UNAUTHENTICATED",
    );
    // A provider's own key where the gateway's belongs is told apart from a wrong one.
    let (status, body) = anthropic(&w, Some("sk-ant-api03-mine"), claude()).await;
    assert_eq!(status, 401);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("provider's own key"), "{message}");

    let (id, revoked) = w.daemon.create_key("to-revoke", &[]);
    assert_eq!(anthropic(&w, Some(&revoked), claude()).await.0, 200);
    w.daemon.ctl_json(&["key", "revoke", &id]);
    assert_anthropic(
        anthropic(&w, Some(&revoked), claude()).await,
        401,
        "authentication_error",
    );

    let (_, read_only) = w.daemon.create_key("reader", &["--permissions", "read"]);
    assert_anthropic(
        anthropic(&w, Some(&read_only), claude()).await,
        403,
        "permission_error",
    );
    assert_gemini(
        gemini(&w, Some(&read_only), google()).await,
        403,
        "PERMISSION_DENIED",
    );

    let (_, gemini_only) = w
        .daemon
        .create_key("gemini-only", &["--providers", "gemini-cli"]);
    assert_anthropic(
        anthropic(&w, Some(&gemini_only), claude()).await,
        403,
        "permission_error",
    );
    assert_eq!(gemini(&w, Some(&gemini_only), google()).await.0, 200);

    let (_, short_lived) = w.daemon.create_key("short", &["--expires", "1s"]);
    let rt = tokio::runtime::Handle::current();
    let expired = eventually("the key to expire", || {
        let got = tokio::task::block_in_place(|| {
            rt.block_on(anthropic(&w, Some(&short_lived), claude()))
        });
        (got.0 != 200).then_some(got)
    });
    assert_anthropic(expired, 403, "permission_error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_and_missing_routes() {
    let w = World::new();
    let key = Some(w.secret.as_str());
    assert_anthropic(
        anthropic(&w, key, b"{\"model\": ".to_vec()).await,
        400,
        "invalid_request_error",
    );
    assert_gemini(
        gemini(&w, key, b"not json".to_vec()).await,
        400,
        "INVALID_ARGUMENT",
    );
    assert!(
        w.mock.requests().is_empty(),
        "malformed JSON never reaches the upstream"
    );

    let got = status_and_json(
        post(
            &w.url("/v1/complete"),
            "x-api-key",
            &w.secret,
            &serde_json::json!({}),
        )
        .await,
    )
    .await;
    assert_anthropic(got, 404, "not_found_error");
    let explode = w.url("/v1beta/models/gemini-2.5-pro:explode");
    let got = status_and_json(
        post(
            &explode,
            "x-goog-api-key",
            &w.secret,
            &serde_json::json!({}),
        )
        .await,
    )
    .await;
    assert_gemini(got, 404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_413_and_empty_pools_503() {
    let mock = MockHandle::start(MockConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gatewayd.toml");
    std::fs::write(&config, "max_body_bytes = 2048\n").unwrap();
    let daemon = Daemon::start_with(&["--config", config.to_str().unwrap()]);
    let (_, secret) = daemon.create_key("dev", &[]);
    let messages = format!("{}{MESSAGES}", daemon.url);
    let generate = format!("{}{GENERATE}", daemon.url);

    // No accounts at all: 503 that says so, in each dialect.
    let got =
        status_and_json(post(&messages, "x-api-key", &secret, &claude_body(false, "hi")).await)
            .await;
    let message = got.1["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("no usable claude-code account"),
        "{message}"
    );
    assert_anthropic(got, 503, "api_error");
    let got =
        status_and_json(post(&generate, "x-goog-api-key", &secret, &gemini_body("hi")).await).await;
    assert_gemini(got, 503, "UNAVAILABLE");

    daemon.add_account("claude-1", "claude-code", "sk-upstream", &mock.url(), &[]);
    let big = claude_body(false, &"x".repeat(4096));
    let got = status_and_json(post(&messages, "x-api-key", &secret, &big).await).await;
    assert_anthropic(got, 413, "request_too_large");
    let response = post(&messages, "x-api-key", &secret, &claude_body(false, "hi")).await;
    assert_eq!(
        response.status(),
        200,
        "a body under the limit still passes"
    );
    assert_eq!(mock.requests().len(), 1);
}
