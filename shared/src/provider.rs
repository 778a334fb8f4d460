//! Provider families and upstream auth kinds, spelled the same on the wire and on the CLI.

use std::fmt;
use std::str::FromStr;

/// Which client family an account serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// Anthropic Messages traffic (Claude Code).
    ClaudeCode,
    /// Gemini API traffic (Gemini CLI).
    GeminiCli,
}

impl Provider {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::ClaudeCode => "claude-code",
            Provider::GeminiCli => "gemini-cli",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider or auth name that is not one we know.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} {input:?}; expected one of: {expected}")]
pub struct UnknownName {
    what: &'static str,
    input: String,
    expected: &'static str,
}

impl FromStr for Provider {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "claude-code" => Ok(Provider::ClaudeCode),
            "gemini-cli" => Ok(Provider::GeminiCli),
            _ => Err(UnknownName {
                what: "account type",
                input: s.to_owned(),
                expected: "claude-code, gemini-cli",
            }),
        }
    }
}

/// How gatewayd authenticates to an upstream account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// A plain API key (`x-api-key` for Anthropic, `x-goog-api-key` for Gemini).
    ApiKey,
    /// A subscription login: a bearer access token refreshed with its refresh token.
    OAuth,
}

impl AuthKind {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::ApiKey => "api-key",
            AuthKind::OAuth => "oauth",
        }
    }
}

impl FromStr for AuthKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "api-key" => Ok(AuthKind::ApiKey),
            "oauth" => Ok(AuthKind::OAuth),
            _ => Err(UnknownName {
                what: "auth kind",
                input: s.to_owned(),
                expected: "api-key, oauth",
            }),
        }
    }
}
