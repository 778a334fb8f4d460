//! Anthropic Messages through the gateway: bytes, headers and credentials.

use crate::support::{claude_body, get_json, post, World, CLAUDE_UPSTREAM_KEY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_stream_and_non_stream_arrive_byte_for_byte() {
    let w = World::new();
    let client = World::client();
    // The last one is a long conversation: far bigger than a connection's read buffer.
    let long = format!("hello {}", "and then some more context ".repeat(24_000));
    for (stream, prompt) in [(false, "hello"), (true, "hello"), (true, long.as_str())] {
        w.mock.clear_requests();
        let body = claude_body(stream, prompt);
        let sent = serde_json::to_vec(&body).unwrap();
        let response = client
            .post(w.url("/v1/messages?beta=true"))
            .header("authorization", format!("Bearer {}", w.secret))
            .header("anthropic-version", "2023-06-01")
            .header(
                "anthropic-beta",
                "claude-code-20250219,interleaved-thinking-2025-05-14,new-beta-2026-11-01",
            )
            .header("user-agent", "claude-cli/2.1.197 (external, cli)")
            .header("content-type", "application/json")
            .body(sent.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(content_type.starts_with("text/event-stream"), stream);
        assert!(response.headers().contains_key("request-id"));
        let received = response.bytes().await.unwrap();

        let upstream = w.mock.requests();
        assert_eq!(upstream.len(), 1);
        let seen = &upstream[0];
        assert_eq!(
            received.as_ref(),
            seen.response.as_slice(),
            "stream={stream}: bytes differ"
        );
        assert_eq!(
            seen.body.as_bytes(),
            sent.as_slice(),
            "request body must travel unchanged"
        );
        assert_eq!(seen.query.as_deref(), Some("beta=true"));
        assert_eq!(seen.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(
            seen.header("anthropic-beta"),
            Some("claude-code-20250219,interleaved-thinking-2025-05-14,new-beta-2026-11-01")
        );
        assert_eq!(
            seen.header("user-agent"),
            Some("claude-cli/2.1.197 (external, cli)")
        );
        assert_eq!(seen.header("x-api-key"), Some(CLAUDE_UPSTREAM_KEY));
        assert_eq!(
            seen.header("authorization"),
            None,
            "the gateway key must not travel upstream"
        );
        assert!(seen.headers.iter().all(|(_, v)| !v.contains(&w.secret)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_tokens_models_and_probes() {
    let w = World::new();
    let client = World::client();
    let body = serde_json::json!({"model": "claude-sonnet-mock", "messages": [{"role": "user", "content": "hi"}]});
    let url = w.url("/v1/messages/count_tokens?beta=true");
    let counted: serde_json::Value = post(&url, "x-api-key", &w.secret, &body)
        .await
        .json()
        .await
        .unwrap();
    assert!(counted["input_tokens"].as_u64().unwrap() > 0);

    let bearer = format!("Bearer {}", w.secret);
    let models = get_json(&w.url("/v1/models?limit=1000"), "authorization", &bearer).await;
    assert_eq!(models["data"][0]["id"], "claude-sonnet-mock");

    // Claude Code's credential-less probe and the health check need no key.
    let head = client.head(w.url("/")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let health = client.get(w.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        w.mock.requests().len(),
        2,
        "probes never reach the upstream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_reused_for_json_and_stream_answers() {
    let w = World::new();
    for stream in [false, true, false, true, false] {
        let response = w.claude(stream, "hi").await;
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await.unwrap();
    }
    let connections: std::collections::BTreeSet<u64> =
        w.mock.requests().iter().map(|r| r.connection).collect();
    assert_eq!(
        connections.len(),
        1,
        "one pooled upstream connection serves sequential requests: {connections:?}"
    );
}
