//! round-robin: each request starts one account further along.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::Strategy;
use crate::config::BalanceConfig;
use crate::state::Account;

#[derive(Default)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl RoundRobin {
    /// The next turn; also used by other strategies to break ties fairly.
    pub fn turn(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed)
    }
}

impl Strategy for RoundRobin {
    fn order(&self, group: &mut [&Arc<Account>], _now_ms: u64, _cfg: &BalanceConfig) {
        if !group.is_empty() {
            let start = self.turn() % group.len();
            group.rotate_left(start);
        }
    }
}
