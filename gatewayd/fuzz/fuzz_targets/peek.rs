//! The request body peek (model, stream flag, session) and the Code Assist envelope of
//! each API route, on arbitrary bodies. The first byte picks the route.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((&selector, body)) = data.split_first() {
        gatewayd::fuzzing::peek(selector, body);
    }
});
