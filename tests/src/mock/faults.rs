//! Fault rules: what the mock does instead of (or on top of) a plain success.

use serde::{Deserialize, Serialize};

/// What to do with a matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Succeed, with these knobs (unset ones take the mock's defaults).
    Ok {
        #[serde(default)]
        tokens: Option<u64>,
        #[serde(default)]
        ttfb_ms: Option<u64>,
        #[serde(default)]
        interval_ms: Option<u64>,
        #[serde(default)]
        thinking: Option<u64>,
    },
    /// Answer with an error status in the route's dialect.
    Status {
        code: u16,
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Send `after` stream events, then cut the connection.
    Drop { after: usize },
    /// Answer 200 with an event stream whose first event (or, with `after`, the event
    /// after that many) is the error `code` would bring (Anthropic's `event: error`, a
    /// Gemini error chunk), as upstreams do when a model overloads after the headers went
    /// out; the stream ends there.
    StreamError {
        code: u16,
        #[serde(default)]
        after: usize,
    },
    /// A Claude subscription's 5-hour window is used up: 429 with a short `retry-after`
    /// and `anthropic-ratelimit-unified-*` headers saying `rejected` until `reset_in`
    /// seconds from now. With `model_scoped`, only the model's weekly window (`7d_oi`) is
    /// out and the account's own windows are fine.
    Exhausted {
        reset_in: u64,
        #[serde(default)]
        model_scoped: bool,
    },
    /// Anthropic's refusal of a subscription's client: `code` with an
    /// `invalid_request_error` saying `message` and, when set, `details.error_code`
    /// (as for third-party billing and a client below the model's minimum version).
    Refuse {
        code: u16,
        message: String,
        #[serde(default)]
        error_code: Option<String>,
    },
}

impl Action {
    /// What Anthropic answers a third-party client on a subscription.
    pub fn third_party_billing() -> Self {
        Action::Refuse {
            code: 400,
            message: "Third-party apps now draw from your extra usage, not your plan limits. Add more at claude.ai/settings/usage and keep going.".to_owned(),
            error_code: None,
        }
    }

    /// What Anthropic answers a Claude Code older than the model needs.
    pub fn client_too_old() -> Self {
        Action::Refuse {
            code: 400,
            message: "Claude Code 2.1.224 does not support this model; version 2.1.251 or newer is required.".to_owned(),
            error_code: Some("claude_code_version_too_old".to_owned()),
        }
    }
}

impl Action {
    /// For a stream that fails after some events: the error's status and how many events
    /// go first.
    pub fn fails_midway(&self) -> Option<(u16, usize)> {
        match *self {
            Action::StreamError { code, after } if after > 0 => Some((code, after)),
            _ => None,
        }
    }
}

/// A rule: requests whose path contains `path` and whose credential is `account`
/// (either may be omitted) get `action`, `times` times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    pub action: Action,
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// `action` for every request with `account`'s credential, `times` times.
    pub fn for_account(account: &str, action: Action, times: u32) -> Self {
        Self {
            path: None,
            account: Some(account.to_owned()),
            action,
            times,
        }
    }

    fn matches(&self, path: &str, account: Option<&str>) -> bool {
        self.path.as_deref().is_none_or(|p| path.contains(p))
            && self.account.as_deref().is_none_or(|a| Some(a) == account)
    }
}

/// Takes the first matching rule's action, consuming one use of it.
pub fn take(rules: &mut Vec<Fault>, path: &str, account: Option<&str>) -> Option<Action> {
    let index = rules.iter().position(|f| f.matches(path, account))?;
    let action = rules[index].action.clone();
    rules[index].times -= 1;
    if rules[index].times == 0 {
        rules.remove(index);
    }
    Some(action)
}

/// Reads a `[[mock:<action> k=v …]]` directive from the request text, e.g.
/// `[[mock:429 retry_after=2]]`, `[[mock:drop after=5]]`, `[[mock:ok tokens=40]]`.
pub fn directive(body: &str) -> Option<Action> {
    let start = body.find("[[mock:")? + "[[mock:".len();
    let end = start + body[start..].find("]]")?;
    let mut words = body[start..end].split_whitespace();
    let head = words.next()?;
    let args: Vec<(&str, u64)> = words
        .filter_map(|w| w.split_once('='))
        .filter_map(|(k, v)| Some((k, v.parse().ok()?)))
        .collect();
    let arg = |name: &str| args.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    match head {
        "ok" => Some(Action::Ok {
            tokens: arg("tokens"),
            ttfb_ms: arg("ttfb_ms"),
            interval_ms: arg("interval_ms"),
            thinking: arg("thinking"),
        }),
        "exhausted" => Some(Action::Exhausted {
            reset_in: arg("reset_in").unwrap_or(3600),
            model_scoped: arg("model_scoped").is_some_and(|v| v > 0),
        }),
        "drop" => Some(Action::Drop {
            after: arg("after").unwrap_or(3) as usize,
        }),
        "third_party" => Some(Action::third_party_billing()),
        "too_old" => Some(Action::client_too_old()),
        "stream_error" => Some(Action::StreamError {
            code: arg("code").unwrap_or(529) as u16,
            after: arg("after").unwrap_or(0) as usize,
        }),
        code => Some(Action::Status {
            code: code.parse().ok()?,
            retry_after: arg("retry_after"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_and_rules() {
        assert_eq!(
            directive(r#"{"text":"hi [[mock:429 retry_after=2]]"}"#),
            Some(Action::Status {
                code: 429,
                retry_after: Some(2)
            })
        );
        assert_eq!(
            directive("[[mock:drop after=5]]"),
            Some(Action::Drop { after: 5 })
        );
        let mut rules = vec![Fault::for_account("k1", Action::Drop { after: 1 }, 2)];
        assert!(take(&mut rules, "/v1/messages", Some("k2")).is_none());
        assert!(take(&mut rules, "/v1/messages", Some("k1")).is_some());
        assert!(take(&mut rules, "/v1/messages", Some("k1")).is_some());
        assert!(take(&mut rules, "/v1/messages", Some("k1")).is_none());
    }
}
