//! The Code Assist envelope taken off and put on answers, SSE or JSON, in arbitrary
//! chunks. The first byte picks the direction and framing, the second the chunk size.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let [selector, split, answer @ ..] = data {
        gatewayd::fuzzing::reframe(*selector, usize::from(*split), answer);
    }
});
