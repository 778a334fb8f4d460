//! Meter: reads token usage out of an answer as it streams past, without holding it up.
//! SSE answers are scanned line by line (only lines that mention usage are parsed);
//! JSON answers are copied aside (bounded) and parsed once at the end.

use memchr::memchr;
use serde::Deserialize;

use super::route::Dialect;
use crate::model::TokenUsage;

/// Largest JSON answer copied aside for metering; larger ones go unmetered.
const MAX_JSON_COPY: usize = 16 * 1024 * 1024;
/// Longest SSE line carried across chunks.
const MAX_LINE: usize = 4 * 1024 * 1024;

/// Incremental usage parser for one answer.
pub struct Meter {
    dialect: Dialect,
    sse: bool,
    /// The unfinished last line (SSE) or the copied body (JSON).
    carry: Vec<u8>,
    overflow: bool,
    usage: Option<UsageFields>,
    /// An SSE answer carried an error event (an upstream failing mid-stream).
    errored: bool,
}

impl Meter {
    /// A meter for an answer in `dialect`; `sse` when its content type is `text/event-stream`.
    pub fn new(dialect: Dialect, sse: bool) -> Self {
        Self {
            dialect,
            sse,
            carry: Vec::new(),
            overflow: false,
            usage: None,
            errored: false,
        }
    }

    /// Looks at the next chunk of the answer.
    pub fn observe(&mut self, chunk: &[u8]) {
        if !self.sse {
            if self.carry.len() + chunk.len() > MAX_JSON_COPY {
                self.overflow = true;
                self.carry = Vec::new();
            } else if !self.overflow {
                self.carry.extend_from_slice(chunk);
            }
            return;
        }
        let mut rest = chunk;
        while let Some(end) = memchr(b'\n', rest) {
            if self.carry.is_empty() {
                self.line(&rest[..end]);
            } else {
                let mut line = std::mem::take(&mut self.carry);
                line.extend_from_slice(&rest[..end]);
                if !self.overflow {
                    self.line(&line);
                }
                self.overflow = false;
            }
            rest = &rest[end + 1..];
        }
        if self.carry.len() + rest.len() > MAX_LINE {
            self.overflow = true;
            self.carry.clear();
        } else if !rest.is_empty() {
            self.carry.extend_from_slice(rest);
        }
    }

    /// The usage seen so far (a stream cut short reports what it got).
    pub fn finish(&mut self) -> TokenUsage {
        if !self.sse && !self.overflow && !self.carry.is_empty() {
            let body = std::mem::take(&mut self.carry);
            self.json_body(&body);
        }
        self.usage
            .map(|u| u.tokens(self.dialect))
            .unwrap_or_default()
    }

    /// Whether the stream carried an error event.
    pub fn errored(&self) -> bool {
        self.errored
    }

    fn line(&mut self, line: &[u8]) {
        let Some(data) = line.strip_prefix(b"data:") else {
            if line.starts_with(b"event: error") || line.starts_with(b"event:error") {
                self.errored = true;
            }
            return;
        };
        if self.dialect == Dialect::Gemini && data.trim_ascii_start().starts_with(b"{\"error\"") {
            self.errored = true;
        }
        let marker: &[u8] = match self.dialect {
            Dialect::Anthropic => b"\"usage\"",
            Dialect::Gemini => b"\"usageMetadata\"",
        };
        if memchr::memmem::find(data, marker).is_none() {
            return;
        }
        if let Ok(event) = serde_json::from_slice::<Event>(data) {
            self.merge(event);
        }
    }

    fn json_body(&mut self, body: &[u8]) {
        match self.dialect {
            Dialect::Anthropic => {
                if let Ok(event) = serde_json::from_slice::<Event>(body) {
                    self.merge(event);
                }
            }
            // A non-SSE streamGenerateContent answer is a JSON array of responses; one cut
            // short still counts the responses that arrived whole.
            Dialect::Gemini => match serde_json::from_slice::<OneOrMany>(body) {
                Ok(OneOrMany::One(event)) => self.merge(*event),
                Ok(OneOrMany::Many(events)) => events.into_iter().for_each(|e| self.merge(e)),
                Err(_) => whole_elements(body).for_each(|e| self.merge(e)),
            },
        }
    }

