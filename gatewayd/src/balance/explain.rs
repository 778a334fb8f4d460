//! `route explain`: every account of the pool with where the next request would try it
//! (or why it would not), what the strategy sees in it, and which one would be picked and
//! why. It looks without taking a turn, so explaining changes nothing.

use std::sync::Arc;

use super::{eligible, Balancer, Exclusion, Turn, Want};
use crate::config::{BalanceConfig, StrategyName};
use crate::state::{Account, Snapshot};

/// One account of the pool, as the next request would see it.
pub struct Candidate {
    pub account: Arc<Account>,
    /// Where in the plan (0 = tried first), or why it is left out.
    pub place: Result<usize, Exclusion>,
    /// What the strategy sees in it.
    pub score: String,
}

/// The whole answer.
pub struct Explanation {
    pub strategy: StrategyName,
    pub candidates: Vec<Candidate>,
    /// The account tried first, if any.
    pub picked: Option<Arc<Account>>,
    pub why: String,
}

impl Balancer {
    /// How a new conversation (no sticky pin) for `want` would be placed now.
    pub fn explain(
        &self,
        snapshot: &Snapshot,
        want: &Want<'_>,
        now_ms: u64,
        cfg: &BalanceConfig,
    ) -> Explanation {
        let (strategy, describe) = self.strategy(want.provider, cfg);
        let plan = self.order(snapshot, want, now_ms, cfg, None, Turn::Peek);
        let candidates: Vec<Candidate> = snapshot
            .accounts
            .iter()
            .filter(|a| a.provider == want.provider)
            .map(|a| Candidate {
                account: Arc::clone(a),
                place: match plan.iter().position(|p| Arc::ptr_eq(p, a)) {
                    Some(at) => Ok(at),
                    None => Err(eligible::check(a, want, now_ms)
                        .err()
                        .or_else(|| eligible::paused(a))
                        .unwrap_or(Exclusion::Full)),
                },
                score: describe.describe(a, now_ms),
            })
            .collect();
        let picked = plan.first().cloned();
        let why = match &picked {
            Some(first) => {
                let peers = plan.iter().filter(|a| a.priority == first.priority).count();
                format!(
                    "first of the best usable priority group ({}, {peers} usable) in {} order: {}",
                    first.priority,
                    strategy.as_str(),
                    describe.describe(first, now_ms)
                )
            }
            None if candidates.is_empty() => "no account of this type in the pool".to_owned(),
            None => "no account can take it now: see why each is left out".to_owned(),
        };
        Explanation {
            strategy,
            candidates,
            picked,
            why,
        }
    }
}
