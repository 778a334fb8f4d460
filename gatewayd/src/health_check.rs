//! Active health checks: a background task probes every enabled account once per
//! `health.check_interval`, spread over the interval with jitter so probes never burst.
//! Each result is kept with the account (latency, outcome, time); a passing probe brings
//! an account back from `error` or from a circuit-breaker or unreachable cool-down. A
//! rate-limit cool-down is left to `recovery`: a listing answering says nothing about
//! quota, the subscription's own usage read does.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Live;
use crate::model::AccountStatus;
use crate::recorder::Recorder;
use crate::state::{Account, Gateway, HealthCheck};

/// Runs until aborted. The first round starts one interval after start-up.
pub async fn run(gateway: Gateway, client: reqwest::Client, recorder: Recorder, live: Live) {
    let first = live.load().health.check_interval;
    tokio::time::sleep(first.max(Duration::from_secs(1))).await;
    loop {
        let health = live.load().health.clone();
        if health.check_interval.is_zero() {
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        let accounts: Vec<Arc<Account>> = gateway
            .snapshot()
            .accounts
            .iter()
            .filter(|a| a.status != AccountStatus::Inactive)
            .cloned()
            .collect();
        if accounts.is_empty() {
            tokio::time::sleep(health.check_interval).await;
            continue;
        }
        let spacing = health.check_interval / accounts.len() as u32;
        for account in accounts {
            tokio::time::sleep(jittered(spacing)).await;
            check(&gateway, &client, &recorder, &account, health.check_timeout).await;
            if crate::recovery::due(&account, gateway.clock().now_millis()) {
                let (first, timeout) = (health.check_interval, health.check_timeout);
                crate::recovery::check(&gateway, &client, &recorder, &account, first, timeout)
                    .await;
            }
        }
    }
}

/// Between half and one and a half times `spacing`.
fn jittered(spacing: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    spacing / 2 + spacing * u32::from(byte[0]) / 255
}

/// Probes one account and applies what the probe shows.
pub async fn check(
    gateway: &Gateway,
    client: &reqwest::Client,
    recorder: &Recorder,
    account: &Account,
    timeout: Duration,
) {
    let client = account.client.as_ref().unwrap_or(client);
    let result = match crate::oauth::bearer(gateway, client, account).await {
        Ok(_) => {
            let beta = gateway.oauth_beta(account);
            crate::probe::probe(client, account, beta, timeout).await
        }
        Err(e) => crate::probe::ProbeResult::unanswered(e.to_string(), Duration::ZERO),
    };
    let at_ms = gateway.clock().now_millis();
    account.runtime.last_check.store(Some(Arc::new(HealthCheck {
        at_ms,
        ok: result.ok,
        latency_ms: result.latency.as_millis() as u64,
        message: result.message.clone(),
    })));
    if let Err(e) = gateway.note_health_check(&account.id, (at_ms / 1000) as i64) {
        tracing::warn!(account = %account.id, error = %e, "cannot store the health check time");
    }
    if !result.ok {
        tracing::info!(account = %account.id, status = result.status, reason = %result.message, "health check failed");
        // An account pointed at the wrong place can serve nothing: out of rotation until
        // an operator fixes it (a later passing probe brings it back).
        if result.misconfigured && account.runtime.fail() {
            let id = std::sync::Arc::from(account.id.as_str());
            recorder.account_failed(id, result.message);
        }
        return;
    }
    let now = gateway.clock().now_millis();
    let stuck = account.runtime.failed()
        || account.status == AccountStatus::Error
        || (account.runtime.cooling_until(now).is_some()
            && account
                .runtime
                .cooling_reason()
                .is_some_and(crate::model::CoolReason::healed_by_probe));
    if stuck {
        // The failure this account was benched for is persisted before it is cleared.
        recorder.events_written().await;
        match gateway.restore_account(&account.id, "health check passed") {
            Ok(()) => {
                tracing::info!(account = %account.id, "health check passed; account back in rotation")
            }
            Err(e) => {
                tracing::warn!(account = %account.id, error = %e, "cannot restore the account")
            }
        }
    }
}
