//! What operators send to add or change an account, and the checks it must pass.

use gateway_shared::provider::Provider;

use super::OpError;

/// A new account.
#[derive(Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub provider: String,
    pub auth: String,
    pub credential: Vec<u8>,
    /// Empty = the provider's public API.
    pub base_url: String,
    /// 0 = 1.
    pub weight: u32,
    pub priority: i32,
    pub models: Vec<String>,
    pub max_concurrency: u32,
    /// An upstream proxy URL (`http://user:pass@host:port`).
    pub proxy: Option<String>,
    /// The Google Cloud project of a Code Assist (gemini-cli OAuth) account.
    pub project: Option<String>,
    /// `claude-code`, `any` or `default`; `None` = the type's own rule.
    pub serves: Option<String>,
    /// Percent of a subscription window; 0 or `None` = never pause.
    pub pause_at: Option<u32>,
}

/// Changes to an account; `None` leaves a setting as it is.
#[derive(Clone, Default)]
pub struct AccountUpdate {
    pub name: Option<String>,
    /// A new upstream credential, sealed before it is stored.
    pub credential: Option<Vec<u8>>,
    pub base_url: Option<String>,
    pub weight: Option<u32>,
    pub priority: Option<i32>,
    pub models: Option<Vec<String>>,
    pub max_concurrency: Option<u32>,
    /// `Some(None)` removes the proxy.
    pub proxy: Option<Option<String>>,
    /// `claude-code`, `any`, or `default` (the account type's own rule).
    pub serves: Option<String>,
    /// Percent of a subscription window; 0 = never pause.
    pub pause_at: Option<u32>,
}

/// An account's client rule: `Some(rule)`, or `None` for the type's default.
pub(super) fn serves(rule: &str) -> Result<Option<crate::model::Clients>, OpError> {
    match rule.trim() {
        "default" => Ok(None),
        rule => rule.parse().map(Some).map_err(OpError::invalid),
    }
}

/// A pause threshold in percent: 1 to 100, or 0 for none.
pub(super) fn pause_at(percent: u32) -> Result<Option<u8>, OpError> {
    match percent {
        0 => Ok(None),
        1..=100 => Ok(Some(percent as u8)),
        _ => Err(OpError::invalid(format!(
            "pause-at is a share of the window from 1% to 100%, not {percent}%"
        ))),
    }
}

pub(super) fn name(name: &str) -> Result<String, OpError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(OpError::invalid("an account needs a name"));
    }
    super::key_input::text("an account name", name, super::key_input::MAX_NAME)
}

/// Refuses a weight of 0: an account that never takes a turn is a disabled one.
pub(super) fn weight(weight: u32) -> Result<u32, OpError> {
    match weight {
        0 => Err(OpError::invalid(
            "a weight is at least 1 (to keep an account out of rotation, disable it)",
        )),
        w => Ok(w),
    }
}

/// Refuses model patterns no model of `provider` can match (a Gemini account limited to
/// `claude-*`, or the reverse).
pub(super) fn models_for(provider: Provider, patterns: &[String]) -> Result<(), OpError> {
    let other = match provider {
        Provider::ClaudeCode => "gemini",
        Provider::GeminiCli => "claude",
    };
    let own = match provider {
        Provider::ClaudeCode => "claude",
        Provider::GeminiCli => "gemini",
    };
    match patterns.iter().find(|p| p.starts_with(other)) {
        Some(bad) => Err(OpError::invalid(format!(
            "model pattern {bad:?} can never match a {} model ({own}-…)",
            provider.as_str()
        ))),
        None => Ok(()),
    }
}

pub(super) fn credential(raw: &[u8]) -> Result<&[u8], OpError> {
    let credential = raw.trim_ascii();
    if credential.is_empty() {
        return Err(OpError::invalid("the credential is empty"));
    }
    if http::HeaderValue::from_bytes(credential).is_err() {
        return Err(OpError::invalid(
            "the credential contains characters a header cannot carry",
        ));
    }
    Ok(credential)
}

