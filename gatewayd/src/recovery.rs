//! Early recovery: a subscription account benched by an exhausted window or quota is
//! asked how its windows stand — a read that spends no generation quota (Claude: the usage
//! endpoint Claude Code's own `/usage` shows; Code Assist: `retrieveUserQuota`) — and goes
//! back into the pool as soon as they have room, instead of waiting out a conservative
//! reset. While they stay exhausted (or the read fails) the checks back off; the bench
//! still ends at its reset either way. Each account keeps what its last check found.

use std::time::Duration;

use gateway_shared::provider::Provider;

use crate::model::CoolReason;
use crate::recorder::Recorder;
use crate::state::{Account, Gateway, QuotaFinding};

/// The longest wait between two checks of one benched account.
const MAX_WAIT: Duration = Duration::from_secs(30 * 60);

/// Whether `account` is benched by a window or quota and due for a check at `now_ms`.
pub fn due(account: &Account, now_ms: u64) -> bool {
    readable(account) && benched_by_quota(account, now_ms) && account.runtime.recovery.due(now_ms)
}

/// A login whose windows can be read without spending quota.
fn readable(account: &Account) -> bool {
    account.oauth.is_some()
        && (account.provider == Provider::ClaudeCode
            || (account.code_assist() && account.project.is_some()))
}

/// Cooling for a used-up window or quota (or a rate limit that may be one), or with a
/// model family benched.
fn benched_by_quota(account: &Account, now_ms: u64) -> bool {
    let cooling = account.runtime.cooling_until(now_ms).is_some()
        && matches!(
            account.runtime.cooling_reason(),
            Some(
                CoolReason::WindowExhausted | CoolReason::RateLimited | CoolReason::QuotaExhausted
            )
        );
    cooling || !account.runtime.benched(now_ms).is_empty()
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
    let finding = read(gateway, client, account, timeout).await;
    let now = gateway.clock().now_millis();
    account.runtime.recovery.found(now, finding.clone());
    match finding {
        QuotaFinding::Room => {
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
            if let QuotaFinding::Unreadable(why) = still {
                tracing::info!(account = %account.id, reason = %why, "cannot read the subscription's windows; it stays benched");
            }
            let (first, max) = (ms(first_wait), ms(MAX_WAIT));
            account.runtime.recovery.wait_longer(now, first, max);
        }
    }
}

/// Reads the account's windows through its own login.
async fn read(
    gateway: &Gateway,
    client: &reqwest::Client,
    account: &Account,
    timeout: Duration,
) -> QuotaFinding {
    let client = account.client.as_ref().unwrap_or(client);
    let bearer = match crate::oauth::bearer(gateway, client, account).await {
        Ok(bearer) => bearer,
        Err(e) => return QuotaFinding::Unreadable(e.to_string()),
    };
    match account.project.as_deref() {
        Some(project) if account.code_assist() => {
            let quota = crate::codeassist::quota(client, &account.base_url, bearer, project);
            match tokio::time::timeout(timeout, quota).await {
                Ok(Ok(buckets)) => judge_buckets(&buckets),
                Ok(Err(e)) => QuotaFinding::Unreadable(e.to_string()),
                Err(_) => {
                    QuotaFinding::Unreadable("retrieveUserQuota did not answer in time".into())
                }
            }
        }
        _ => {
            let beta = gateway.oauth_beta(account).unwrap_or("");
            let path = &gateway.oauth_config().claude_usage_path;
            claude_windows(client, account, bearer, beta, path, timeout).await
        }
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Reads a Claude subscription's windows from the usage endpoint.
async fn claude_windows(
    client: &reqwest::Client,
    account: &Account,
    bearer: http::HeaderValue,
    beta: &str,
    path: &str,
    timeout: Duration,
) -> QuotaFinding {
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
        Ok(r) => {
            return QuotaFinding::Unreadable(format!("the usage endpoint answered {}", r.status()))
        }
        Err(_) => {
            return QuotaFinding::Unreadable("the usage endpoint could not be reached".to_owned())
        }
    };
    match response.json::<serde_json::Value>().await {
        Ok(body) => judge(&body),
        Err(_) => QuotaFinding::Unreadable("the usage endpoint's answer is not JSON".to_owned()),
    }
}

/// `{"five_hour": {"utilization": 42.0, "resets_at": …}, "seven_day": {…}, …}`: percent.
fn judge(body: &serde_json::Value) -> QuotaFinding {
    let used: Vec<f64> = body
        .as_object()
        .into_iter()
        .flat_map(|windows| windows.values())
        .filter_map(|w| w.get("utilization")?.as_f64())
        .collect();
    match () {
        _ if used.is_empty() => {
            QuotaFinding::Unreadable("no windows in the usage answer".to_owned())
        }
        _ if used.iter().any(|&u| u >= 100.0) => QuotaFinding::Exhausted,
        _ => QuotaFinding::Room,
    }
}

/// Code Assist buckets: room when every bucket that reports what remains has some left.
fn judge_buckets(buckets: &[crate::codeassist::Bucket]) -> QuotaFinding {
    let remaining: Vec<f64> = buckets
        .iter()
        .filter_map(|b| b.remaining_fraction)
        .collect();
    match () {
        _ if remaining.is_empty() => {
            QuotaFinding::Unreadable("no quota buckets in the answer".to_owned())
        }
        _ if remaining.iter().any(|&r| r <= 0.0) => QuotaFinding::Exhausted,
        _ => QuotaFinding::Room,
    }
}

#[cfg(test)]
mod tests {
    use super::{judge, judge_buckets, QuotaFinding};
    use crate::codeassist::Bucket;
    use serde_json::json;

    #[test]
    fn room_only_when_every_window_reported_has_it() {
        let room = json!({"five_hour": {"utilization": 40.0, "resets_at": "x"},
                          "seven_day": {"utilization": 99.0}, "seven_day_opus": null});
        assert_eq!(judge(&room), QuotaFinding::Room);
        let out = json!({"five_hour": {"utilization": 100.0}, "seven_day": {"utilization": 3.0}});
        assert_eq!(judge(&out), QuotaFinding::Exhausted);
        assert!(matches!(
            judge(&json!({"error": "x"})),
            QuotaFinding::Unreadable(_)
        ));
    }

    #[test]
    fn buckets_have_room_only_when_none_is_spent() {
        let bucket = |r: Option<f64>| Bucket {
            remaining_fraction: r,
            ..Bucket::default()
        };
        assert_eq!(
            judge_buckets(&[bucket(Some(0.2)), bucket(None)]),
            QuotaFinding::Room
        );
        assert_eq!(
            judge_buckets(&[bucket(Some(0.2)), bucket(Some(0.0))]),
            QuotaFinding::Exhausted
        );
        assert!(matches!(judge_buckets(&[]), QuotaFinding::Unreadable(_)));
    }
}
