//! Cluster mode: a cool-down, an open circuit or a benched model family one node learns
//! from an upstream answer is announced (through Redis) and applied by every other node,
//! so a rate-limited account is not tried again by each node in turn (and an address
//! one node locks out for failed key attempts is locked out on all); the subscription
//! windows the answers report are exchanged with every heartbeat, newest winning, so
//! `soonest-reset`, `--pause-at` and the quota alerts see the cluster's traffic.

use crate::model::{AccountEvent, AccountState, CoolReason};
use crate::state::{Gateway, QuotaWindows};
use crate::store::hot::{Announcement, SharedCool};

/// What to tell the other nodes about `event` on account `id`, if it is a cool-down.
pub fn announcement(id: &str, event: &AccountEvent) -> Option<SharedCool> {
    let until_ms = event.until_ms?;
    let (family, reason) = match event.state {
        AccountState::CoolingDown => (None, event.reason.clone()),
        AccountState::CircuitOpen => (None, CoolReason::CircuitOpen.as_str().to_owned()),
        AccountState::RateLimited => {
            let (family, why) = event.reason.split_once(": ")?;
            (Some(family.to_owned()), why.to_owned())
        }
        _ => return None,
    };
    Some(SharedCool {
        account: id.to_owned(),
        family,
        until_ms,
        reason,
        node: String::new(),
    })
}

/// Applies what the other nodes announce to this node's accounts and address rules,
/// until the announcements stop.
pub async fn apply_announced(
    gateway: Gateway,
    admission: std::sync::Arc<crate::admission::Admission>,
    mut announced: tokio::sync::mpsc::Receiver<Announcement>,
) {
    while let Some(announcement) = announced.recv().await {
        let cool = match announcement {
            Announcement::Cool(cool) => cool,
            Announcement::Lockout(lockout) => {
                if let Ok(ip) = lockout.ip.parse() {
                    admission.lock_out(ip, lockout.until_ms);
                    tracing::info!(client.ip = %lockout.ip, until_ms = lockout.until_ms, from = %lockout.node, "address locked out by another node");
                }
                continue;
            }
        };
        let now = gateway.clock().now_millis();
        let snapshot = gateway.snapshot();
        let Some(account) = snapshot.accounts.iter().find(|a| *a.id == *cool.account) else {
            continue;
        };
        let why = CoolReason::from_name(&cool.reason).unwrap_or(CoolReason::RateLimited);
        let applied = match &cool.family {
            Some(family) => account.runtime.bench_model(family, cool.until_ms, now),
            None => account.runtime.cool_until(cool.until_ms, now, why),
        };
        if applied {
            tracing::info!(account = %cool.account, family = ?cool.family, reason = %cool.reason, until_ms = cool.until_ms, from = %cool.node, "cool-down learnt by another node applied");
        }
    }
}

/// Offers the windows this node's answers reported since and takes the newer ones the
/// other nodes saw (one round trip; nothing when Redis is away).
pub async fn exchange_windows(gateway: &Gateway, hot: &crate::store::hot::Hot, since_ms: u64) {
    let snapshot = gateway.snapshot();
    let mine: Vec<(String, u64, String)> = snapshot
        .accounts
        .iter()
        .filter_map(|a| {
            let windows = a.runtime.quota.load_full()?;
            (windows.seen_at_ms > since_ms).then_some(())?;
            let json = serde_json::to_string(&*windows).ok()?;
            Some((a.id.to_string(), windows.seen_at_ms, json))
        })
        .collect();
    let Some(all) = hot.exchange_windows(&mine).await else {
        return;
    };
    for (account, seen_at_ms, json) in all {
        let Some(a) = snapshot.accounts.iter().find(|a| *a.id == *account) else {
            continue;
        };
        let newer = a
            .runtime
            .quota
            .load()
            .as_ref()
            .is_none_or(|have| have.seen_at_ms < seen_at_ms);
        if let (true, Ok(windows)) = (newer, serde_json::from_str::<QuotaWindows>(&json)) {
            a.runtime.quota.store(Some(std::sync::Arc::new(windows)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cool_downs_and_benches_are_announced_and_nothing_else() {
        let cooling = AccountEvent::new(5, AccountState::CoolingDown, "rate limited", Some(9));
        let cool = announcement("acc", &cooling).unwrap();
        assert_eq!(
            (cool.family, cool.until_ms, cool.reason.as_str()),
            (None, 9, "rate limited")
        );
        let bench = AccountEvent::new(
            5,
            AccountState::RateLimited,
            "sonnet: quota exhausted",
            Some(9),
        );
        let cool = announcement("acc", &bench).unwrap();
        assert_eq!(cool.family.as_deref(), Some("sonnet"));
        assert_eq!(cool.reason, "quota exhausted");
        let open = AccountEvent::new(
            5,
            AccountState::CircuitOpen,
            "circuit open after 5 failures",
            Some(9),
        );
        assert_eq!(announcement("acc", &open).unwrap().reason, "circuit open");
        let back = AccountEvent::new(5, AccountState::Active, "circuit closed", None);
        assert_eq!(announcement("acc", &back), None);
    }
}