/// The given base URL, or the provider's default when empty.
pub(super) fn base_url(given: &str, default: &str) -> Result<String, OpError> {
    let url = match given.trim() {
        "" => default,
        given => given,
    };
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        _ => Err(OpError::invalid(format!(
            "base URL {url:?} is not an http(s) URL without a query"
        ))),
    }
}

pub(super) fn provider(name: &str) -> Result<Provider, OpError> {
    name.parse()
        .map_err(|e: gateway_shared::provider::UnknownName| OpError::invalid(e.to_string()))
}

/// A Code Assist account's project: required for gemini-cli OAuth (discovered by the
/// control plane when the operator gives none), meaningless for any other kind.
pub(super) fn project(
    provider: Provider,
    auth: gateway_shared::provider::AuthKind,
    given: Option<&str>,
) -> Result<Option<String>, OpError> {
    let given = given.map(str::trim).filter(|p| !p.is_empty());
    let code_assist =
        provider == Provider::GeminiCli && auth == gateway_shared::provider::AuthKind::OAuth;
    match given {
        None if code_assist => Err(OpError::invalid(
            "a gemini-cli OAuth account needs a Google Cloud project",
        )),
        Some(_) if !code_assist => Err(OpError::invalid(
            "only gemini-cli OAuth accounts take a project",
        )),
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => Err(OpError::invalid(
            "the project must be a project id, not a project number",
        )),
        Some(p)
            if !p.bytes().all(|b| {
                b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b':'
            }) =>
        {
            Err(OpError::invalid(format!(
                "{p:?} is not a Google Cloud project id"
            )))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

pub(super) fn proxy(url: &str) -> Result<String, OpError> {
    let url = url.trim();
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && reqwest::Proxy::all(url).is_ok() => {
            Ok(url.to_owned())
        }
        _ => Err(OpError::invalid(
            "the proxy must be an http(s) URL, like http://user:pass@host:3128",
        )),
    }
}

/// Reads a subscription login: Claude Code's `.credentials.json` (`claudeAiOauth`), Gemini
/// CLI's `oauth_creds.json`, a flat `{access_token, refresh_token, expires_at|expires_in}`
/// object, or a bare long-lived setup token. Returns the tokens as they are sealed.
pub fn oauth_tokens(raw: &[u8], now_ms: u64) -> Result<crate::model::OAuthTokens, OpError> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| OpError::invalid("the credentials are not UTF-8"))?
        .trim();
    if !text.starts_with('{') {
        // A bare access token: one word, of a token's length.
        if text.len() < 20 || text.contains(char::is_whitespace) {
            return Err(OpError::invalid(
                "the credentials are neither a JSON credentials file nor an access token",
            ));
        }
        credential(text.as_bytes())?;
        return Ok(crate::model::OAuthTokens {
            access_token: text.to_owned(),
            refresh_token: None,
            expires_at_ms: None,
            scopes: vec!["user:inference".to_owned()],
        });
    }
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| OpError::invalid("the credentials file is not valid JSON"))?;
    let o = v.get("claudeAiOauth").unwrap_or(&v);
    let field = |names: &[&str]| names.iter().find_map(|n| o.get(*n)).cloned();
    let string = |names: &[&str]| field(names).and_then(|v| v.as_str().map(str::to_owned));
    let access_token = string(&["accessToken", "access_token"])
        .ok_or_else(|| OpError::invalid("the credentials hold no access token"))?;
    credential(access_token.as_bytes())?;
    let expires_at_ms = field(&["expiresAt", "expires_at_ms", "expires_at", "expiry_date"])
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
        .or_else(|| {
            field(&["expires_in"])
                .and_then(|v| v.as_u64())
                .map(|s| now_ms + s * 1000)
        });
    let scopes = match field(&["scopes", "scope"]) {
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    Ok(crate::model::OAuthTokens {
        access_token,
        refresh_token: string(&["refreshToken", "refresh_token"]),
        expires_at_ms,
        scopes,
    })
}
