//! Balance: the order in which accounts are tried for one request. Lower priority
//! numbers first: a group is reached only when every account of the groups before it is
//! unusable. Within a group, the pool's strategy orders the accounts, after the account a
//! sticky conversation is pinned to. Failover walks the plan in order. Shared by the data
//! plane (plans) and the control plane (`route explain`, which looks without taking a
//! turn).

mod eligible;
mod explain;
mod fastest;
mod least_connections;
mod round_robin;
mod soonest_reset;
mod sticky;
#[cfg(test)]
mod tests;
mod weighted;

use std::sync::Arc;

use gateway_shared::provider::Provider;

pub use eligible::Exclusion;
pub use soonest_reset::binding;

use crate::config::{BalanceConfig, StrategyName};
use crate::model::Client;
use crate::state::{Account, Snapshot};

/// Whether ordering a group takes a turn (a request) or only looks (`route explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Take,
    Peek,
}

/// One way to order a priority group. A new strategy is one more file.
pub trait Strategy: Send + Sync {
    /// Puts `group` (usable accounts of one priority) in the order to try them.
    fn order(&self, group: &mut [&Arc<Account>], now_ms: u64, cfg: &BalanceConfig, turn: Turn);

    /// What this strategy sees in `account`, for `route explain`.
    fn describe(&self, account: &Account, now_ms: u64) -> String;
}

/// The strategies (each keeps its own state across config reloads) and the sticky table.
#[derive(Default)]
pub struct Balancer {
    round_robin: round_robin::RoundRobin,
    weighted: weighted::Weighted,
    least_connections: least_connections::LeastConnections,
    fastest: fastest::Fastest,
    soonest_reset: soonest_reset::SoonestReset,
    sessions: sticky::Sessions,
}

/// What one plan is for.
pub struct Want<'a> {
    pub provider: Provider,
    /// Who sent it: an account serves only the clients its rule admits.
    pub client: Client,
    pub model: Option<&'a str>,
    /// The conversation, for sticky sessions.
    pub session: Option<u64>,
    /// At most this many accounts.
    pub limit: usize,
}

impl Balancer {
    /// Usable accounts for `want`, in the order to try them.
    pub fn plan(
        &self,
        snapshot: &Snapshot,
        want: &Want<'_>,
        now_ms: u64,
        cfg: &BalanceConfig,
    ) -> Vec<Arc<Account>> {
        let pinned = want
            .session
            .filter(|_| cfg.sticky_sessions)
            .and_then(|s| self.sessions.get(s, now_ms, cfg.session_ttl));
        self.order(snapshot, want, now_ms, cfg, pinned.as_deref(), Turn::Take)
    }

    /// The plan's order; `pinned` is the account a conversation is pinned to.
    fn order(
        &self,
        snapshot: &Snapshot,
        want: &Want<'_>,
        now_ms: u64,
        cfg: &BalanceConfig,
        pinned: Option<&str>,
        turn: Turn,
    ) -> Vec<Arc<Account>> {
        let usable: Vec<&Arc<Account>> = snapshot
            .accounts
            .iter()
            .filter(|a| {
                a.provider == want.provider
                    && eligible::check(a, want, now_ms).is_ok()
                    // A paused account keeps the conversations it has; it takes no new ones.
                    && (eligible::paused(a).is_none() || Some(&*a.id) == pinned)
            })
            .collect();
        let strategy = self.strategy(want.provider, cfg).1;
        let mut plan = Vec::with_capacity(want.limit.min(usable.len()));
        // `usable` is sorted by priority: walk it group by group.
        for group in usable.chunk_by(|a, b| a.priority == b.priority) {
            let mut group = group.to_vec();
            strategy.order(&mut group, now_ms, cfg, turn);
            // A pinned conversation stays on its account while that account is in the
            // best usable group.
            if plan.is_empty() {
                if let Some(at) = group.iter().position(|a| Some(&*a.id) == pinned) {
                    group[..=at].rotate_right(1);
                }
            }
            for account in group {
                if plan.len() == want.limit {
                    return plan;
                }
                plan.push(Arc::clone(account));
            }
        }
        plan
    }

    /// When the first account that could serve `want` but is cooling down (or has the
    /// model's family benched) comes back; `None` when none will by itself (every one is
    /// failed, disabled, draining or absent).
    pub fn next_free(snapshot: &Snapshot, want: &Want<'_>, now_ms: u64) -> Option<u64> {
        snapshot
            .accounts
            .iter()
            .filter(|a| {
                a.provider == want.provider
                    && a.serves(want.model)
                    && a.clients.admit(want.client)
                    && a.status == crate::model::AccountStatus::Active
                    && !a.draining
                    && !a.runtime.failed()
            })
            .filter_map(|a| {
                let cooling = a.runtime.cooling_until(now_ms);
                match (cooling, a.runtime.benched_until(want.model, now_ms)) {
                    (None, None) => None,
                    (a, b) => a.max(b),
                }
            })
            .min()
    }

    /// Whether an enabled account could serve `want` but for its client rule.
    pub fn refuses_client(snapshot: &Snapshot, want: &Want<'_>) -> bool {
        snapshot.accounts.iter().any(|a| {
            a.provider == want.provider
                && a.serves(want.model)
                && a.status == crate::model::AccountStatus::Active
                && !a.clients.admit(want.client)
        })
    }

    /// Pins the conversation to the account that served it. True when the pin is worth
    /// sharing with the other nodes of a cluster (new, moved, or not shared lately).
    pub fn served(
        &self,
        session: Option<u64>,
        account: &Account,
        now_ms: u64,
        cfg: &BalanceConfig,
    ) -> bool {
        session
            .filter(|_| cfg.sticky_sessions)
            .is_some_and(|s| self.sessions.pin(s, &account.id, now_ms, cfg.session_ttl))
    }

    /// Whether this node knows where conversation `session` is pinned.
    pub fn knows(&self, session: u64, now_ms: u64, cfg: &BalanceConfig) -> bool {
        self.sessions
            .get(session, now_ms, cfg.session_ttl)
            .is_some()
    }

    /// Takes in a pin another node of the cluster made.
    pub fn adopt(&self, session: u64, account: &str, now_ms: u64, cfg: &BalanceConfig) {
        self.sessions.pin(session, account, now_ms, cfg.session_ttl);
    }

    /// The pool's strategy, by name and by implementation.
    fn strategy(&self, provider: Provider, cfg: &BalanceConfig) -> (StrategyName, &dyn Strategy) {
        let name = match provider {
            Provider::ClaudeCode => cfg.claude_code,
            Provider::GeminiCli => cfg.gemini_cli,
        }
        .unwrap_or(cfg.strategy);
        let strategy: &dyn Strategy = match name {
            StrategyName::RoundRobin => &self.round_robin,
            StrategyName::WeightedRoundRobin => &self.weighted,
            StrategyName::LeastConnections => &self.least_connections,
            StrategyName::FastestResponse => &self.fastest,
            StrategyName::SoonestReset => &self.soonest_reset,
        };
        (name, strategy)
    }
}
