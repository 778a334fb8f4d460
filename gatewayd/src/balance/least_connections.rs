//! least-connections: the account with the fewest requests in flight first; ties in
//! round-robin order, so equally idle accounts share the load.

use std::sync::Arc;

use super::round_robin::RoundRobin;
use super::{Strategy, Turn};
use crate::config::BalanceConfig;
use crate::state::Account;

#[derive(Default)]
pub struct LeastConnections {
    ties: RoundRobin,
}

impl Strategy for LeastConnections {
    fn order(&self, group: &mut [&Arc<Account>], now_ms: u64, cfg: &BalanceConfig, turn: Turn) {
        self.ties.order(group, now_ms, cfg, turn);
        group.sort_by_key(|a| a.runtime.in_flight());
    }

    fn describe(&self, account: &Account, _now_ms: u64) -> String {
        format!("{} in flight", account.runtime.in_flight())
    }
}
