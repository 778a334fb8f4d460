//! Alerts: JSON POSTs to the webhooks in `[alerts]`, with retries and exponential
//! backoff, for an account entering `error` (needs login, banned, invalid credentials),
//! a subscription window crossing the quota threshold, an account's error rate spiking,
//! and security events. Raised without waiting (a bounded queue), delivered by one task.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::admission::Window;

mod refusals;
use crate::config::Live;
pub use refusals::ClientRefusals;

/// `[alerts]`; applies on `config reload`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Where alerts are POSTed; empty = alerts only go to the log.
    pub webhooks: Vec<String>,
    /// A subscription window's utilisation (0..1) that raises an alert once crossed.
    pub quota_threshold: f64,
    /// Share of an account's requests failing that raises an alert ...
    pub error_rate: f64,
    /// ... once it served at least this many in the sliding window ...
    pub error_rate_min_requests: u64,
    /// ... of this length.
    #[serde(with = "humantime_serde")]
    pub error_rate_window: Duration,
    /// Delivery attempts per webhook (backoff 1 s, 2 s, 4 s, …).
    pub attempts: u32,
    /// The fraction of a key's spend budget (per period) that raises an alert once.
    pub budget_threshold: f64,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            webhooks: Vec::new(),
            quota_threshold: 0.9,
            error_rate: 0.5,
            error_rate_min_requests: 10,
            error_rate_window: Duration::from_secs(300),
            attempts: 4,
            budget_threshold: 0.8,
        }
    }
}

/// One alert as webhooks receive it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// `account_error`, `quota_threshold`, `error_rate`, `client_refusal`, `security`,
    /// `test`.
    pub kind: &'static str,
    pub account: Option<String>,
    /// The gateway key concerned, for alerts about one key's requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
    pub at_ms: u64,
    pub source: &'static str,
}

impl Alert {
    /// An alert of `kind` raised at `at_ms` (Unix milliseconds).
    pub fn new(
        at_ms: u64,
        kind: &'static str,
        account: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            account: account.map(str::to_owned),
            key: None,
            message: message.into(),
            at_ms,
            source: "llm-gateway",
        }
    }
}

/// Raises alerts; cheap to clone.
#[derive(Clone)]
pub struct Alerter {
    tx: mpsc::Sender<Alert>,
}

impl Alerter {
    /// Queues an alert; a full queue drops it (with a log line).
    pub fn raise(&self, alert: Alert) {
        tracing::warn!(alert.kind = alert.kind, alert.account = ?alert.account, message = %alert.message, "alert");
        if self.tx.try_send(alert).is_err() {
            tracing::error!("alert queue full; alert dropped");
        }
    }
}

/// The alerter and the task that delivers what it raises.
pub fn channel(
    client: reqwest::Client,
    live: Live,
) -> (Alerter, impl std::future::Future<Output = ()>) {
    let (tx, mut rx) = mpsc::channel::<Alert>(1024);
    let task = async move {
        while let Some(alert) = rx.recv().await {
            let cfg = live.load().alerts.clone();
            for url in &cfg.webhooks {
                if let Err(e) = deliver(&client, url, &alert, cfg.attempts).await {
                    tracing::error!(webhook = %redact_url(url), error = %e, "alert not delivered");
                }
            }
        }
    };
    (Alerter { tx }, task)
}

/// POSTs `alert` to `url`, retrying with backoff; a 2xx answer is delivery.
pub async fn deliver(
    client: &reqwest::Client,
    url: &str,
    alert: &Alert,
    attempts: u32,
) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_secs(1 << (attempt - 1).min(6))).await;
        }
        match client
            .post(url)
            .json(alert)
            .timeout(Duration::from_secs(10))
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => last = format!("answered {}", r.status()),
            Err(_) => last = "unreachable".to_owned(),
        }
    }
    Err(last)
}

/// A webhook URL for logs: scheme, host and port only (paths often hold tokens).
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => format!("{}://{}", u.scheme(), u.host_str().unwrap_or("?")),
        Err(_) => "(invalid URL)".to_owned(),
    }
}

/// Per-account error rates over a sliding window, to tell a spike (once per window).
#[derive(Default)]
pub struct ErrorRates {
    accounts: HashMap<String, (Window, Window, u64)>,
}

impl ErrorRates {
    /// Counts one answer of `account`; an alert when its error rate just spiked.
    pub fn count(
        &mut self,
        account: &str,
        failed: bool,
        now_ms: u64,
        cfg: &AlertsConfig,
    ) -> Option<Alert> {
        let len = cfg.error_rate_window.as_millis().max(1) as u64;
        let (requests, errors, quiet_until) = self.accounts.entry(account.to_owned()).or_default();
        requests.add(now_ms, len, 1);
        errors.add(now_ms, len, u64::from(failed));
        let (n, e) = (
            requests.used(now_ms, len) as f64,
            errors.used(now_ms, len) as f64,
        );
        if now_ms < *quiet_until || n < cfg.error_rate_min_requests as f64 || e / n < cfg.error_rate
        {
            return None;
        }
        *quiet_until = now_ms + len;
        Some(Alert::new(
            now_ms,
            "error_rate",
            Some(account),
            format!(
                "{:.0}% of {n:.0} requests failed in the last {:?}",
                100.0 * e / n,
                cfg.error_rate_window
            ),
        ))
    }

    /// Forgets accounts with nothing in their window.
    pub fn sweep(&mut self, now_ms: u64, cfg: &AlertsConfig) {
        let len = cfg.error_rate_window.as_millis().max(1) as u64;
        self.accounts
            .retain(|_, (requests, _, _)| requests.used(now_ms, len) > 0);
    }
}
