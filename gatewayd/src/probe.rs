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
    let request = match account.provider {
        _ if account.code_assist() => client
            .post(format!("{base}/v1internal:loadCodeAssist"))
            .json(&serde_json::json!({"metadata": {"pluginType": "GEMINI"}})),
        Provider::ClaudeCode => client.get(format!("{base}/v1/models")),
        Provider::GeminiCli => client.get(format!("{base}/v1beta/models")),
    };
    let (name, value) = account.credential_header();
    let mut request = request
        .header(name, value)
        .header("anthropic-version", "2023-06-01")
        .timeout(timeout);
    if let Some(beta) = oauth_beta {
        request = request.header("anthropic-beta", beta);
    }
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            // Read the answer so the latency covers it, as a client's would.
            let _ = response.bytes().await;
            ProbeResult {
                ok: status.is_success(),
                status: status.as_u16(),
                latency: started.elapsed(),
                message: if status.is_success() {
                    String::new()
                } else {
                    format!("upstream answered {status}")
                },
            }
        }
        Err(e) => ProbeResult {
            ok: false,
            status: 0,
            latency: started.elapsed(),
            message: if e.is_timeout() {
                "timed out".to_owned()
            } else {
                "could not reach the upstream".to_owned()
            },
        },
    }
}
