//! Cluster mode: a key's spend budgets, windows, per-second bucket, in-flight cap and
//! token budgets are decided for the whole cluster by Redis (`store::hot`), in one round
//! trip (or, for a busy key limited only by windows and in flight, from a lease taken
//! ahead: [`super::lease`]), with the cost and tokens settled there when the answer ends.
//! Redis away, the caller falls back to the node-local admission (degraded: each node
//! counts alone).

use std::sync::Arc;

use super::spend::{self, BudgetUse, Crossed, Period};
use super::{Admission, BudgetAlert, Permit, Refusal, MINUTE};
use crate::model::{Failure, RateLimit, SpendBudgets};
use crate::store::hot::{Hot, HotCost, HotLimits, HotVerdict};

/// What an admitted answer holds in Redis, given back when its permit drops.
pub(super) struct SharedHold {
    hot: Arc<Hot>,
    incarnation: Arc<String>,
    slot: bool,
    reservation: Option<u64>,
    /// The cost reserved, the key's budgets, the fraction that alerts, and when
    /// admitted (the periods the cost counts in).
    cost: Option<(u64, SpendBudgets, f64, u64)>,
}

impl SharedHold {
    /// What a leased admission holds: its in-flight slot, if it took one.
    pub(super) fn leased(hot: Arc<Hot>, incarnation: Arc<String>, slot: bool) -> Self {
        Self {
            hot,
            incarnation,
            slot,
            reservation: None,
            cost: None,
        }
    }

    /// Whether the answer's cost is wanted.
    pub(super) fn wants_cost(&self) -> bool {
        self.cost.is_some()
    }

    /// Gives the hold back (in the background), counting `spent` (tokens, cost) if the
    /// answer ended; budgets that crossed the alert fraction go to `admission`.
    pub(super) fn release(
        self,
        admission: Arc<Admission>,
        key: Arc<str>,
        spent: Option<(u64, u64)>,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let cost = match self.cost {
                Some((reserved, budgets, alert_at, at_ms)) => HotCost {
                    reservation: Some(reserved),
                    spent: spent.map(|(_, cost)| cost),
                    alert_at,
                    periods: Period::ALL
                        .map(|p| (p.field(p.bounds(at_ms).0), p.limit(&budgets)))
                        .to_vec(),
                },
                None => HotCost::default(),
            };
            let tokens = spent.map(|(tokens, _)| tokens);
            let crossed = self
                .hot
                .settle(
                    &key,
                    &self.incarnation,
                    self.slot,
                    self.reservation,
                    tokens,
                    &cost,
                )
                .await;
            let alerts: Vec<BudgetAlert> = crossed
                .into_iter()
                .filter_map(|(index, micros)| {
                    let period = *Period::ALL.get(index)?;
                    let limit = cost.periods.get(index)?.1;
                    let crossed = Crossed {
                        period,
                        micros,
                        limit,
                    };
                    Some(BudgetAlert {
                        key: Arc::clone(&key),
                        crossed,
                    })
                })
                .collect();
            if !alerts.is_empty() {
                admission
                    .budget_alerts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(alerts);
            }
        });
    }
}

fn hot_limits(l: &RateLimit, now_ms: u64) -> (HotLimits, Vec<Period>) {
    let budgeted: Vec<Period> = Period::ALL
        .into_iter()
        .filter(|p| p.limit(&l.budget_usd) > 0)
        .collect();
    let spend = budgeted
        .iter()
        .map(|p| {
            let (start, end) = p.bounds(now_ms);
            let resets_in = end.map_or(0, |end| end.saturating_sub(now_ms));
            (p.field(start), p.limit(&l.budget_usd), resets_in)
        })
        .collect();
    let limits = HotLimits {
        requests_per_minute: u64::from(l.requests_per_minute),
        requests_per_hour: u64::from(l.requests_per_hour),
        requests_per_second: u64::from(l.requests_per_second),
        burst: u64::from(l.burst),
        max_in_flight: u64::from(l.max_concurrent),
        tokens_per_minute: l.tokens_per_minute,
        tokens_per_day: l.tokens_per_day,
        spend,
    };
    (limits, budgeted)
}

/// The refusal for the limit a script named.
fn refusal(code: u8, wait_ms: u64, limit: u64) -> Refusal {
    let (kind, message) = match code {
        1 => (
            Failure::Concurrency,
            format!("this key may have {limit} requests in flight"),
        ),
        2 | 3 => {
            let per = if code == 2 { "minute" } else { "day" };
            (
                Failure::TokenBudget,
                format!("this key's budget of {limit} tokens per {per} is used up"),
            )
        }
        4 | 5 => {
            let per = if code == 4 { "minute" } else { "hour" };
            (
                Failure::RateLimited,
                format!("this key is limited to {limit} requests per {per}"),
            )
        }
        _ => (
            Failure::RateLimited,
            format!("this key is limited to {limit} requests per second"),
        ),
    };
    Refusal::limited(kind, message, wait_ms, limit)
}

