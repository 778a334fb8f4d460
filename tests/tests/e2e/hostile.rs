//! Hostile clients: paths and model names that try to steer a pooled credential
//! elsewhere are refused with a 400 in the client's dialect, reach no upstream, and bench
//! no account.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};

use crate::support::{gemini_body, World};

/// Sends `request` as raw bytes (no client library normalises its path) and returns the
/// status code and the body.
async fn raw(daemon: &Daemon, request: String) -> (u16, String) {
    let address = daemon.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn request(method: &str, path: &str, key_header: &str, key: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nhost: gw\r\n{key_header}: {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_and_model_names_cannot_steer_a_pooled_key() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    daemon.add_account("claude", "claude-code", "sk-up", &mock.url(), &[]);
    daemon.add_account("gemini", "gemini-cli", "AIza-up", &mock.url(), &[]);
    let (_, secret) = daemon.create_key("dev", &[]);
    let (_, reader) = daemon.create_key("reader", &["--permissions", "read"]);
    let generate = serde_json::to_string(&gemini_body("hi")).unwrap();
    let escapes = [
        (
            "GET",
            "/v1/models/../files",
            "x-api-key",
            reader.as_str(),
            "",
        ),
        (
            "POST",
            "/v1beta/models/../../v1beta/cachedContents:generateContent",
            "x-goog-api-key",
            secret.as_str(),
            generate.as_str(),
        ),
        (
            "POST",
            "/v1beta/models/%2e%2e%2fcachedContents:generateContent",
            "x-goog-api-key",
            secret.as_str(),
            generate.as_str(),
        ),
        (
            "POST",
            "/v1beta/models/gemini%2F..%2Fx:generateContent",
            "x-goog-api-key",
            secret.as_str(),
            generate.as_str(),
        ),
    ];
    for (method, path, header, key, body) in escapes {
        let (status, body) = raw(&daemon, request(method, path, header, key, body)).await;
        assert_eq!(status, 400, "{path}: {body}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert!(
            error["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("path")),
            "{path}: {body}"
        );
    }
    // Through the Code Assist envelope, whose model an API-key account puts in its path.
    let client = World::client();
    let envelope_call = |model: &str| {
        let envelope =
            serde_json::json!({"model": model, "project": "p", "request": gemini_body("hi")});
        client
            .post(format!("{}/v1internal:generateContent", daemon.url))
            .bearer_auth(&secret)
            .json(&envelope)
            .send()
    };
    for model in ["../../v1beta/cachedContents?x=", "a b", "gemini/../x"] {
        let answer = envelope_call(model).await.unwrap();
        assert_eq!(answer.status(), 400, "{model:?}");
        let error: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(error["error"]["status"], "INVALID_ARGUMENT", "{model:?}");
    }
    assert!(
        mock.requests().is_empty(),
        "nothing reached the upstream: {:?}",
        mock.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let status = daemon.ctl_json(&["status"]);
    assert_eq!(
        status["accounts_usable"], 2,
        "no account was benched: {status}"
    );

    // The pool still serves, at the intended path only.
    assert_eq!(
        envelope_call("gemini-2.5-flash").await.unwrap().status(),
        200
    );
    let paths: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v1beta/models/gemini-2.5-flash:generateContent"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poisonous_request_benches_no_account() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[health]\ncircuit_failures = 2\n");
    for i in 0..3 {
        daemon.add_account(
            &format!("c{i}"),
            "claude-code",
            &format!("sk-up-{i}"),
            &mock.url(),
            &[],
        );
    }
    let (_, attacker) = daemon.create_key("attacker", &[]);
    let (_, user) = daemon.create_key("user", &[]);
    let send = |key: &str, text: &str| {
        World::client()
            .post(format!("{}/v1/messages", daemon.url))
            .header("x-api-key", key)
            .json(&crate::support::claude_body(false, text))
            .send()
    };
    for round in 0..10 {
        // Every account answers this body with a server error.
        let poisoned = send(&attacker, "boom [[mock:500]]").await.unwrap();
        assert_eq!(
            poisoned.status(),
            500,
            "round {round}: the upstream's error is relayed"
        );
        let served = send(&user, "hello").await.unwrap();
        assert_eq!(
            served.status(),
            200,
            "round {round}: other clients are served"
        );
    }
    let status = daemon.ctl_json(&["status"]);
    assert_eq!(status["accounts_usable"], 3, "{status}");
    assert_eq!(status["accounts_circuit_open"], 0, "{status}");
    assert!(daemon.log().contains("not held against them"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_tell_clients_whether_and_when_to_retry() {
    use gateway_tests::mock::{Action, Fault};
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    let account = daemon.add_account("only", "claude-code", "sk-only", &mock.url(), &[]);
    let (_, secret) = daemon.create_key("dev", &[]);
    let send = |key: &str| {
        World::client()
            .post(format!("{}/v1/messages", daemon.url))
            .header("x-api-key", key)
            .json(&crate::support::claude_body(false, "hi"))
            .send()
    };
    let wrong = send("gwk_wrong").await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.headers()["x-should-retry"],
        "false",
        "retrying a wrong key cannot help"
    );

    let limited = Action::Status {
        code: 429,
        retry_after: Some(30),
    };
    mock.fault(Fault::for_account("sk-only", limited, 1));
    assert_eq!(
        send(&secret).await.unwrap().status(),
        429,
        "the upstream's own 429"
    );
    let cooling = send(&secret).await.unwrap();
    assert_eq!(
        cooling.status(),
        429,
        "a pool that is only cooling down is a 429"
    );
    assert!(!cooling.headers().contains_key("x-should-retry"));
    let wait: u64 = cooling.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (25..=30).contains(&wait),
        "retry-after {wait}: when the account is back"
    );
    assert_eq!(
        mock.requests().len(),
        1,
        "the cooling account was not tried"
    );

    daemon.ctl_json(&["account", "disable", &account]);
    let none = send(&secret).await.unwrap();
    assert_eq!(none.status(), 503, "nothing comes back by itself");
    assert!(!none.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_after_the_headers_is_an_error_in_the_dialect_and_counts_against_its_account()
{
    use gateway_tests::mock::{Action, Fault};
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(
        "[balance]\nsticky_sessions = false\n[health]\ncircuit_failures = 2\ncircuit_cooldown = \"60s\"\n",
    );
    daemon.add_account("cutter", "claude-code", "sk-cut", &mock.url(), &[]);
    daemon.add_account("steady", "claude-code", "sk-steady", &mock.url(), &[]);
    daemon.add_account("gemini", "gemini-cli", "AIza-cut", &mock.url(), &[]);
    let (_, secret) = daemon.create_key("dev", &[]);
    mock.fault(Fault::for_account("sk-cut", Action::Drop { after: 2 }, 2));
    mock.fault(Fault::for_account("AIza-cut", Action::Drop { after: 1 }, 1));
    let mut cut = 0;
    for i in 0..6 {
        let text = World::client()
            .post(format!("{}/v1/messages", daemon.url))
            .header("x-api-key", &secret)
            .json(&crate::support::claude_body(true, &format!("s {i}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains("event: error") {
            cut += 1;
        } else {
            assert!(text.contains("message_stop"), "{text}");
        }
    }
    assert_eq!(cut, 2, "both cuts reached their clients as errors");
    let status = daemon.ctl_json(&["status"]);
    assert_eq!(
        status["accounts_circuit_open"], 1,
        "two cuts in a row open the circuit: {status}"
    );

    let gemini = World::client()
        .post(format!(
            "{}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            daemon.url
        ))
        .header("x-goog-api-key", &secret)
        .json(&gemini_body("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(gemini.status(), 200);
    let text = gemini.text().await.unwrap();
    let last = text.trim_end().rsplit("\n\n").next().unwrap();
    assert!(
        last.contains("\"error\"") && last.contains("UNAVAILABLE"),
        "{last}"
    );
    daemon.settle();
    let log = daemon.ctl_json(&["log", "tail"]);
    let incomplete = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["error"] == "incomplete")
        .count();
    assert_eq!(incomplete, 3, "{log}");
    let gemini_cut = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["error"] == "incomplete" && e["dialect"] == "gemini")
        .unwrap();
    assert!(
        gemini_cut["input_tokens"].as_u64() > Some(0)
            && gemini_cut["output_tokens"].as_u64() > Some(0),
        "a cut stream records what it counted: {gemini_cut}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_hold_and_only_wrong_keys_lock_an_address_out() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[limits]\nfailed_auth_per_minute = 3\n");
    daemon.add_account("claude", "claude-code", "sk-up", &mock.url(), &[]);
    daemon.add_account("gemini", "gemini-cli", "AIza-up", &mock.url(), &[]);
    let (_, reader) = daemon.create_key("reader", &["--permissions", "read"]);
    let (_, scoped) = daemon.create_key("scoped", &["--models", "claude-*"]);
    let (_, good) = daemon.create_key("good", &[]);
    let client = World::client();
    let embed = client
        .post(format!(
            "{}/v1beta/models/text-embedding-004:embedContent",
            daemon.url
        ))
        .header("x-goog-api-key", &reader)
        .json(&serde_json::json!({"content": {"parts": [{"text": "hi"}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        embed.status(),
        403,
        "embeddings are billed: a read key may not"
    );
    let messages = |key: &str, body: serde_json::Value| {
        client
            .post(format!("{}/v1/messages", daemon.url))
            .header("x-api-key", key)
            .json(&body)
            .send()
    };
    let mut nameless = crate::support::claude_body(false, "hi");
    nameless.as_object_mut().unwrap().remove("model");
    let refused = messages(&scoped, nameless).await.unwrap();
    assert_eq!(
        refused.status(),
        403,
        "a model-scoped key must name a model"
    );
    let hi = |key: &str| {
        let pending = messages(key, crate::support::claude_body(false, "hi"));
        async move { pending.await.unwrap().status().as_u16() }
    };
    // A valid key's own refusals, many times over, lock nobody out...
    for _ in 0..5 {
        assert_eq!(hi(&reader).await, 403);
    }
    assert_eq!(
        hi(&good).await,
        200,
        "valid keys' 403s are not failed key checks"
    );
    // ...keys that do not exist do.
    for _ in 0..3 {
        assert_eq!(hi("gwk_wrong").await, 401);
    }
    assert_eq!(
        hi(&good).await,
        429,
        "three wrong keys lock the address out"
    );
    assert!(mock.requests().iter().all(|r| !r.path.contains("embed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invented_model_names_are_counted_under_a_bounded_set() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config("[record]\nmax_models = 3\n");
    daemon.add_account("claude", "claude-code", "sk-up", &mock.url(), &[]);
    let (_, secret) = daemon.create_key("dev", &[]);
    for i in 0..12 {
        let mut body = crate::support::claude_body(false, "hi");
        body["model"] = serde_json::json!(format!("claude-invented-{i}"));
        let answer = World::client()
            .post(format!("{}/v1/messages", daemon.url))
            .header("x-api-key", &secret)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    daemon.settle();
    let stats = daemon.ctl_json(&["stats", "--by", "model"]);
    let mut rows: Vec<(String, u64)> = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    let expected: Vec<(String, u64)> = [
        ("claude-invented-0", 1),
        ("claude-invented-1", 1),
        ("claude-invented-2", 1),
        ("other", 9),
    ]
    .iter()
    .map(|(id, n)| (id.to_string(), *n))
    .collect();
    assert_eq!(rows, expected);
    let metrics = crate::support::metrics(&daemon).await;
    assert!(
        !metrics.contains("claude-invented-3"),
        "metrics are bounded too"
    );
    let log = daemon.ctl_json(&["log", "tail", "--limit", "1"]);
    assert_eq!(
        log[0]["model"], "claude-invented-11",
        "the log keeps each request's own name"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_too_malformed_to_parse_still_get_an_error_body() {
    let daemon = Daemon::start();
    let huge = "x".repeat(20_000);
    let cases = [
        (
            "a head over the limit",
            format!("GET /v1/models HTTP/1.1\r\nhost: gw\r\nx-big: {huge}\r\n\r\n"),
            431,
        ),
        (
            "a bad method",
            "G@T /v1/models HTTP/1.1\r\nhost: gw\r\n\r\n".to_owned(),
            400,
        ),
        (
            "a bad header",
            "GET /v1/models HTTP/1.1\r\nhost: gw\r\nbad header: x\r\n\r\n".to_owned(),
            400,
        ),
        (
            "a bad version",
            "GET /v1/models HTTP/7.1\r\nhost: gw\r\n\r\n".to_owned(),
            400,
        ),
    ];
    for (what, request, status) in cases {
        let (got, body) = raw(&daemon, request).await;
        assert_eq!(got, status, "{what}: {body}");
        let json: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body:?}"));
        assert_eq!(json["error"]["type"], "invalid_request_error", "{what}");
    }
}
