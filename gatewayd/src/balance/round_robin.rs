//! round-robin: each request starts one account further along.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::{Strategy, Turn};
use crate::config::BalanceConfig;
use crate::state::Account;

#[derive(Default)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl RoundRobin {
    /// The next turn (taken, or only looked at); also used by other strategies to break
    /// ties fairly.
    pub fn turn(&self, turn: Turn) -> usize {
        match turn {
            Turn::Take => self.next.fetch_add(1, Ordering::Relaxed),
            Turn::Peek => self.next.load(Ordering::Relaxed),
        }
    }
}

impl Strategy for RoundRobin {
    fn order(&self, group: &mut [&Arc<Account>], _now_ms: u64, _cfg: &BalanceConfig, turn: Turn) {
        if !group.is_empty() {
            let start = self.turn(turn) % group.len();
            group.rotate_left(start);
        }
    }

    fn describe(&self, _account: &Account, _now_ms: u64) -> String {
        "takes its turn".to_owned()
    }
}