impl Admission {
    /// An admission whose key limits are shared through `hot`; with `leasing`, a busy
    /// key's admissions are leased ahead ([`super::lease`]).
    pub fn shared(hot: Arc<Hot>, leasing: bool) -> Self {
        Self {
            hot: Some(hot),
            leasing,
            ..Self::default()
        }
    }

    /// Cluster mode with Redis: the shared state's handle.
    pub fn hot(&self) -> Option<&Arc<Hot>> {
        self.hot.as_ref()
    }

    /// Whether limits are shared right now (cluster mode with Redis answering).
    pub fn sharing(&self) -> Option<bool> {
        self.hot.as_ref().map(|h| h.up())
    }

    /// Admits `key_id` for the whole cluster; `None` when this node must decide alone
    /// (no Redis, or Redis did not answer).
    pub async fn admit_key_shared(
        self: &Arc<Self>,
        key_id: &Arc<str>,
        limits: &RateLimit,
        now_ms: u64,
        (storm_at, alert_at): (u32, f64),
    ) -> Option<Result<Option<Permit>, Refusal>> {
        let hot = self.hot.as_ref().filter(|h| h.up())?;
        if !limits.any() {
            return Some(Ok(None));
        }
        if let Some(admitted) = self.from_lease(hot, key_id, limits, now_ms) {
            return Some(Ok(admitted));
        }
        let (shared, budgeted) = hot_limits(limits, now_ms);
        let verdict = hot.admit(key_id, &shared).await?;
        self.decisions.round_trips.inc();
        let (incarnation, reservation, cost_reservation) = match verdict {
            HotVerdict::Admitted {
                incarnation,
                reservation,
                cost_reservation,
            } => (incarnation, reservation, cost_reservation),
            HotVerdict::Refused {
                code,
                wait_ms,
                limit,
                budget,
            } => {
                let mut refused = match (code, budgeted.get(budget)) {
                    (7, Some(period)) => {
                        let end = period.bounds(now_ms).1;
                        spend::refusal(*period, limit, wait_ms, end)
                    }
                    _ => refusal(code, wait_ms, limit),
                };
                refused.storm = self.count_refusal(key_id, now_ms, storm_at);
                return Some(Err(refused));
            }
        };
        let hold = SharedHold {
            hot: Arc::clone(hot),
            incarnation,
            slot: shared.max_in_flight > 0,
            reservation,
            cost: cost_reservation.map(|c| (c, limits.budget_usd, alert_at, now_ms)),
        };
        Some(Ok(self.shared_permit(key_id, hold)))
    }

    /// The permit for what an admitted answer holds in Redis; `None` when it holds
    /// nothing.
    pub(super) fn shared_permit(
        self: &Arc<Self>,
        key_id: &Arc<str>,
        hold: SharedHold,
    ) -> Option<Permit> {
        if !hold.slot && hold.reservation.is_none() && hold.cost.is_none() {
            return None;
        }
        Some(Permit {
            admission: Arc::clone(self),
            key: Arc::clone(key_id),
            in_flight: false,
            reserved: None,
            reserved_cost: None,
            spent: None,
            shared: Some(hold),
        })
    }

    /// Each of `key`'s spend budgets as it stands now: for the whole cluster in cluster
    /// mode with Redis answering, otherwise on this node.
    pub async fn budgets_now(
        &self,
        key: &str,
        budgets: &SpendBudgets,
        now_ms: u64,
    ) -> Vec<BudgetUse> {
        let shared = match (&self.hot, budgets.is_none()) {
            (Some(hot), false) => hot.spend(key).await,
            _ => None,
        };
        let Some((spent, reserved)) = shared else {
            return self.budgets(key, budgets, now_ms);
        };
        Period::ALL
            .into_iter()
            .filter(|p| p.limit(budgets) > 0)
            .map(|period| {
                let (start, resets_at_ms) = period.bounds(now_ms);
                let field = period.field(start);
                BudgetUse {
                    period,
                    limit: period.limit(budgets),
                    spent: spent
                        .iter()
                        .find(|(f, _)| *f == field)
                        .map_or(0, |(_, v)| *v),
                    reserved,
                    resets_at_ms,
                }
            })
            .collect()
    }

    /// Raises `key`'s spend in the cluster's Redis to at least what the ledger counted:
    /// (period, its start, micro-dollars). Nothing on a single node.
    pub async fn seed_shared_spend(&self, key: &str, spent: &[(Period, u64, u64)]) {
        let Some(hot) = &self.hot else {
            return;
        };
        let fields: Vec<(String, u64)> = spent
            .iter()
            .map(|&(period, start, micros)| (period.field(start), micros))
            .collect();
        hot.seed_spend(key, &fields).await;
    }

    /// Counts a refusal of `key_id` in this node's minute; true when it reaches
    /// `storm_at` (a storm to report).
    fn count_refusal(&self, key_id: &Arc<str>, now_ms: u64, storm_at: u32) -> bool {
        self.keys.with(key_id, |s| {
            s.last_ms = now_ms;
            let before = s.refusals.used(now_ms, MINUTE);
            s.refusals.add(now_ms, MINUTE, 1);
            let at = u64::from(storm_at);
            storm_at > 0 && before < at && before + 1 >= at
        })
    }
}
