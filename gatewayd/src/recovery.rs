//! Early recovery: a Claude subscription benched by an exhausted window is asked how its
//! windows stand — a read that spends no generation quota (the usage endpoint Claude
//! Code's own `/usage` shows) — and goes back into the pool as soon as they have room,
//! instead of waiting out a conservative reset. While they stay exhausted (or the read
//! fails) the checks back off; the bench still ends at its reset either way.

use std::time::Duration;

use gateway_shared::provider::Provider;

use crate::model::CoolReason;
use crate::recorder::Recorder;
use crate::state::{Account, Gateway};

/// The longest wait between two checks of one benched account.
const MAX_WAIT: Duration = Duration::from_secs(30 * 60);

/// How an account's windows stand.
#[derive(Debug, PartialEq)]
pub enum Windows {
    /// Every window reported has room.
    Room,
    /// At least one is used up.
    Exhausted,
    /// The read failed or said nothing usable.
    Unreadable(String),
}

/// Whether `account` is benched by a window and due for a check at `now_ms`.
pub fn due(account: &Account, now_ms: u64) -> bool {
    account.oauth.is_some()
        && account.provider == Provider::ClaudeCode
        && account.runtime.cooling_until(now_ms).is_some()
        && matches!(
            account.runtime.cooling_reason(),
            Some(CoolReason::WindowExhausted | CoolReason::RateLimited)
        )
        && account.runtime.recovery.due(now_ms)
}

/// Asks, and brings the account back when its windows have room; `first_wait` is the
/// back-off's first step.
pub async fn check(
    gateway: &Gateway,
    client: &reqwest::Client,
    recorder: &Recorder,
    account: &Account,
    first_wait: Duration,
    timeout: Duration,
) {
    let windows = match crate::oauth::bearer(gateway, client, account).await {
        Ok(bearer) => {
            let beta = gateway.oauth_beta(account).unwrap_or("");
            let path = &gateway.oauth_config().claude_usage_path;
            claude_windows(client, account, bearer, beta, path, timeout).await
        }
        Err(e) => Windows::Unreadable(e.to_string()),
    };
    let now = gateway.clock().now_millis();
    match windows {
        Windows::Room => {
            // The bench this account had is persisted before it is lifted.
            recorder.events_written().await;
            let why = "quota back early: its windows have room again";
            match gateway.restore_account(&account.id, why) {
                Ok(()) => tracing::info!(account = %account.id, "{why}"),
                Err(e) => {
                    tracing::warn!(account = %account.id, error = %e, "cannot restore the account")
                }
            }
        }
        still => {
            if let Windows::Unreadable(why) = still {
                tracing::info!(account = %account.id, reason = %why, "cannot read the subscription's windows; it stays benched");
            }
            let (first, max) = (ms(first_wait), ms(MAX_WAIT));
            account.runtime.recovery.wait_longer(now, first, max);
        }
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Reads the windows through the account's own login.
async fn claude_windows(
    client: &reqwest::Client,
    account: &Account,
    bearer: http::HeaderValue,
    beta: &str,
    path: &str,
    timeout: Duration,
) -> Windows {
    let client = account.client.as_ref().unwrap_or(client);
    let sent = client
        .get(format!("{}{path}", account.base_url))
        .header(http::header::AUTHORIZATION, bearer)
        .header("anthropic-beta", beta)
        .header("anthropic-version", "2023-06-01")
        .timeout(timeout)
        .send()
        .await;
    let response = match sent {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => return Windows::Unreadable(format!("the usage endpoint answered {}", r.status())),
        Err(_) => return Windows::Unreadable("the usage endpoint could not be reached".to_owned()),
    };
    match response.json::<serde_json::Value>().await {
        Ok(body) => judge(&body),
        Err(_) => Windows::Unreadable("the usage endpoint's answer is not JSON".to_owned()),
    }
}

/// `{"five_hour": {"utilization": 42.0, "resets_at": …}, "seven_day": {…}, …}`: percent.
fn judge(body: &serde_json::Value) -> Windows {
    let used: Vec<f64> = body
        .as_object()
        .into_iter()
        .flat_map(|windows| windows.values())
        .filter_map(|w| w.get("utilization")?.as_f64())
        .collect();
    match () {
        _ if used.is_empty() => Windows::Unreadable("no windows in the usage answer".to_owned()),
        _ if used.iter().any(|&u| u >= 100.0) => Windows::Exhausted,
        _ => Windows::Room,
    }
}

#[cfg(test)]
mod tests {
    use super::{judge, Windows};
    use serde_json::json;

    #[test]
    fn room_only_when_every_window_reported_has_it() {
        let room = json!({"five_hour": {"utilization": 40.0, "resets_at": "x"},
                          "seven_day": {"utilization": 99.0}, "seven_day_opus": null});
        assert_eq!(judge(&room), Windows::Room);
        let out = json!({"five_hour": {"utilization": 100.0}, "seven_day": {"utilization": 3.0}});
        assert_eq!(judge(&out), Windows::Exhausted);
        assert!(matches!(
            judge(&json!({"error": "x"})),
            Windows::Unreadable(_)
        ));
    }
}
