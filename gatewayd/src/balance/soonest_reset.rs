//! soonest-reset: use it before you lose it. A subscription's quota left in a window is
//! gone when the window resets, so the account whose window resets soonest while it
//! still has room goes first: the score is the share of its binding window left per
//! hour until that reset. Subscriptions whose windows are not known yet count as a fresh
//! 5-hour window (so they are tried and learnt); API-key accounts, which bill per token
//! and lose nothing by waiting, come after every subscription. Ties go to the account
//! with fewer requests in flight, then round-robin.

use std::sync::Arc;

use super::round_robin::RoundRobin;
use super::{Strategy, Turn};
use crate::config::BalanceConfig;
use crate::state::Account;

/// A window of unknown reset is taken as resetting this far ahead.
const FRESH_WINDOW_MS: u64 = 5 * 3_600_000;

#[derive(Default)]
pub struct SoonestReset {
    ties: RoundRobin,
}

/// The window that binds an account: the most used one the upstream last reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub window: String,
    /// 0..1.
    pub used: f64,
    /// Unix ms.
    pub resets_at_ms: Option<u64>,
}

/// The binding window of a subscription, if its windows are known.
pub fn binding(account: &Account) -> Option<Binding> {
    let quota = account.runtime.quota.load();
    let windows = &quota.as_ref()?.windows;
    windows
        .iter()
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(name, _, used, reset)| Binding {
            window: name.clone(),
            used: *used,
            resets_at_ms: reset.map(|secs| secs * 1000),
        })
}

/// The share of the binding window left per hour until it resets; `None` for an
/// account that is not a subscription.
fn score(account: &Account, now_ms: u64) -> Option<f64> {
    account.oauth.as_ref()?;
    let (left, reset_in_ms) = match binding(account) {
        Some(b) => (
            (1.0 - b.used).max(0.0),
            b.resets_at_ms
                .map_or(FRESH_WINDOW_MS, |at| at.saturating_sub(now_ms)),
        ),
        None => (1.0, FRESH_WINDOW_MS),
    };
    // A quarter of an hour is added so a window about to reset is not infinitely urgent.
    Some(left / (reset_in_ms as f64 / 3_600_000.0 + 0.25))
}

impl Strategy for SoonestReset {
    fn order(&self, group: &mut [&Arc<Account>], now_ms: u64, cfg: &BalanceConfig, turn: Turn) {
        self.ties.order(group, now_ms, cfg, turn);
        let mut scored: Vec<(f64, u32, &Arc<Account>)> = group
            .iter()
            .map(|a| (score(a, now_ms).unwrap_or(-1.0), a.runtime.in_flight(), *a))
            .collect();
        // Stable: equal scores and loads keep the round-robin order.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (slot, (_, _, account)) in group.iter_mut().zip(scored) {
            *slot = account;
        }
    }

    fn describe(&self, account: &Account, now_ms: u64) -> String {
        let Some(score) = score(account, now_ms) else {
            return "API key: after every subscription".to_owned();
        };
        match binding(account) {
            None => format!("{score:.3}: windows not known yet (taken as fresh)"),
            Some(b) => {
                let reset = b.resets_at_ms.map_or_else(
                    || "at an unknown time".to_owned(),
                    |at| format!("in {} min", at.saturating_sub(now_ms) / 60_000),
                );
                let used = b.used * 100.0;
                format!("{score:.3}: {} {used:.0}% used, resets {reset}", b.window)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::SoonestReset;
    use crate::balance::{Strategy, Turn};
    use crate::config::BalanceConfig;
    use crate::state::testing::{account, subscription};

    #[test]
    fn the_window_that_resets_soonest_with_room_goes_first() {
        let now = 1_000_000_000;
        let hour = 3_600;
        let at = |h: u64| Some(now / 1000 + h * hour);
        // Half left, resetting in an hour, beats 90% left resetting in four.
        let soon = subscription("soon", &[("5h", 0.5, at(1))]);
        let later = subscription("later", &[("5h", 0.1, at(4))]);
        let spent = subscription("spent", &[("5h", 1.0, at(1))]);
        let unknown = subscription("unknown", &[]);
        let key = account("key", 1);
        let all: Vec<Arc<_>> = vec![key, spent, later, unknown, soon];
        let mut group: Vec<_> = all.iter().collect();
        SoonestReset::default().order(&mut group, now, &BalanceConfig::default(), Turn::Take);
        let order: Vec<&str> = group.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(order, ["soon", "later", "unknown", "spent", "key"]);
    }
}
