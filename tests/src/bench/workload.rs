//! The requests the benchmark sends: Claude Code and Gemini CLI shaped, at realistic
//! sizes, aimed either straight at the mock or through the gateway.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Uri};
use serde_json::{json, Value};

use super::procs::{Gateway, Mock, UPSTREAM_KEY};

/// One ready-to-send request.
#[derive(Clone)]
pub struct Shot {
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A workload: a path, a body and the credential header its dialect uses.
pub struct Work {
    pub name: &'static str,
    path: &'static str,
    body: Bytes,
    google: bool,
}

impl Work {
    /// Straight at the mock, with an upstream key.
    pub fn direct(&self, mock: &Mock) -> Shot {
        self.shot(&mock.url, &format!("{UPSTREAM_KEY}-0"))
    }

    /// Through gatewayd, with the gateway key.
    pub fn through(&self, gateway: &Gateway) -> Shot {
        self.shot(&gateway.url, &gateway.secret)
    }

    /// Through the gatewayd at `url`, with the gateway key `secret`.
    pub fn at(&self, url: &str, secret: &str) -> Shot {
        self.shot(url, secret)
    }

    /// Through the reference proxy, with the upstream key (nginx passes it on).
    pub fn via(&self, nginx: &super::nginx::Nginx) -> Shot {
        self.shot(&nginx.url, &format!("{UPSTREAM_KEY}-0"))
    }

    /// Size of the request body.
    pub fn body_len(&self) -> usize {
        self.body.len()
    }

    fn shot(&self, base: &str, key: &str) -> Shot {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let key = HeaderValue::from_str(key).expect("key is a header value");
        if self.google {
            headers.insert("x-goog-api-key", key);
        } else {
            headers.insert("x-api-key", key);
            headers.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
            headers.insert(
                "anthropic-beta",
                HeaderValue::from_static("claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14"),
            );
            headers.insert(
                "user-agent",
                HeaderValue::from_static("claude-cli/2.1.197 (external, cli)"),
            );
        }
        Shot {
            uri: format!("{base}{}", self.path).parse().expect("valid URI"),
            headers,
            body: self.body.clone(),
        }
    }
}

/// Every latency workload.
pub fn all() -> Vec<Work> {
    vec![anthropic_json(), anthropic_stream(), gemini_stream()]
}

/// Claude Code's non-streaming Messages request (~20 KB).
pub fn anthropic_json() -> Work {
    Work {
        name: "anthropic json",
        path: "/v1/messages?beta=true",
        body: claude_code_body(false, ""),
        google: false,
    }
}

/// The same, streaming.
pub fn anthropic_stream() -> Work {
    Work {
        name: "anthropic sse",
        path: "/v1/messages?beta=true",
        body: claude_code_body(true, ""),
        google: false,
    }
}

/// Gemini CLI's streaming request.
pub fn gemini_stream() -> Work {
    Work {
        name: "gemini sse",
        path: "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
        body: gemini_cli_body(),
        google: true,
    }
}

/// A stream that stays open for about ten seconds (one event a second).
pub fn long_stream() -> Work {
    Work {
        name: "long stream",
        path: "/v1/messages?beta=true",
        body: claude_code_body(true, " [[mock:ok tokens=40 interval_ms=1000]]"),
        google: false,
    }
}

fn tools() -> Vec<Value> {
    (0..24)
        .map(|i| {
            json!({
                "name": format!("Tool{i}"),
                "description": format!("Tool number {i}. {}", "Reads, edits or runs things in the workspace with care. ".repeat(5)),
                "input_schema": {"type": "object", "properties": {
                    "path": {"type": "string", "description": "Absolute path of the file to work on"},
                    "limit": {"type": "number", "description": "How many lines to read at most"}
                }, "required": ["path"]}
            })
        })
        .collect()
}

fn claude_code_body(stream: bool, directive: &str) -> Bytes {
    let body = json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 32000,
        "stream": stream,
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli;"},
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude."},
            {"type": "text", "text": "Follow the repository's conventions. ".repeat(60), "cache_control": {"type": "ephemeral"}}
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": format!("Explain the request path of this gateway.{directive}")}]}
        ],
        "tools": tools(),
        "thinking": {"type": "adaptive"},
        "metadata": {"user_id": "{\"device_id\":\"bench\",\"account_uuid\":\"bench\",\"session_id\":\"bench\"}"}
    });
    Bytes::from(body.to_string())
}

fn gemini_cli_body() -> Bytes {
    let body = json!({
        "contents": [{"role": "user", "parts": [{"text": "Explain the request path of this gateway."}]}],
        "systemInstruction": {"role": "user", "parts": [{"text": "You are an interactive CLI agent. ".repeat(200)}]},
        "tools": [{"functionDeclarations": (0..16).map(|i| json!({"name": format!("tool_{i}"), "description": "Runs a tool in the workspace.", "parametersJsonSchema": {"type": "object"}})).collect::<Vec<_>>()}],
        "generationConfig": {"temperature": 1, "thinkingConfig": {"thinkingBudget": 8192, "includeThoughts": true}}
    });
    Bytes::from(body.to_string())
}
