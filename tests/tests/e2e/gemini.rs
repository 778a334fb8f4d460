//! Gemini API through the gateway, under /v1beta and /v1, with every key placement.

use crate::support::{gemini_body, get_json, post, World, GEMINI_UPSTREAM_KEY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_and_stream_arrive_byte_for_byte_under_both_versions() {
    let w = World::new();
    let client = World::client();
    let cases = [
        ("/v1beta/models/gemini-2.5-pro:generateContent", None),
        (
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            Some("alt=sse"),
        ),
        ("/v1/models/gemini-2.5-pro:generateContent", None),
        ("/v1/models/gemini-2.5-pro:streamGenerateContent", None),
    ];
    for (path, upstream_query) in cases {
        w.mock.clear_requests();
        let sent = serde_json::to_vec(&gemini_body("hello")).unwrap();
        let response = client
            .post(w.url(path))
            .header("x-goog-api-key", &w.secret)
            .header("x-goog-api-client", "google-genai-sdk/1.30.0 gl-node/v20")
            .header("content-type", "application/json")
            .body(sent.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let received = response.bytes().await.unwrap();
        let upstream = w.mock.requests();
        let seen = &upstream[0];
        assert_eq!(
            received.as_ref(),
            seen.response.as_slice(),
            "{path}: bytes differ"
        );
        assert_eq!(seen.body.as_bytes(), sent.as_slice());
        assert_eq!(seen.query.as_deref(), upstream_query, "{path}");
        assert_eq!(seen.header("x-goog-api-key"), Some(GEMINI_UPSTREAM_KEY));
        assert_eq!(
            seen.header("x-goog-api-client"),
            Some("google-genai-sdk/1.30.0 gl-node/v20")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_in_query_or_bearer_and_the_read_endpoints() {
    let w = World::new();
    let client = World::client();
    // ?key= is accepted and stripped before forwarding.
    let response = client
        .post(w.url(&format!(
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key={}",
            w.secret
        )))
        .json(&gemini_body("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let _ = response.bytes().await.unwrap();
    let seen = w.mock.requests().pop().unwrap();
    assert_eq!(seen.query.as_deref(), Some("alt=sse"));

    let body = serde_json::json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]});
    let url = w.url("/v1beta/models/gemini-2.5-flash:countTokens");
    let bearer = format!("Bearer {}", w.secret);
    let counted: serde_json::Value = post(&url, "authorization", &bearer, &body)
        .await
        .json()
        .await
        .unwrap();
    assert!(counted["totalTokens"].as_u64().unwrap() > 0);

    // GET /v1/models with a Google credential is Gemini's listing.
    for path in ["/v1beta/models", "/v1/models"] {
        let models = get_json(&w.url(path), "x-goog-api-key", &w.secret).await;
        assert_eq!(
            models["models"][0]["name"], "models/gemini-mock-pro",
            "{path}"
        );
    }
}
