//! Code Assist housekeeping for Gemini CLI logins: onboarding (which Google Cloud project
//! a login calls under) and the login's quota buckets.
//!
//! Onboarding: which Google Cloud project a Gemini CLI login calls under.
//! `loadCodeAssist` names it for a user who has a tier; otherwise `onboardUser` with the
//! default tier starts an operation that is polled until it names the project. Done once,
//! when the account is added, and stored with it.

use std::time::Duration;

use gateway_shared::provider::{AuthKind, Provider};
use http::HeaderValue;
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::config::OAuthConfig;
use crate::model::OAuthTokens;
use crate::oauth::{token_grant, TokenError};
use crate::state::{Gateway, NewAccount, OpError};

/// Why no project could be found.
#[derive(Debug, thiserror::Error)]
pub enum OnboardError {
    #[error("Code Assist {method} answered {status}: {message}")]
    Refused {
        method: &'static str,
        status: u16,
        message: String,
    },
    #[error("Code Assist could not be reached for {0}")]
    Unreachable(&'static str),
    #[error("this Google login needs an explicit Google Cloud project: pass --project ({0})")]
    ProjectRequired(String),
    #[error("onboarding did not finish within {0:?}")]
    TimedOut(Duration),
    #[error("the access token has expired and could not be refreshed: {0}")]
    Token(#[from] TokenError),
}

/// One quota bucket as `retrieveUserQuota` reports it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Bucket {
    pub model_id: String,
    pub token_type: String,
    pub remaining_fraction: Option<f64>,
    pub remaining_amount: Option<String>,
    pub reset_time: Option<String>,
}

/// The login's quota buckets, asked live (`retrieveUserQuota`).
pub async fn quota(
    client: &reqwest::Client,
    base_url: &str,
    bearer: HeaderValue,
    project: &str,
) -> Result<Vec<Bucket>, OnboardError> {
    let api = Api {
        client,
        base: base_url.trim_end_matches('/'),
        bearer,
    };
    let answer = api
        .post("retrieveUserQuota", json!({"project": project}))
        .await?;
    Ok(serde_json::from_value(answer["buckets"].clone()).unwrap_or_default())
}

/// What Gemini CLI sends as client metadata.
fn metadata() -> Value {
    json!({"ideType": "IDE_UNSPECIFIED", "platform": "PLATFORM_UNSPECIFIED", "pluginType": "GEMINI"})
}

/// Returns tokens fit to call with (refreshed when the imported access token is stale)
/// and the login's project.
/// A Gemini CLI login added without a project: finds its Code Assist project (and
/// refreshes a stale imported token on the way). Other accounts pass unchanged.
pub async fn onboard_account(
    gateway: &Gateway,
    client: &reqwest::Client,
    mut new: NewAccount,
) -> Result<NewAccount, OpError> {
    let code_assist =
        new.provider == Provider::GeminiCli.as_str() && new.auth == AuthKind::OAuth.as_str();
    if !code_assist || new.project.is_some() {
        return Ok(new);
    }
    let tokens = crate::state::oauth_tokens(&new.credential, gateway.clock().now_millis())?;
    let base_url = match new.base_url.trim() {
        "" => gateway
            .default_base_url(Provider::GeminiCli, AuthKind::OAuth)
            .to_owned(),
        given => given.to_owned(),
    };
    let (tokens, project) = onboard(
        gateway.oauth_config(),
        client,
        &base_url,
        tokens,
        gateway.clock(),
    )
    .await
    .map_err(|e| OpError::precondition(e.to_string()))?;
    new.credential = serde_json::to_vec(&tokens).map_err(|e| OpError::internal(e.to_string()))?;
    new.project = Some(project);
    Ok(new)
}

pub async fn onboard(
    cfg: &OAuthConfig,
    client: &reqwest::Client,
    base_url: &str,
    tokens: OAuthTokens,
    clock: &Clock,
) -> Result<(OAuthTokens, String), OnboardError> {
    let tokens = fresh(cfg, client, tokens, clock).await?;
    let bearer = HeaderValue::from_str(&format!("Bearer {}", tokens.access_token))
        .map_err(|_| TokenError::Unavailable("the access token is not header-safe".into()))?;
    let api = Api {
        client,
        base: base_url.trim_end_matches('/'),
        bearer,
    };
    let project = discover(&api, cfg).await?;
    Ok((tokens, project))
}

async fn fresh(
    cfg: &OAuthConfig,
    client: &reqwest::Client,
    tokens: OAuthTokens,
    clock: &Clock,
) -> Result<OAuthTokens, TokenError> {
    let stale = tokens
        .expires_at_ms
        .is_some_and(|at| at <= clock.now_millis() + 60_000);
    let Some(refresh_token) = tokens.refresh_token.clone().filter(|_| stale) else {
        return Ok(tokens);
    };
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
    ];
    let answer = token_grant(cfg, Provider::GeminiCli, client, &grant).await?;
    Ok(answer.into_tokens(Some(&tokens), clock.now_millis()))
}

