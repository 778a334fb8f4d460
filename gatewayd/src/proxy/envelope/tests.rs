use bytes::Bytes;
use futures_util::StreamExt;

use super::*;

const INNER: &str = r#"{"contents":[{"role":"user","parts":[{"text":"hi \u00e9"}]}],"generationConfig":{"temperature":0.2}}"#;

#[test]
fn a_client_envelope_unwraps_to_the_exact_inner_request() {
    let body = format!(
        r#"{{"model":"gemini-2.5-pro","project":"theirs","user_prompt_id":"p-1","request":{INNER}}}"#
    );
    let call = GeminiCall::from_envelope(Method::Generate, body.as_bytes()).unwrap();
    assert_eq!(call.model, "gemini-2.5-pro");
    assert_eq!(call.request, INNER.as_bytes());
    assert!(call.client_envelope);
    // Re-wrapped for another project, the client's other fields and bytes survive.
    let wrapped = call.wrap_request("mine");
    assert_eq!(
        std::str::from_utf8(&wrapped).unwrap(),
        format!(
            r#"{{"model":"gemini-2.5-pro","project":"mine","user_prompt_id":"p-1","request":{INNER}}}"#
        )
    );
}

#[test]
fn count_tokens_moves_the_model_in_and_out_of_the_request() {
    let body =
        br#"{"request":{"model":"models/gemini-2.5-flash","contents":[{"parts":[{"text":"x"}]}]}}"#;
    let call = GeminiCall::from_envelope(Method::CountTokens, body).unwrap();
    assert_eq!(call.model, "gemini-2.5-flash");
    assert_eq!(
        &call.request[..],
        br#"{"contents":[{"parts":[{"text":"x"}]}]}"#
    );
    let plain = GeminiCall::plain(
        Method::CountTokens,
        "gemini-2.5-flash",
        Bytes::from_static(b" {\"contents\":[]} "),
    );
    assert_eq!(
        &plain.wrap_request("p")[..],
        br#"{"request":{"model":"models/gemini-2.5-flash","contents":[]}}"#
    );
    let empty = GeminiCall::plain(Method::CountTokens, "m", Bytes::from_static(b"{}"));
    assert_eq!(
        &empty.wrap_request("p")[..],
        br#"{"request":{"model":"models/m"}}"#
    );
}

#[test]
fn bad_envelopes_are_refused() {
    for body in [
        &b"[]"[..],
        b"{\"model\":\"m\"}",
        b"{\"request\":{}}",
        b"{\"model\":\"\",\"request\":{}}",
    ] {
        assert!(
            GeminiCall::from_envelope(Method::Generate, body).is_err(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn answers_unwrap_and_wrap_byte_for_byte() {
    let inner = r#"{"candidates":[{"content":{"parts":[{"text":"a\nb"}]}}],"usageMetadata":{"promptTokenCount":3}}"#;
    let wrapped = format!(r#"{{"response":{inner},"traceId":"t-1"}}"#);
    assert_eq!(Reframe::Unwrap.json(wrapped.as_bytes()), inner.as_bytes());
    let wrap = Reframe::Wrap("gw-1".to_owned());
    assert_eq!(
        wrap.json(inner.as_bytes()),
        format!(r#"{{"response":{inner},"traceId":"gw-1"}}"#).as_bytes()
    );
    let array = format!("[{wrapped},\r\n{wrapped}]");
    assert_eq!(
        Reframe::Unwrap.json(array.as_bytes()),
        format!("[{inner},{inner}]").as_bytes()
    );
    // Not an envelope: left alone.
    assert_eq!(Reframe::Unwrap.json(b"{\"error\":1}"), b"{\"error\":1}");
}

#[tokio::test]
async fn sse_is_reframed_line_by_line_across_chunk_boundaries() {
    let events = [
        r#"{"candidates":[{"content":{"parts":[{"text":"one"}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"two"}]}}],"usageMetadata":{"totalTokenCount":9}}"#,
    ];
    let upstream: String = events
        .iter()
        .map(|e| format!("data: {{\"response\":{e},\"traceId\":\"t\"}}\r\n\r\n"))
        .collect();
    // Cut the upstream bytes into 7-byte chunks: lines straddle chunks.
    let chunks: Vec<Result<Bytes, crate::upstream_client::BoxError>> = upstream
        .as_bytes()
        .chunks(7)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream: crate::proxy::body::ByteStream = Box::pin(futures_util::stream::iter(chunks));
    let out: Vec<u8> = Reframed::new(stream, Reframe::Unwrap, true)
        .map(|c| c.unwrap().to_vec())
        .concat()
        .await;
    let expected: String = events
        .iter()
        .map(|e| format!("data: {e}\r\n\r\n"))
        .collect();
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}
