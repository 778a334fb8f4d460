//! Subscription login by authorization code with PKCE (S256), for Claude and for Google
//! (Gemini CLI's installed-app client, manual code paste): the daemon keeps the verifier,
//! hands out the URL to open, and exchanges the code the operator pastes back. Pending
//! logins live in memory for ten minutes; nothing secret reaches the CLI's argv.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use gateway_shared::provider::Provider;
use sha2::{Digest, Sha256};

use crate::config::OAuthConfig;
use crate::model::OAuthTokens;

const PENDING_FOR: Duration = Duration::from_secs(600);

/// A login started and not yet finished.
struct Pending {
    provider: Provider,
    verifier: String,
    state: String,
    started: Instant,
}

/// Logins in progress, by session id.
#[derive(Default)]
pub struct Logins {
    pending: Mutex<HashMap<String, Pending>>,
}

/// Why a login could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("no login in progress with that session (it may have expired after 10 minutes)")]
    UnknownSession,
    #[error("the pasted code does not belong to this login (state mismatch)")]
    StateMismatch,
    #[error("the code exchange was refused: {0}")]
    Refused(String),
    #[error("the token endpoint could not be reached")]
    Unreachable,
}

fn random_b64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    B64URL.encode(bytes)
}

impl Logins {
    /// Starts a login; returns (session, URL to open).
    pub fn start(&self, cfg: &OAuthConfig, provider: Provider) -> (String, String) {
        let (verifier, state, session) = (random_b64(32), random_b64(24), random_b64(12));
        let challenge = B64URL.encode(Sha256::digest(verifier.as_bytes()));
        let url = match provider {
            Provider::ClaudeCode => authorize_url(
                &cfg.claude_authorize_url,
                &[
                    ("code", "true"),
                    ("client_id", &cfg.claude_client_id),
                    ("response_type", "code"),
                    ("redirect_uri", &cfg.claude_redirect_uri),
                    ("scope", &cfg.claude_scopes),
                ],
                &challenge,
                &state,
            ),
            Provider::GeminiCli => authorize_url(
                &cfg.google_authorize_url,
                &[
                    ("client_id", &cfg.google_client_id),
                    ("response_type", "code"),
                    ("redirect_uri", &cfg.google_redirect_uri),
                    ("scope", &cfg.google_scopes),
                    ("access_type", "offline"),
                    ("prompt", "consent"),
                ],
                &challenge,
                &state,
            ),
        };
        let mut pending = self.pending.lock().expect("login lock poisoned");
        pending.retain(|_, p| p.started.elapsed() < PENDING_FOR);
        pending.insert(
            session.clone(),
            Pending {
                provider,
                verifier,
                state,
                started: Instant::now(),
            },
        );
        (session, url)
    }

    /// Exchanges the pasted `code#state` for tokens.
    pub async fn finish(
        &self,
        cfg: &OAuthConfig,
        client: &reqwest::Client,
        session: &str,
        pasted: &str,
        clock: &crate::clock::Clock,
    ) -> Result<(Provider, OAuthTokens), LoginError> {
        let pending = {
            let mut all = self.pending.lock().expect("login lock poisoned");
            all.remove(session)
                .filter(|p| p.started.elapsed() < PENDING_FOR)
                .ok_or(LoginError::UnknownSession)?
        };
        let pasted = pasted.trim();
        let (code, state) = pasted
            .split_once('#')
            .unwrap_or((pasted, pending.state.as_str()));
        let code = code.split('&').next().unwrap_or(code);
        if state != pending.state {
            return Err(LoginError::StateMismatch);
        }
        let redirect_uri = match pending.provider {
            Provider::ClaudeCode => &cfg.claude_redirect_uri,
            Provider::GeminiCli => &cfg.google_redirect_uri,
        };
        let mut grant = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", pending.verifier.as_str()),
        ];
        if pending.provider == Provider::ClaudeCode {
            grant.push(("state", state));
        }
        match crate::oauth::token_grant(cfg, pending.provider, client, &grant).await {
            Ok(answer) => Ok((
                pending.provider,
                answer.into_tokens(None, clock.now_millis()),
            )),
            Err(crate::oauth::TokenError::Refused(reason)) => Err(LoginError::Refused(reason)),
            Err(crate::oauth::TokenError::Unavailable(_)) => Err(LoginError::Unreachable),
        }
    }
}

/// The authorize URL with the PKCE challenge and state appended to `params`.
fn authorize_url(base: &str, params: &[(&str, &str)], challenge: &str, state: &str) -> String {
    let mut url = reqwest::Url::parse(base).expect("validated authorize URL");
    url.query_pairs_mut()
        .extend_pairs(params)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", state);
    url.to_string()
}