struct Api<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    bearer: HeaderValue,
}

impl Api<'_> {
    async fn call(
        &self,
        method: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<Value, OnboardError> {
        let response = request
            .header(http::header::AUTHORIZATION, self.bearer.clone())
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|_| OnboardError::Unreachable(method))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let message = body["error"]["message"]
                .as_str()
                .unwrap_or("no error message")
                .chars()
                .take(200)
                .collect();
            return Err(OnboardError::Refused {
                method,
                status: status.as_u16(),
                message,
            });
        }
        Ok(body)
    }

    async fn post(&self, method: &'static str, body: Value) -> Result<Value, OnboardError> {
        let url = format!("{}/v1internal:{method}", self.base);
        self.call(method, self.client.post(url).json(&body)).await
    }

    async fn operation(&self, name: &str) -> Result<Value, OnboardError> {
        let url = format!("{}/v1internal/{name}", self.base);
        self.call("operations.get", self.client.get(url)).await
    }
}

async fn discover(api: &Api<'_>, cfg: &OAuthConfig) -> Result<String, OnboardError> {
    let load = api
        .post("loadCodeAssist", json!({"metadata": metadata()}))
        .await?;
    if load.get("currentTier").is_some_and(|t| !t.is_null()) {
        return project_of(&load["cloudaicompanionProject"]).ok_or_else(|| {
            OnboardError::ProjectRequired("the account has a tier but no project".into())
        });
    }
    let tier = default_tier(&load)?;
    let mut operation = api
        .post(
            "onboardUser",
            json!({"tierId": tier, "metadata": metadata()}),
        )
        .await?;
    let deadline = tokio::time::Instant::now() + cfg.onboard_timeout;
    loop {
        if operation["done"].as_bool() == Some(true) {
            return project_of(&operation["response"]["cloudaicompanionProject"]).ok_or_else(
                || OnboardError::ProjectRequired("onboarding named no project".into()),
            );
        }
        let Some(name) = operation["name"].as_str().map(str::to_owned) else {
            return Err(OnboardError::ProjectRequired(
                "onboarding returned no operation".into(),
            ));
        };
        if tokio::time::Instant::now() + cfg.onboard_poll_interval > deadline {
            return Err(OnboardError::TimedOut(cfg.onboard_timeout));
        }
        tokio::time::sleep(cfg.onboard_poll_interval).await;
        operation = api.operation(&name).await?;
    }
}

/// The tier to onboard to: the default allowed one, else `legacy-tier`. Tiers that want
/// a user-defined project cannot be onboarded without one.
fn default_tier(load: &Value) -> Result<String, OnboardError> {
    let allowed = load["allowedTiers"].as_array();
    let Some(tier) = allowed.and_then(|t| t.iter().find(|t| t["isDefault"] == true)) else {
        if let Some(why) = load["ineligibleTiers"][0]["reasonMessage"].as_str() {
            return Err(OnboardError::ProjectRequired(why.to_owned()));
        }
        return Ok("legacy-tier".to_owned());
    };
    if tier["userDefinedCloudaicompanionProject"] == true {
        return Err(OnboardError::ProjectRequired(
            "its tier requires a user-defined project".into(),
        ));
    }
    Ok(tier["id"].as_str().unwrap_or("legacy-tier").to_owned())
}

/// `cloudaicompanionProject` is a string in `loadCodeAssist`, an object in the operation.
fn project_of(value: &Value) -> Option<String> {
    value
        .as_str()
        .or_else(|| value["id"].as_str())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
}