    fn merge(&mut self, event: Event) {
        let found = event
            .message
            .and_then(|m| m.usage)
            .into_iter()
            .chain(event.usage)
            .chain(event.usage_metadata)
            .chain(event.response.and_then(|r| r.usage_metadata));
        for fields in found {
            match (&mut self.usage, self.dialect) {
                // Anthropic: message_delta repeats only what changed; later values win per field.
                (Some(current), Dialect::Anthropic) => current.override_with(&fields),
                // Gemini: each chunk's usageMetadata is a full snapshot; the last is the total.
                (current, _) => *current = Some(fields),
            }
        }
    }
}

/// The elements of a JSON array that arrived whole, in order, up to where it was cut.
fn whole_elements(body: &[u8]) -> impl Iterator<Item = Event> + '_ {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let mut rest = match start.map(|i| &body[i..]) {
        Some([b'[', tail @ ..]) => tail,
        _ => &[][..],
    };
    std::iter::from_fn(move || {
        let skip = rest
            .iter()
            .position(|b| !(b.is_ascii_whitespace() || *b == b','))?;
        rest = &rest[skip..];
        let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<Event>();
        let event = values.next()?.ok()?;
        rest = &rest[values.byte_offset()..];
        Some(event)
    })
}

/// `Many` first: a derived struct would also accept an array (as a tuple).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Event>),
    One(Box<Event>),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event {
    message: Option<MessageUsage>,
    usage: Option<UsageFields>,
    #[serde(rename = "usageMetadata")]
    usage_metadata: Option<UsageFields>,
    /// Code Assist wraps the Gemini response.
    response: Option<Box<Event>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MessageUsage {
    usage: Option<UsageFields>,
}

/// Both dialects' usage field names; absent fields stay `None`.
#[derive(Deserialize, Default, Clone, Copy, Debug)]
#[serde(default)]
struct UsageFields {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    #[serde(rename = "promptTokenCount")]
    prompt: Option<u64>,
    #[serde(rename = "candidatesTokenCount")]
    candidates: Option<u64>,
    #[serde(rename = "thoughtsTokenCount")]
    thoughts: Option<u64>,
    #[serde(rename = "cachedContentTokenCount")]
    cached: Option<u64>,
}

impl UsageFields {
    fn override_with(&mut self, newer: &UsageFields) {
        let pick = |old: &mut Option<u64>, new: Option<u64>| {
            if new.is_some() {
                *old = new;
            }
        };
        pick(&mut self.input_tokens, newer.input_tokens);
        pick(&mut self.output_tokens, newer.output_tokens);
        pick(
            &mut self.cache_creation_input_tokens,
            newer.cache_creation_input_tokens,
        );
        pick(
            &mut self.cache_read_input_tokens,
            newer.cache_read_input_tokens,
        );
    }

    fn tokens(&self, dialect: Dialect) -> TokenUsage {
        let n = |v: Option<u64>| v.unwrap_or(0);
        match dialect {
            Dialect::Anthropic => TokenUsage {
                input_tokens: n(self.input_tokens),
                output_tokens: n(self.output_tokens),
                cache_creation_tokens: n(self.cache_creation_input_tokens),
                cache_read_tokens: n(self.cache_read_input_tokens),
                thoughts_tokens: 0,
            },
            Dialect::Gemini => TokenUsage {
                // promptTokenCount already includes the cached tokens.
                input_tokens: n(self.prompt).saturating_sub(n(self.cached)),
                output_tokens: n(self.candidates) + n(self.thoughts),
                cache_creation_tokens: 0,
                cache_read_tokens: n(self.cached),
                thoughts_tokens: n(self.thoughts),
            },
        }
    }
}

#[cfg(test)]
mod tests;
