//! The mock's token arithmetic (protocols.md G.2), public so tests can predict it.

use serde_json::Value;

/// `ceil(utf8_len(JSON of the prompt fields) / 4)`: Anthropic `messages`, `system`,
/// `tools`; Gemini `contents`, `systemInstruction`, `tools`.
pub fn input_tokens(body: &Value) -> u64 {
    let fields = [
        "messages",
        "system",
        "tools",
        "contents",
        "systemInstruction",
    ];
    let len: usize = fields
        .iter()
        .filter_map(|f| body.get(*f))
        .map(|v| v.to_string().len())
        .sum();
    (len as u64).div_ceil(4).max(1)
}

/// `tok tok tok …`, `n` words.
pub fn text(n: u64) -> String {
    let mut s = String::with_capacity(n as usize * 4);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str("tok");
    }
    s
}
