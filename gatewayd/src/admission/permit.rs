//! A key's permit: its in-flight slot and its reservations against the token and spend
//! budgets, held until the answer is over and settled then with the answer's real count
//! and cost (or released, for an answer that never ended).

use std::sync::Arc;

use super::{Admission, KeyWindows, DAY, MINUTE};
use crate::model::SpendBudgets;

/// A key's spend budget that crossed the alert fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetAlert {
    pub key: Arc<str>,
    pub crossed: super::spend::Crossed,
}

/// Holds a key's in-flight slot and its budget reservation until the answer is over.
pub struct Permit {
    pub(super) admission: Arc<Admission>,
    pub(super) key: Arc<str>,
    pub(super) in_flight: bool,
    /// The tokens reserved against the key's budgets (`Some(0)`: not yet measured).
    pub(super) reserved: Option<u64>,
    /// The cost reserved against its spend budgets, with the budgets and the fraction
    /// that alerts.
    pub(super) reserved_cost: Option<(u64, SpendBudgets, f64)>,
    /// The real count and cost, once the answer has ended, and when.
    pub(super) spent: Option<(u64, u64, u64)>,
    /// Cluster mode: what the answer holds in Redis.
    pub(super) shared: Option<super::shared::SharedHold>,
}

impl Permit {
    /// Settles the answer's real token count and cost (micro-dollars) at `now_ms` in
    /// place of its reservations.
    pub fn settle(mut self, tokens: u64, cost_micros: u64, now_ms: u64) {
        self.spent = Some((tokens, cost_micros, now_ms));
    }

    /// Whether the answer's cost is wanted (the key has spend budgets).
    pub fn wants_cost(&self) -> bool {
        self.reserved_cost.is_some() || self.shared.as_ref().is_some_and(|h| h.wants_cost())
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(hold) = self.shared.take() {
            let spent = self.spent.map(|(tokens, cost, _)| (tokens, cost));
            hold.release(Arc::clone(&self.admission), Arc::clone(&self.key), spent);
        }
        if !self.in_flight && self.reserved.is_none() && self.reserved_cost.is_none() {
            return;
        }
        self.admission.keys.with(&self.key, |s| {
            s.in_flight = s.in_flight.saturating_sub(u32::from(self.in_flight));
            if let Some(reserved) = self.reserved {
                s.reserved = s.reserved.saturating_sub(reserved);
                s.unmeasured = s.unmeasured.saturating_sub(u32::from(reserved == 0));
            }
            if let Some((reserved, _, _)) = self.reserved_cost {
                s.reserved_cost = s.reserved_cost.saturating_sub(reserved);
                s.unmeasured_cost = s.unmeasured_cost.saturating_sub(u32::from(reserved == 0));
            }
            // An answer that never ended (refused, failed, abandoned before any count)
            // costs nothing; its reservation is simply released.
            let Some((tokens, cost, now_ms)) = self.spent else {
                return;
            };
            if self.reserved.is_some() {
                spend(&mut s.windows, tokens, now_ms);
            }
            if let Some((_, budgets, alert_at)) = self.reserved_cost {
                let crossed = s.windows.spend.spend(&budgets, cost, now_ms, alert_at);
                if !crossed.is_empty() {
                    let key = Arc::clone(&self.key);
                    let mut alerts = self
                        .admission
                        .budget_alerts
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    alerts.extend(crossed.into_iter().map(|crossed| BudgetAlert {
                        key: Arc::clone(&key),
                        crossed,
                    }));
                }
            }
        });
    }
}

/// Counts `tokens` against the budgets and folds them into the estimate: it rises at
/// once to a costlier answer and falls by an eighth of the gap after a cheaper one.
fn spend(w: &mut KeyWindows, tokens: u64, now_ms: u64) {
    w.tokens_minute.add(now_ms, MINUTE, tokens);
    w.tokens_day.add(now_ms, DAY, tokens);
    w.estimate = Some(match w.estimate {
        Some(e) if tokens < e => e - (e - tokens) / 8,
        _ => tokens,
    });
}
