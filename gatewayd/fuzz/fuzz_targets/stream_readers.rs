//! The readers of upstream answers as they stream past: the usage meter (SSE lines and
//! JSON arrays, both dialects) and the first-event judge. The first byte picks the
//! dialect and framing, the second the chunk size.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let [selector, split, answer @ ..] = data {
        gatewayd::fuzzing::meter(*selector, usize::from(*split), answer);
        gatewayd::fuzzing::opening(*selector, answer);
    }
});
