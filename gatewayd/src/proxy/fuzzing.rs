//! Entry points for the fuzz targets in `gatewayd/fuzz/`: each parser that reads what a
//! client or an upstream sends, driven with arbitrary bytes. Built only with the
//! `fuzzing` feature; none of these may panic, whatever the input.

use bytes::Bytes;
use futures_util::{FutureExt, StreamExt};
use gateway_shared::provider::Provider;
use http::{HeaderMap, Method};

use super::envelope::{self, GeminiCall, Reframe, Reframed};
use super::meter::Meter;
use super::route::{self, Dialect, Route};

/// The API routes whose bodies the gateway peeks at.
const PATHS: [&str; 7] = [
    "/v1/messages",
    "/v1/messages/count_tokens",
    "/v1beta/models/gemini-2.5-pro:generateContent",
    "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
    "/v1beta/models/gemini-2.5-pro:embedContent",
    "/v1internal:generateContent",
    "/v1internal:countTokens",
];

/// The body peek (model, stream flag, session) of the route `selector` picks, and, for
/// Code Assist envelopes, their unwrapping.
pub fn peek(selector: u8, body: &[u8]) {
    let path = PATHS[usize::from(selector) % PATHS.len()];
    let Route::Api(api) = route::route(&Method::POST, path, &HeaderMap::new(), None) else {
        return;
    };
    let _ = super::peek::peek(&api, body);
    if let Some(method) = path.rsplit(':').next().and_then(envelope::Method::parse) {
        let _ = GeminiCall::from_envelope(method, body);
    }
}

/// The usage meter over `answer` cut into `split`-byte chunks, both dialects, SSE or not.
pub fn meter(selector: u8, split: usize, answer: &[u8]) {
    let dialect = match selector & 1 {
        0 => Dialect::Anthropic,
        _ => Dialect::Gemini,
    };
    let mut meter = Meter::new(dialect, selector & 2 != 0);
    for chunk in answer.chunks(split.max(1)) {
        meter.observe(chunk);
    }
    let _ = meter.errored();
    let _ = meter.finish();
}

/// The first-event judge of a 2xx event stream, for either provider.
pub fn opening(selector: u8, stream: &[u8]) {
    let provider = match selector & 1 {
        0 => Provider::ClaudeCode,
        _ => Provider::GeminiCli,
    };
    let _ = super::opening::first_event(stream, provider);
}

/// The Code Assist envelope taken off or put on an answer in `split`-byte chunks, SSE or
/// one JSON value (an array included).
pub fn reframe(selector: u8, split: usize, answer: &[u8]) {
    let reframe = match selector & 1 {
        0 => Reframe::Unwrap,
        _ => Reframe::Wrap("gw-fuzz".to_owned()),
    };
    let chunks: Vec<Result<Bytes, crate::upstream_client::BoxError>> = answer
        .chunks(split.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let inner = Box::pin(futures_util::stream::iter(chunks));
    let reframed = Reframed::new(inner, reframe, selector & 2 != 0);
    // The inner stream is always ready, so this completes in one poll.
    let _ = reframed.collect::<Vec<_>>().now_or_never();
}

/// The configuration file parser and its validation.
pub fn config(text: &str) {
    if let Ok(config) = toml::from_str::<crate::config::Config>(text) {
        let _ = config.validate();
    }
}
