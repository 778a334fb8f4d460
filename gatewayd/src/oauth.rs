//! Subscription tokens: refreshed ahead of expiry, once per account however many
//! requests are waiting (single flight), with a rotated refresh token stored before the
//! new access token is used. A refresh the upstream refuses takes the account out of
//! rotation as "needs login".

use std::sync::Arc;
use std::time::Duration;

use gateway_shared::provider::Provider;
use http::HeaderValue;
use serde::Deserialize;

use crate::model::{AccountStatus, OAuthTokens};
use crate::recorder::Recorder;
use crate::state::{Account, Gateway, OpError, TokenCell};

/// Why no usable token could be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The upstream refused the refresh: an operator must log in again.
    #[error("needs login: the token refresh was refused ({0})")]
    Refused(String),
    /// The refresh could not be done now and the old token has expired.
    #[error("token expired and the refresh failed: {0}")]
    Unavailable(String),
}

/// The token endpoint's answer to either grant.
#[derive(Deserialize)]
pub struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    scope: Option<String>,
}

impl TokenAnswer {
    /// The tokens to seal; what the answer leaves out (a refresh token that did not rotate,
    /// the scopes) is kept from `previous`.
    /// `now_ms` is when the answer arrived, which its `expires_in` counts from.
    pub fn into_tokens(self, previous: Option<&OAuthTokens>, now_ms: u64) -> OAuthTokens {
        OAuthTokens {
            access_token: self.access_token,
            refresh_token: self
                .refresh_token
                .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            expires_at_ms: self.expires_in.map(|s| now_ms + s * 1000),
            scopes: match self.scope {
                Some(scope) => scope.split_whitespace().map(str::to_owned).collect(),
                None => previous.map(|p| p.scopes.clone()).unwrap_or_default(),
            },
        }
    }
}

/// The bearer to send for `account`, refreshing first when it is due.
pub async fn bearer(
    gateway: &Gateway,
    client: &reqwest::Client,
    account: &Account,
) -> Result<HeaderValue, TokenError> {
    let Some(cell) = &account.oauth else {
        return Ok(account.credential.clone());
    };
    let lead = gateway.oauth_config().refresh_before.as_millis() as u64;
    let current = cell.current();
    if !due(&current.tokens, lead, gateway.clock().now_millis()) {
        return Ok(current.bearer.clone());
    }
    refresh(gateway, client, account, cell, lead, false).await
}

/// Refreshes now, whatever the expiry (`gatewayctl account refresh`).
/// `account refresh`: a new access token now. A refused refresh takes the account out
/// of rotation (persisted before this returns); one that works brings a failed account
/// back.
pub async fn refresh_account(
    gateway: &Gateway,
    client: &reqwest::Client,
    recorder: &Recorder,
    id: &str,
) -> Result<(), OpError> {
    let live = gateway.live_account(id)?;
    if live.oauth.is_none() {
        return Err(OpError::precondition(format!(
            "account {id} does not use OAuth"
        )));
    }
    let client = live.client.as_ref().unwrap_or(client);
    if let Err(e) = force_refresh(gateway, client, &live).await {
        if matches!(e, TokenError::Refused(_)) && live.runtime.fail() {
            recorder.account_failed(Arc::from(id), e.to_string());
            recorder.events_written().await;
        }
        return Err(e.into());
    }
    let stored_error = gateway.get_account(id)?.record.status == AccountStatus::Error;
    if live.runtime.failed() || stored_error {
        recorder.events_written().await;
        gateway.restore_account(id, "token refreshed")?;
    }
    Ok(())
}

pub async fn force_refresh(
    gateway: &Gateway,
    client: &reqwest::Client,
    account: &Account,
) -> Result<(), TokenError> {
    match &account.oauth {
        Some(cell) => refresh(gateway, client, account, cell, 0, true)
            .await
            .map(|_| ()),
        None => Ok(()),
    }
}

/// Whether the access token has not expired yet.
fn still_valid(tokens: &OAuthTokens, gateway: &Gateway) -> bool {
    tokens
        .expires_at_ms
        .is_some_and(|at| at > gateway.clock().now_millis())
}

fn due(tokens: &OAuthTokens, lead_ms: u64, now_ms: u64) -> bool {
    tokens.refresh_token.is_some()
        && tokens
            .expires_at_ms
            .is_some_and(|at| at <= now_ms + lead_ms)
}

