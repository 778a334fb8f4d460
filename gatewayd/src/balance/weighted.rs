//! weighted-round-robin, the smooth variant: every turn each account gains its weight,
//! the richest is chosen and pays the total back. An account of weight 3 next to one of
//! weight 1 serves 3 of every 4 requests, interleaved rather than in bursts.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use super::{Strategy, Turn};
use crate::config::BalanceConfig;
use crate::state::Account;

#[derive(Default)]
pub struct Weighted {
    /// Makes one turn (read, choose, pay back) atomic across the group.
    turn: Mutex<()>,
}

impl Strategy for Weighted {
    fn order(&self, group: &mut [&Arc<Account>], _now_ms: u64, _cfg: &BalanceConfig, turn: Turn) {
        if group.len() < 2 {
            return;
        }
        let current = |a: &Account| a.runtime.wrr_current.load(Ordering::Relaxed);
        if turn == Turn::Peek {
            // The order the next turn would give, changing nothing.
            group.sort_by_key(|a| std::cmp::Reverse(current(a) + i64::from(a.weight)));
            return;
        }
        let total: i64 = group.iter().map(|a| i64::from(a.weight)).sum();
        let _turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        for a in group.iter() {
            a.runtime
                .wrr_current
                .fetch_add(i64::from(a.weight), Ordering::Relaxed);
        }
        // Richest first; the rest are the failover order.
        group.sort_by_key(|a| std::cmp::Reverse(current(a)));
        group[0]
            .runtime
            .wrr_current
            .fetch_sub(total, Ordering::Relaxed);
    }

    fn describe(&self, account: &Account, _now_ms: u64) -> String {
        let current = account.runtime.wrr_current.load(Ordering::Relaxed);
        format!("weight {}, credit {current}", account.weight)
    }
}
