//! The Claude OAuth roles of the mock: the token endpoint (refresh with rotation; a
//! reused or revoked refresh token is `invalid_grant`) and the subscription rule that a
//! bearer without the OAuth beta is refused.

use std::sync::atomic::Ordering;

use http::{HeaderMap, StatusCode};
use serde_json::json;

use super::reply::Reply;
use super::State;

/// The beta an OAuth bearer must come with.
pub const OAUTH_BETA: &str = "oauth-2025-04-20";

/// `POST /v1/oauth/token`.
pub(crate) fn token(state: &State, seq: u64, body: &[u8]) -> Reply {
    state.oauth_calls.fetch_add(1, Ordering::Relaxed);
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let refused = |why: &str| {
        Reply::json(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid_grant", "error_description": why}),
        )
    };
    if v["grant_type"] == "authorization_code" {
        return exchange(state, seq, &v);
    }
    if v["grant_type"] != "refresh_token" {
        return refused("unsupported grant");
    }
    let Some(presented) = v["refresh_token"].as_str() else {
        return refused("no refresh token");
    };
    if !presented.starts_with("rt-") || presented.starts_with("rt-revoked") {
        return refused("refresh token revoked");
    }
    if !state
        .oauth_used
        .lock()
        .unwrap()
        .insert(presented.to_owned())
    {
        return refused("refresh token already used");
    }
    issued(state, seq)
}

/// A new token pair, as the token endpoint answers both grants.
fn issued(state: &State, seq: u64) -> Reply {
    Reply::json(
        StatusCode::OK,
        &json!({
            "token_type": "Bearer",
            "access_token": format!("at-{seq}"),
            "refresh_token": format!("rt-{seq}"),
            "expires_in": state.config.oauth_expires_in,
            "scope": "user:inference user:profile",
            "account": {"uuid": "acct-mock", "email_address": "dev@example.com"},
        }),
    )
}

/// A refusal for Anthropic requests that carry a bearer but not the OAuth beta.
pub(crate) fn check_bearer(headers: &HeaderMap) -> Option<Reply> {
    if headers.contains_key("x-api-key") || !headers.contains_key("authorization") {
        return None;
    }
    let betas = headers
        .get("anthropic-beta")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if betas.split(',').any(|b| b.trim() == OAUTH_BETA) {
        return None;
    }
    Some(Reply::json(
        StatusCode::UNAUTHORIZED,
        &json!({"type": "error", "error": {"type": "authentication_error", "message": "OAuth authentication is currently not supported."}}),
    ))
}

/// The authorization-code grant, with a real PKCE check: the mock's "browser" hands out
/// `code-<challenge>`, so the verifier must hash to it.
fn exchange(state: &State, seq: u64, v: &serde_json::Value) -> Reply {
    let refused = |why: &str| {
        Reply::json(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid_grant", "error_description": why}),
        )
    };
    let (Some(code), Some(verifier)) = (v["code"].as_str(), v["code_verifier"].as_str()) else {
        return refused("code and code_verifier are required");
    };
    if !pkce_matches(code, verifier) {
        return refused("PKCE verification failed");
    }
    issued(state, seq)
}

/// The mock's "browser" hands out `code-<S256 challenge>`: the verifier must hash to it.
pub(crate) fn pkce_matches(code: &str, verifier: &str) -> bool {
    use base64::Engine;
    use sha2::Digest;
    let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    code.strip_prefix("code-") == Some(hashed.as_str())
}

/// The unified rate-limit headers a subscription answer carries while within its limits
/// (`utilization_5h` from the config, so tests can push it past the warning line, or
/// the account's own from `set_windows`).
pub(crate) fn allowed_windows(state: &State, account: Option<&str>) -> Vec<(&'static str, String)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let own = account.and_then(|a| state.windows.lock().unwrap().get(a).copied());
    let (u5, reset_5h) = own.unwrap_or((state.config.utilization_5h, 3 * 3600));
    let status = if u5 >= 0.8 {
        "allowed_warning"
    } else {
        "allowed"
    };
    vec![
        ("anthropic-ratelimit-unified-status", status.to_owned()),
        (
            "anthropic-ratelimit-unified-representative-claim",
            "five_hour".to_owned(),
        ),
        (
            "anthropic-ratelimit-unified-reset",
            (now + reset_5h).to_string(),
        ),
        ("anthropic-ratelimit-unified-5h-status", status.to_owned()),
        (
            "anthropic-ratelimit-unified-5h-utilization",
            format!("{u5:.2}"),
        ),
        (
            "anthropic-ratelimit-unified-5h-reset",
            (now + reset_5h).to_string(),
        ),
        (
            "anthropic-ratelimit-unified-7d-status",
            "allowed".to_owned(),
        ),
        (
            "anthropic-ratelimit-unified-7d-utilization",
            "0.30".to_owned(),
        ),
        (
            "anthropic-ratelimit-unified-7d-reset",
            (now + 5 * 86_400).to_string(),
        ),
    ]
}

/// `GET /api/oauth/usage`, as Claude Code's `/usage` reads it: each window's utilisation in
/// percent and its reset. OAuth bearer and beta required.
pub(crate) fn usage(state: &State, headers: &HeaderMap) -> Reply {
    if !headers.contains_key("authorization") {
        return Reply::json(
            StatusCode::UNAUTHORIZED,
            &json!({"type": "error", "error": {"type": "authentication_error", "message": "OAuth token required"}}),
        );
    }
    if let Some(refusal) = check_bearer(headers) {
        return refusal;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let at = |secs: u64| {
        humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
        )
        .to_string()
    };
    let u5 = state
        .usage_5h
        .lock()
        .unwrap()
        .unwrap_or(state.config.utilization_5h);
    Reply::json(
        StatusCode::OK,
        &json!({
            "five_hour": {"utilization": (u5 * 100.0).round(), "resets_at": at(now + 3 * 3600)},
            "seven_day": {"utilization": 12.0, "resets_at": at(now + 4 * 86_400)},
            "seven_day_opus": null,
        }),
    )
}
