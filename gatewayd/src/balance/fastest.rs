//! fastest-response: the lowest moving average of time to response headers first.
//! Accounts never measured go first, and one request in `explore_every` goes to the
//! account measured longest ago, so one that was slow (or down) and recovered is seen
//! again.

use std::sync::Arc;

use super::round_robin::RoundRobin;
use super::{Strategy, Turn};
use crate::config::BalanceConfig;
use crate::state::Account;

#[derive(Default)]
pub struct Fastest {
    turns: RoundRobin,
}

impl Strategy for Fastest {
    fn order(&self, group: &mut [&Arc<Account>], _now_ms: u64, cfg: &BalanceConfig, turn: Turn) {
        let turn = self.turns.turn(turn);
        // Never measured: 0, so first.
        group.sort_by_key(|a| a.runtime.latency().map_or(0, |(ewma, _)| ewma));
        let explore = turn % cfg.explore_every.max(1) as usize == 0;
        if explore && group.len() > 1 {
            let stalest = (0..group.len())
                .min_by_key(|&i| group[i].runtime.latency().map_or(0, |(_, seen)| seen))
                .unwrap_or(0);
            group[..=stalest].rotate_right(1);
        }
    }

    fn describe(&self, account: &Account, _now_ms: u64) -> String {
        account.runtime.latency().map_or_else(
            || "never measured".to_owned(),
            |(us, _)| format!("{:.1} ms to headers", us as f64 / 1000.0),
        )
    }
}
