//! Counted usage equals what the mock served, per key, account and model.

use gateway_tests::mock::{Action, Fault};
use serde_json::Value;

use crate::support::{gemini_body, post, World};

fn row<'a>(rows: &'a Value, field: &str, value: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r[field] == value)
        .unwrap_or_else(|| panic!("no usage row with {field}={value} in {rows}"))
}

/// Sums the usage the mock reported in every answer it sent: (input, output, cache
/// creation, cache read).
fn served(w: &World) -> (u64, u64, u64, u64) {
    let mut total = (0, 0, 0, 0);
    let add_input = |u: &Value, t: &mut (u64, u64, u64, u64)| {
        t.0 += u["input_tokens"].as_u64().unwrap();
        t.2 += u["cache_creation_input_tokens"].as_u64().unwrap();
        t.3 += u["cache_read_input_tokens"].as_u64().unwrap();
    };
    for r in w.mock.requests() {
        let text = String::from_utf8_lossy(&r.response).into_owned();
        if text.starts_with('{') {
            let v: Value = serde_json::from_str(&text).unwrap();
            add_input(&v["usage"], &mut total);
            total.1 += v["usage"]["output_tokens"].as_u64().unwrap();
            continue;
        }
        for data in text.lines().filter_map(|l| l.strip_prefix("data: ")) {
            let v: Value = serde_json::from_str(data).unwrap();
            match v["type"].as_str() {
                Some("message_start") => add_input(&v["message"]["usage"], &mut total),
                Some("message_delta") => total.1 += v["usage"]["output_tokens"].as_u64().unwrap(),
                _ => {}
            }
        }
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anthropic_usage_matches_the_mock_stream_and_non_stream() {
    let w = World::new();
    for (stream, text) in [
        (false, "one [[mock:ok tokens=21]]"),
        (true, "two [[mock:ok tokens=34]]"),
        (true, "three"),
    ] {
        let response = w.claude(stream, text).await;
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await.unwrap();
    }
    let (input, output, creation, read) = served(&w);
    assert_eq!(output, 21 + 34 + 16);
    assert!(
        creation > 0 && read > 0,
        "the system prefix was cached once and then read"
    );
    w.daemon.settle();
    let by_key = w.daemon.ctl_json(&["stats", "--by", "key"]);
    let mine = row(&by_key, "id", &w.key_id);
    assert_eq!(mine["requests"], 3);
    assert_eq!(mine["errors"], 0);
    assert_eq!(mine["input_tokens"], input);
    assert_eq!(mine["output_tokens"], output);
    assert_eq!(mine["cache_creation_tokens"], creation);
    assert_eq!(mine["cache_read_tokens"], read);
    let by_model = w.daemon.ctl_json(&["stats", "--by", "model"]);
    assert_eq!(
        row(&by_model, "id", "claude-sonnet-mock")["output_tokens"],
        output
    );
    let by_account = w.daemon.ctl_json(&["stats", "--by", "account"]);
    assert_eq!(
        row(&by_account, "id", &w.claude_account)["input_tokens"],
        input
    );
    let keys = w.daemon.ctl_json(&["key", "list"]);
    assert!(
        row(&keys, "id", &w.key_id)["last_used"].is_i64(),
        "last_used is stamped in batches"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_usage_counts_thoughts_and_cache() {
    let w = World::new();
    let mut body = gemini_body("think [[mock:ok tokens=10 thinking=7]]");
    body["cachedContent"] = "cachedContents/abc".into();
    let url = w.url("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    let response = post(&url, "x-goog-api-key", &w.secret, &body).await;
    let _ = response.bytes().await.unwrap();
    let upstream = w.mock.requests();
    let text = String::from_utf8_lossy(&upstream[0].response).into_owned();
    let last: Value =
        serde_json::from_str(text.trim_end().rsplit("data: ").next().unwrap()).unwrap();
    let meta = &last["usageMetadata"];
    let prompt = meta["promptTokenCount"].as_u64().unwrap();
    let cached = meta["cachedContentTokenCount"].as_u64().unwrap();

    w.daemon.settle();
    let by_model = w.daemon.ctl_json(&["stats", "--by", "model"]);
    let gem = row(&by_model, "id", "gemini-2.5-pro");
    assert_eq!(gem["input_tokens"], prompt - cached);
    assert_eq!(gem["cache_read_tokens"], cached);
    assert_eq!(gem["output_tokens"], 10 + 7);
    assert_eq!(gem["thoughts_tokens"], 7);
    let by_account = w.daemon.ctl_json(&["stats", "--by", "account"]);
    assert_eq!(
        row(&by_account, "id", &w.gemini_account)["output_tokens"],
        17
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_mid_stream_still_has_its_usage_recorded() {
    let w = World::new();
    w.mock.fault(Fault {
        path: Some("/v1/messages".to_owned()),
        account: None,
        action: Action::Ok {
            tokens: Some(400),
            ttfb_ms: None,
            interval_ms: Some(20),
            thinking: None,
        },
        times: 1,
    });
    let mut response = w.claude(true, "long").await;
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("content_block_delta") {
        seen.extend_from_slice(&response.chunk().await.unwrap().unwrap());
    }
    drop(response);
    let rt = tokio::runtime::Handle::current();
    let row = gateway_tests::harness::eventually("the abandoned stream to be recorded", || {
        let by_key = tokio::task::block_in_place(|| {
            rt.block_on(async { w.daemon.ctl_json(&["stats", "--by", "key"]) })
        });
        by_key
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == w.key_id.as_str())
            .cloned()
    });
    assert_eq!(row["requests"], 1);
    assert_eq!(row["errors"], 1, "an unfinished stream counts as an error");
    assert!(
        row["input_tokens"].as_u64().unwrap() > 0,
        "the input side was seen: {row}"
    );
}
