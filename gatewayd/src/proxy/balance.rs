//! Balance: the order in which accounts are tried for one request. Lower priority
//! numbers first; within a priority group, round robin, so failover moves on to the
//! next account of the group and then to the next group.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use gateway_shared::provider::Provider;

use crate::state::{Account, Snapshot};

/// Round-robin position; shared by all requests.
#[derive(Default)]
pub struct Balancer {
    next: AtomicUsize,
}

impl Balancer {
    /// Usable accounts of `provider`, in the order to try them, at most `limit`.
    pub fn plan(
        &self,
        snapshot: &Snapshot,
        provider: Provider,
        model: Option<&str>,
        now_ms: u64,
        limit: usize,
    ) -> Vec<Arc<Account>> {
        let turn = self.next.fetch_add(1, Ordering::Relaxed);
        let usable: Vec<&Arc<Account>> = snapshot
            .accounts
            .iter()
            .filter(|a| {
                a.provider == provider
                    && a.serves(model)
                    && a.usable(now_ms)
                    && !a.runtime.benched_for(model, now_ms)
            })
            .collect();
        let mut plan = Vec::with_capacity(limit.min(usable.len()));
        // `usable` is sorted by priority: walk it group by group.
        for group in usable.chunk_by(|a, b| a.priority == b.priority) {
            let start = turn % group.len();
            let rotated = group[start..].iter().chain(&group[..start]);
            for account in rotated {
                if plan.len() == limit {
                    return plan;
                }
                plan.push(Arc::clone(account));
            }
        }
        plan
    }
}
