//! Meter tests: usage read from both dialects under any chunking.

use super::*;

fn feed(meter: &mut Meter, text: &str, split_every: usize) {
    for chunk in text.as_bytes().chunks(split_every) {
        meter.observe(chunk);
    }
}

const ANTHROPIC_STREAM: &str = concat!(
    "event: message_start\n",
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":2679,\"cache_creation_input_tokens\":7,\"cache_read_input_tokens\":11,\"output_tokens\":3}}}\n\n",
    "event: ping\ndata: {\"type\":\"ping\"}\n\n",
    "event: content_block_delta\n",
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"say \\\"usage\\\"\"}}\n\n",
    "event: message_delta\n",
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
);

#[test]
fn anthropic_stream_usage_survives_any_chunking() {
    for split in [1, 3, 17, 4096] {
        let mut meter = Meter::new(Dialect::Anthropic, true);
        feed(&mut meter, ANTHROPIC_STREAM, split);
        let usage = meter.finish();
        assert_eq!(usage.input_tokens, 2679, "split {split}");
        assert_eq!(usage.output_tokens, 15);
        assert_eq!(usage.cache_creation_tokens, 7);
        assert_eq!(usage.cache_read_tokens, 11);
    }
}

#[test]
fn anthropic_stream_cut_before_message_delta_keeps_the_input_side() {
    let cut = &ANTHROPIC_STREAM[..ANTHROPIC_STREAM.find("event: message_delta").unwrap()];
    let mut meter = Meter::new(Dialect::Anthropic, true);
    feed(&mut meter, cut, 5);
    let usage = meter.finish();
    assert_eq!(usage.input_tokens, 2679);
    assert_eq!(usage.output_tokens, 3);
}

#[test]
fn anthropic_json_answer() {
    let mut meter = Meter::new(Dialect::Anthropic, false);
    feed(
        &mut meter,
        r#"{"id":"m","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":12,"output_tokens":5,"cache_read_input_tokens":2}}"#,
        7,
    );
    let usage = meter.finish();
    assert_eq!(
        (
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_tokens
        ),
        (12, 5, 2)
    );
}

#[test]
fn gemini_stream_takes_the_last_snapshot_and_splits_cache_and_thoughts() {
    let stream = concat!(
        "data: {\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":40,\"candidatesTokenCount\":2,\"totalTokenCount\":42}}\r\n\r\n",
        "data: {\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":40,\"candidatesTokenCount\":9,\"thoughtsTokenCount\":5,\"cachedContentTokenCount\":10,\"totalTokenCount\":54}}\r\n\r\n",
    );
    let mut meter = Meter::new(Dialect::Gemini, true);
    feed(&mut meter, stream, 11);
    let usage = meter.finish();
    assert_eq!(usage.input_tokens, 30);
    assert_eq!(usage.cache_read_tokens, 10);
    assert_eq!(usage.output_tokens, 14);
    assert_eq!(usage.thoughts_tokens, 5);
}

#[test]
fn gemini_json_array_and_code_assist_envelope() {
    let mut meter = Meter::new(Dialect::Gemini, false);
    feed(
        &mut meter,
        r#"[{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}},{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}}]"#,
        9,
    );
    assert_eq!(meter.finish().output_tokens, 4);
    let mut meter = Meter::new(Dialect::Gemini, true);
    feed(
        &mut meter,
        "data: {\"response\":{\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":2}},\"traceId\":\"t\"}\n\n",
        4,
    );
    assert_eq!(meter.finish().input_tokens, 8);
}

#[test]
fn a_gemini_json_array_cut_short_counts_what_arrived_whole() {
    let mut meter = Meter::new(Dialect::Gemini, false);
    feed(
        &mut meter,
        r#"[{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}},
{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}},
{"usageMetadata":{"promptTokenCount":3,"candid"#,
        7,
    );
    let usage = meter.finish();
    assert_eq!((usage.input_tokens, usage.output_tokens), (3, 4));
    let mut garbage = Meter::new(Dialect::Gemini, false);
    feed(&mut garbage, "[{]]", 1);
    assert_eq!(garbage.finish(), crate::model::TokenUsage::default());
}

#[test]
fn an_error_event_midway_marks_the_stream_failed() {
    let mut claude = Meter::new(Dialect::Anthropic, true);
    feed(
        &mut claude,
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n",
        13,
    );
    assert!(claude.errored());
    assert_eq!(claude.finish().input_tokens, 5);
    let mut gemini = Meter::new(Dialect::Gemini, true);
    feed(
        &mut gemini,
        "data: {\"candidates\":[]}\n\ndata: {\"error\":{\"code\":503}}\n\n",
        5,
    );
    assert!(gemini.errored());
    let mut fine = Meter::new(Dialect::Gemini, true);
    feed(
        &mut fine,
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"error\"}]}}]}\n\n",
        4,
    );
    assert!(!fine.errored(), "the word in a text part is not an error");
}
