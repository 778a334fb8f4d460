//! Probe: one cheap, real call through an account with its own credential (the model
//! listing; `loadCodeAssist` for a Google login), timed. Used by `gatewayctl account
//! test` and by the active health checks.

use std::time::{Duration, Instant};

use gateway_shared::provider::Provider;

use crate::state::Account;

/// What one probe saw.
#[derive(Debug, Clone)]
pub struct ProbeResult {
    pub ok: bool,
    /// The upstream's HTTP status; 0 when there was no answer.
    pub status: u16,
    pub latency: Duration,
    pub message: String,
    /// The answer shows the account points at the wrong place (a 404 on the listing, a
    /// web page instead of JSON): it cannot serve anything until an operator fixes it.
    pub misconfigured: bool,
}

impl ProbeResult {
    /// A probe that got no answer (or could not be sent) for `why`.
    pub fn unanswered(why: String, latency: Duration) -> Self {
        Self {
            ok: false,
            status: 0,
            latency,
            message: why,
            misconfigured: false,
        }
    }
}

/// Calls the account's model listing.
pub async fn probe(
    client: &reqwest::Client,
    account: &Account,
    oauth_beta: Option<&str>,
    timeout: Duration,
) -> ProbeResult {
    let client = account.client.as_ref().unwrap_or(client);
    let base = &account.base_url;
    let (path, request) = match account.provider {
        _ if account.code_assist() => {
            let path = "/v1internal:loadCodeAssist";
            let body = serde_json::json!({"metadata": {"pluginType": "GEMINI"}});
            (path, client.post(format!("{base}{path}")).json(&body))
        }
        Provider::ClaudeCode => ("/v1/models", client.get(format!("{base}/v1/models"))),
        Provider::GeminiCli => (
            "/v1beta/models",
            client.get(format!("{base}/v1beta/models")),
        ),
    };
    let (name, value) = account.credential_header();
    let mut request = request.header(name, value).timeout(timeout);
    if account.provider == Provider::ClaudeCode {
        request = request.header("anthropic-version", "2023-06-01");
    }
    if let Some(beta) = oauth_beta {
        request = request.header("anthropic-beta", beta);
    }
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let json = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("json"));
            // Read the answer so the latency covers it, as a client's would.
            let _ = response.bytes().await;
            judge(path, status, json, started.elapsed())
        }
        Err(e) => ProbeResult::unanswered(
            match e.is_timeout() {
                true => "timed out".to_owned(),
                false => "could not reach the upstream".to_owned(),
            },
            started.elapsed(),
        ),
    }
}

/// The verdict on an answer to the probe of `path`.
fn judge(path: &str, status: http::StatusCode, json: bool, latency: Duration) -> ProbeResult {
    let wrong_place = status == http::StatusCode::NOT_FOUND || (status.is_success() && !json);
    let message = match () {
        _ if status == http::StatusCode::NOT_FOUND => format!(
            "wrong base URL? {path} answered 404 (gatewayd adds the API path itself: a base URL ends before /v1)"
        ),
        _ if wrong_place => format!("wrong base URL? {path} answered {status} without JSON"),
        _ if status.is_success() => String::new(),
        _ => format!("upstream answered {status}"),
    };
    ProbeResult {
        ok: status.is_success() && !wrong_place,
        status: status.as_u16(),
        latency,
        message,
        misconfigured: wrong_place,
    }
}

#[cfg(test)]
mod tests {
    use super::judge;
    use http::StatusCode;
    use std::time::Duration;

    #[test]
    fn a_404_or_a_web_page_is_a_wrong_base_url() {
        let verdict = |status, json| judge("/v1/models", status, json, Duration::ZERO);
        assert!(verdict(StatusCode::OK, true).ok);
        let missing = verdict(StatusCode::NOT_FOUND, true);
        assert!(!missing.ok && missing.misconfigured, "{missing:?}");
        assert!(missing.message.contains("wrong base URL"));
        let page = verdict(StatusCode::OK, false);
        assert!(!page.ok && page.misconfigured);
        let refused = verdict(StatusCode::UNAUTHORIZED, true);
        assert!(!refused.ok && !refused.misconfigured);
    }
}
