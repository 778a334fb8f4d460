//! Which clients an account serves. Anthropic restricts consumer subscription logins to
//! Claude Code: other clients on them draw "extra usage" or are refused, so a Claude
//! subscription serves Claude Code traffic only unless an operator widens it.

use std::fmt;

use gateway_shared::provider::{AuthKind, Provider};
use http::HeaderMap;

/// The clients an account takes requests from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clients {
    /// Claude Code only (recognised by the user agent it sends).
    ClaudeCode,
    /// Every client.
    Any,
}

/// Who sent a request, as far as the account rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    ClaudeCode,
    Other,
}

impl Clients {
    /// The default of an account type: Claude subscriptions serve Claude Code only.
    pub fn default_for(provider: Provider, auth: AuthKind) -> Self {
        match (provider, auth) {
            (Provider::ClaudeCode, AuthKind::OAuth) => Clients::ClaudeCode,
            _ => Clients::Any,
        }
    }

    /// Whether a request from `client` may go to an account with this rule.
    pub fn admit(self, client: Client) -> bool {
        self == Clients::Any || client == Client::ClaudeCode
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Clients::ClaudeCode => "claude-code",
            Clients::Any => "any",
        }
    }
}

impl std::str::FromStr for Clients {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "claude-code" => Ok(Clients::ClaudeCode),
            "any" => Ok(Clients::Any),
            other => Err(format!(
                "an account serves \"claude-code\" or \"any\" clients, not {other:?}"
            )),
        }
    }
}

impl fmt::Display for Clients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Client {
    /// Claude Code (CLI, IDE extensions and the Agent SDK) names itself `claude-cli/<ver>`
    /// in its user agent. Nothing is inferred from other headers a client could copy
    /// by accident, and nothing about the request is changed either way.
    pub fn of(headers: &HeaderMap) -> Self {
        let ua = headers
            .get(http::header::USER_AGENT)
            .map_or(&b""[..], |v| v.as_bytes());
        match ua.starts_with(b"claude-cli/") {
            true => Client::ClaudeCode,
            false => Client::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Client, Clients};
    use gateway_shared::provider::{AuthKind, Provider};

    #[test]
    fn claude_subscriptions_serve_claude_code_only_by_default() {
        let rule = Clients::default_for(Provider::ClaudeCode, AuthKind::OAuth);
        assert!(rule.admit(Client::ClaudeCode) && !rule.admit(Client::Other));
        let key = Clients::default_for(Provider::ClaudeCode, AuthKind::ApiKey);
        assert!(key.admit(Client::Other));
        let mut headers = http::HeaderMap::new();
        assert_eq!(Client::of(&headers), Client::Other);
        headers.insert(
            "user-agent",
            "claude-cli/2.1.251 (external, cli)".parse().unwrap(),
        );
        assert_eq!(Client::of(&headers), Client::ClaudeCode);
    }
}