async fn refresh(
    gateway: &Gateway,
    client: &reqwest::Client,
    account: &Account,
    cell: &Arc<TokenCell>,
    lead: u64,
    forced: bool,
) -> Result<HeaderValue, TokenError> {
    let before = cell.current();
    let _single_flight = cell.refresh.lock().await;
    let current = cell.current();
    // Someone else refreshed while this request waited.
    if !Arc::ptr_eq(&before, &current)
        || !(forced || due(&current.tokens, lead, gateway.clock().now_millis()))
    {
        return Ok(current.bearer.clone());
    }
    // In a cluster, one node at a time refreshes an account, and only after taking in
    // what another node may have refreshed (and stored) meanwhile.
    let _cluster_lock = match gateway.cluster() {
        Some(cluster) => {
            let taken = match cluster.reachable() {
                true => {
                    cluster
                        .lock(&format!("refresh/{}", account.id), REFRESH_LOCK_WAIT)
                        .await
                }
                false => Err(crate::store::StoreError::ClusterTimeout(Default::default())),
            };
            let lock = match taken {
                Ok(lock) => lock,
                // No refresh without the record to store its rotated token in; the
                // current token serves while it lasts.
                Err(e) if still_valid(&current.tokens, gateway) => {
                    tracing::warn!(account = %account.id, error = %e, "cannot take the cluster's refresh lock; the current token is still valid");
                    return Ok(current.bearer.clone());
                }
                Err(e) => {
                    return Err(TokenError::Unavailable(format!(
                        "cannot take the cluster's refresh lock: {e}"
                    )))
                }
            };
            if let Some(stored) =
                newer_stored(gateway, cluster, &account.id, &current.tokens).await?
            {
                cell.set(stored)
                    .map_err(|e| TokenError::Unavailable(e.to_string()))?;
                let now = cell.current();
                if forced || !due(&now.tokens, lead, gateway.clock().now_millis()) {
                    return Ok(now.bearer.clone());
                }
            }
            Some(lock)
        }
        None => None,
    };
    let current = cell.current();
    let Some(refresh_token) = current.tokens.refresh_token.clone() else {
        return Ok(current.bearer.clone());
    };
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
    ];
    match token_grant(gateway.oauth_config(), account.provider, client, &grant).await {
        Ok(answer) => {
            let tokens = answer.into_tokens(Some(&current.tokens), gateway.clock().now_millis());
            // Persist first (flushed to disk, off the runtime thread): a rotated refresh
            // token is single-use.
            let (owner, id, sealed) = (gateway.clone(), account.id.clone(), tokens.clone());
            tokio::task::spawn_blocking(move || owner.store_tokens(&id, &sealed))
                .await
                .map_err(|e| TokenError::Unavailable(e.to_string()))?
                .map_err(|e| {
                    TokenError::Unavailable(format!("cannot store the new tokens: {e}"))
                })?;
            cell.set(tokens)
                .map_err(|e| TokenError::Unavailable(e.to_string()))?;
            tracing::info!(account = %account.id, "access token refreshed");
            Ok(cell.current().bearer.clone())
        }
        Err(e @ TokenError::Refused(_)) => Err(e),
        Err(e) if still_valid(&current.tokens, gateway) => {
            tracing::warn!(account = %account.id, error = %e, "token refresh failed; the current token is still valid");
            Ok(current.bearer.clone())
        }
        Err(e) => Err(e),
    }
}

/// How long a node waits for another node's refresh of the same account.
const REFRESH_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The tokens another node stored for `id`, if they differ from `held`: this node first
/// applies every change committed so far.
async fn newer_stored(
    gateway: &Gateway,
    cluster: &Arc<crate::store::Cluster>,
    id: &str,
    held: &OAuthTokens,
) -> Result<Option<OAuthTokens>, TokenError> {
    let (cluster, owner, id) = (Arc::clone(cluster), gateway.clone(), id.to_owned());
    let stored = tokio::task::spawn_blocking(move || {
        cluster.catch_up().map_err(|e| e.to_string())?;
        owner.stored_tokens(&id).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| TokenError::Unavailable(e.to_string()))?
    .map_err(TokenError::Unavailable)?;
    Ok(stored.filter(|s| s != held))
}

/// POSTs one grant (refresh, or the authorization code of a login) to `provider`'s token
/// endpoint with the OAuth client's id: JSON for Anthropic, a form with the installed
/// app's public secret for Google.
pub async fn token_grant(
    cfg: &crate::config::OAuthConfig,
    provider: Provider,
    client: &reqwest::Client,
    grant: &[(&str, &str)],
) -> Result<TokenAnswer, TokenError> {
    let request = match provider {
        Provider::ClaudeCode => {
            let mut body: serde_json::Map<String, serde_json::Value> = grant
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).into()))
                .collect();
            body.insert("client_id".to_owned(), cfg.claude_client_id.clone().into());
            client.post(&cfg.claude_token_url).json(&body)
        }
        Provider::GeminiCli => {
            let mut form = grant.to_vec();
            form.push(("client_id", &cfg.google_client_id));
            form.push(("client_secret", &cfg.google_client_secret));
            client.post(&cfg.google_token_url).form(&form)
        }
    };
    let response = request
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(|_| {
            TokenError::Unavailable("the token endpoint could not be reached".to_owned())
        })?;
    let status = response.status();
    if status.is_success() {
        return response.json().await.map_err(|_| {
            TokenError::Unavailable("the token endpoint answered unreadable JSON".to_owned())
        });
    }
    let reason = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| status.to_string());
    match status.as_u16() {
        400 | 401 | 403 => Err(TokenError::Refused(reason)),
        _ => Err(TokenError::Unavailable(format!(
            "token endpoint answered {status}"
        ))),
    }
}

/// Keeps tokens fresh for accounts that get no traffic (idle, or cooling down after a
/// 429): every `interval`, refreshes the ones that are due. Failures are reported the
/// same way as on the request path.
pub async fn keep_fresh(
    gateway: Gateway,
    client: reqwest::Client,
    recorder: crate::recorder::Recorder,
    interval: Duration,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let lead = gateway.oauth_config().refresh_before.as_millis() as u64;
        let due_accounts: Vec<Arc<Account>> = gateway
            .snapshot()
            .accounts
            .iter()
            .filter(|a| !a.runtime.failed())
            .filter(|a| {
                a.oauth.as_ref().is_some_and(|cell| {
                    due(&cell.current().tokens, lead, gateway.clock().now_millis())
                })
            })
            .cloned()
            .collect();
        for account in due_accounts {
            let client = account.client.as_ref().unwrap_or(&client);
            if let Err(e @ TokenError::Refused(_)) = bearer(&gateway, client, &account).await {
                if account.runtime.fail() {
                    tracing::warn!(account = %account.id, error = %e, "account needs login");
                    recorder.account_failed(Arc::from(account.id.as_str()), e.to_string());
                }
            }
        }
    }
}
