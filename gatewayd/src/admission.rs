//! Admission: whether a request may proceed, decided before any body is read or upstream
//! touched. Per key: sliding-window requests per minute and hour, a token bucket
//! (sustained rate plus burst, GCRA via `governor`), token budgets per minute and day, and
//! a cap on requests in flight. A budget reserves the key's usual cost at admission and
//! settles the real count when the answer ends, so parallel requests see each other; spend
//! budgets in dollars do the same with the answer's cost ([`spend`]). Per client IP: the
//! allow and deny lists, a sliding
//! window, a token bucket, and a lock-out after repeated failed key attempts. Each check
//! and its count happen under one short lock, so concurrent requests never get past a
//! limit together. State is constant-size per active key or IP and idle entries are swept;
//! key windows and budgets are saved to the store and survive a restart.

mod ip;
mod lease;
mod permit;
mod shards;
mod shared;
pub mod spend;
mod standing;
mod window;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

pub use ip::{admits, parse_net, IpRules};
pub use lease::SharedDecisions;
pub use permit::{BudgetAlert, Permit};
use shards::Shards;
pub use window::Window;

use crate::config::LimitsConfig;
use crate::model::{Failure, RateLimit, SpendBudgets};
use spend::SpendWindows;

const MINUTE: u64 = 60_000;
const HOUR: u64 = 3_600_000;
const DAY: u64 = 86_400_000;

/// Why a request was turned away, with what the client needs to back off.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// 429 for limits, 403 for address rules.
    pub status: u16,
    pub message: String,
    /// What kind of refusal, for stats and security events.
    pub kind: Failure,
    pub retry_after_secs: Option<u64>,
    /// The binding limit, what is left of it, and seconds until it resets.
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub reset_secs: Option<u64>,
    /// This refusal made the key's refusals in a minute reach the storm threshold.
    pub storm: bool,
}

impl Refusal {
    fn limited(kind: Failure, message: String, wait_ms: u64, limit: u64) -> Self {
        let secs = wait_ms.div_ceil(1000).max(1);
        Self {
            status: 429,
            message,
            kind,
            retry_after_secs: Some(secs),
            limit: Some(limit),
            remaining: Some(0),
            reset_secs: Some(secs),
            storm: false,
        }
    }

    /// An address the rules refuse.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: 403,
            message: message.into(),
            kind: Failure::IpDenied,
            retry_after_secs: None,
            limit: None,
            remaining: None,
            reset_secs: None,
            storm: false,
        }
    }
}

/// A key's counters; saved across restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyWindows {
    pub requests_minute: Window,
    pub requests_hour: Window,
    pub tokens_minute: Window,
    pub tokens_day: Window,
    /// What one of the key's answers usually costs, reserved against its budgets at
    /// admission; `None` until one has been measured.
    #[serde(default)]
    pub estimate: Option<u64>,
    /// Dollars spent per period, and the usual cost of an answer.
    #[serde(default, skip_serializing_if = "is_default")]
    pub spend: SpendWindows,
}

fn is_default(spend: &SpendWindows) -> bool {
    *spend == SpendWindows::default()
}

#[derive(Default)]
struct KeyState {
    windows: KeyWindows,
    /// Refusals in the sliding minute, to tell a storm.
    refusals: Window,
    in_flight: u32,
    /// Tokens reserved by admitted answers not yet settled.
    reserved: u64,
    /// Admitted answers not yet settled while the key had no estimate: one at a time.
    unmeasured: u32,
    /// The same for spend budgets, in micro-dollars.
    reserved_cost: u64,
    unmeasured_cost: u32,
    /// The token bucket and the (rate, burst) it was built for.
    bucket: Option<((u32, u32), DefaultDirectRateLimiter)>,
    /// Cluster mode: admissions leased from Redis ahead of the key's requests.
    lease: Option<Box<lease::Lease>>,
    last_ms: u64,
}

impl KeyState {
    /// Admitted answers still hold a slot or a reservation here.
    fn holds_permits(&self) -> bool {
        self.in_flight > 0
            || self.reserved > 0
            || self.unmeasured > 0
            || self.reserved_cost > 0
            || self.unmeasured_cost > 0
            || self.lease.as_ref().is_some_and(|l| l.holds())
    }
}

#[derive(Default)]
struct IpState {
    requests: Window,
    failed_auth: Window,
    /// Locked out by another node of the cluster until then (Unix ms).
    locked_until_ms: u64,
    last_ms: u64,
}

/// Every limit's live state; shared by the data plane and the recorder.
#[derive(Default)]
pub struct Admission {
    keys: Shards<Arc<str>, KeyState>,
    ips: Shards<IpAddr, IpState>,
    /// The per-IP token bucket and the (rate, burst) it was built for.
    ip_bucket: arc_swap::ArcSwapOption<((u32, u32), DefaultKeyedRateLimiter<IpAddr>)>,
    /// Spend budgets that crossed their alert fraction, for the recorder to raise.
    budget_alerts: std::sync::Mutex<Vec<BudgetAlert>>,
    /// Cluster mode: where key limits are shared (see [`shared`]).
    hot: Option<Arc<crate::store::hot::Hot>>,
    /// Cluster mode: how admissions were decided, for the metrics.
    decisions: SharedDecisions,
    /// Cluster mode: busy keys' admissions are leased ahead (`[cluster]
    /// exact_admissions` unset).
    leasing: bool,
}

fn quota(rate: u32, burst: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(rate)?;
    Some(Quota::per_second(rate).allow_burst(NonZeroU32::new(burst).unwrap_or(rate)))
}

/// Milliseconds until a governor limiter would admit again.
/// The refusal of a request over a requests-per-second bucket: `who` is limited to `rps`.
fn per_second(
    kind: Failure,
    who: &str,
    rps: u32,
    not_until: governor::NotUntil<governor::clock::QuantaInstant>,
) -> Refusal {
    use governor::clock::{Clock, DefaultClock};
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    let message = format!("{who} is limited to {rps} requests per second");
    Refusal::limited(kind, message, wait.as_millis() as u64, u64::from(rps))
}

impl Admission {
    /// Checks and counts one request from `ip` against the per-IP limits.
    pub fn admit_ip(&self, ip: IpAddr, now_ms: u64, cfg: &LimitsConfig) -> Result<(), Refusal> {
        let failed_limit = u64::from(cfg.failed_auth_per_minute);
        let rpm = u64::from(cfg.ip_requests_per_minute);
        if rpm == 0 {
            // Only the lock-out to check: an address that never failed has no state, and
            // none is made for it.
            let mut locked = Ok(());
            self.ips
                .with_existing(&ip, |s| locked = lockout(s, now_ms, failed_limit));
            locked?;
        } else {
            self.ips.with(&ip, |s| {
                s.last_ms = now_ms;
                lockout(s, now_ms, failed_limit)?;
                s.requests.try_add(now_ms, MINUTE, rpm, 1).map_err(|wait| {
                    let message = format!("this address is limited to {rpm} requests per minute");
                    Refusal::limited(Failure::IpRateLimited, message, wait, rpm)
                })
            })?;
        }
        self.ip_bucket_check(ip, cfg)
    }

    fn ip_bucket_check(&self, ip: IpAddr, cfg: &LimitsConfig) -> Result<(), Refusal> {
        let shape = (cfg.ip_requests_per_second, cfg.ip_burst);
        let Some(q) = quota(shape.0, shape.1) else {
            return Ok(());
        };
        let current = self.ip_bucket.load_full();
        let bucket = match current {
            Some(b) if b.0 == shape => b,
            _ => {
                let fresh = Arc::new((shape, RateLimiter::keyed(q)));
                self.ip_bucket.store(Some(Arc::clone(&fresh)));
                fresh
            }
        };
        bucket
            .1
            .check_key(&ip)
            .map_err(|wait| per_second(Failure::IpRateLimited, "this address", shape.0, wait))
    }

    /// Counts a failed key attempt from `ip`. True when this attempt reaches the limit:
    /// the address is locked out for the window, and a security event is due.
    pub fn auth_failed(&self, ip: IpAddr, now_ms: u64, cfg: &LimitsConfig) -> bool {
        let limit = u64::from(cfg.failed_auth_per_minute);
        if limit == 0 {
            return false;
        }
        self.ips.with(&ip, |s| {
            s.last_ms = now_ms;
            let before = s.failed_auth.used(now_ms, MINUTE);
            s.failed_auth.add(now_ms, MINUTE, 1);
            before < limit && before + 1 >= limit
        })
    }

    /// Locks `ip` out until `until_ms`, as another node of the cluster did.
    pub fn lock_out(&self, ip: IpAddr, until_ms: u64) {
        self.ips.with(&ip, |s| {
            s.locked_until_ms = s.locked_until_ms.max(until_ms);
            s.last_ms = s.last_ms.max(until_ms);
        });
    }

    /// Checks and counts one request with `key_id`'s `limits`; the permit holds its
    /// in-flight slot when the key caps concurrency, and its reservations when it has
    /// token or spend budgets (`alert_at`: the fraction of a spend budget that alerts).
    pub fn admit_key(
        self: &Arc<Self>,
        key_id: &Arc<str>,
        limits: &RateLimit,
        now_ms: u64,
        (storm_at, alert_at): (u32, f64),
    ) -> Result<Option<Permit>, Refusal> {
        if !limits.any() {
            return Ok(None);
        }
        let (reserved, reserved_cost) = self.keys.with(key_id, |s| {
            admit(s, limits, now_ms).map_err(|mut refusal| {
                let before = s.refusals.used(now_ms, MINUTE);
                s.refusals.add(now_ms, MINUTE, 1);
                let at = u64::from(storm_at);
                refusal.storm = storm_at > 0 && before < at && before + 1 >= at;
                refusal
            })
        })?;
        let in_flight = limits.max_concurrent > 0;
        let reserved_cost = reserved_cost.map(|cost| (cost, limits.budget_usd, alert_at));
        let holds = in_flight || reserved.is_some() || reserved_cost.is_some();
        Ok(holds.then(|| Permit {
            admission: Arc::clone(self),
            key: Arc::clone(key_id),
            in_flight,
            reserved,
            reserved_cost,
            spent: None,
            shared: None,
        }))
    }

    /// Drops state nobody has used lately: keys idle for a day (their day budget has
    /// faded) unless they spent against a spend budget (a week, month or total spend
    /// outlives the day: one entry per budgeted key), addresses idle for two minutes.
    pub fn sweep(&self, now_ms: u64) {
        self.keys.retain(|_, s| {
            s.holds_permits()
                || now_ms.saturating_sub(s.last_ms) < DAY
                || s.windows.spend != SpendWindows::default()
        });
        self.ips
            .retain(|_, s| now_ms.saturating_sub(s.last_ms) < 2 * MINUTE);
        if let Some(bucket) = self.ip_bucket.load_full() {
            bucket.1.retain_recent();
            bucket.1.shrink_to_fit();
        }
    }

    /// Spend budgets that crossed their alert fraction since the last call.
    pub fn take_budget_alerts(&self) -> Vec<BudgetAlert> {
        std::mem::take(&mut *self.budget_alerts.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Each of `key`'s spend budgets as it stands at `now_ms`.
    pub fn budgets(&self, key: &str, budgets: &SpendBudgets, now_ms: u64) -> Vec<spend::BudgetUse> {
        let (mut spent, mut reserved) = (SpendWindows::default(), 0);
        self.keys.with_existing(&Arc::from(key), |s| {
            spent = s.windows.spend.clone();
            reserved = s.reserved_cost;
        });
        spend::Period::ALL
            .into_iter()
            .filter(|p| p.limit(budgets) > 0)
            .map(|period| spend::BudgetUse {
                period,
                limit: period.limit(budgets),
                spent: spent.spent(period, now_ms),
                reserved,
                resets_at_ms: period.bounds(now_ms).1,
            })
            .collect()
    }

    /// Every key's counters, to save.
    pub fn export(&self) -> Vec<(String, KeyWindows)> {
        let mut out = Vec::new();
        self.keys
            .for_each(|k, s| out.push((k.to_string(), s.windows.clone())));
        out
    }

    /// Raises `key`'s spend per period to at least what the ledger counted (see
    /// [`SpendWindows::at_least`]): `spent` holds (period, its start, micro-dollars).
    pub fn seed_spend(&self, key: &str, spent: &[(spend::Period, u64, u64)]) {
        self.keys.with(&Arc::from(key), |s| {
            for &(period, since_ms, micros) in spent {
                s.windows.spend.at_least(period, since_ms, micros);
            }
        });
    }

    /// Counters saved by an earlier run.
    pub fn import(&self, saved: Vec<(String, KeyWindows)>, now_ms: u64) {
        for (key, windows) in saved {
            self.keys.with(&Arc::from(key.as_str()), |s| {
                s.windows = windows;
                s.last_ms = now_ms;
            });
        }
    }
}

/// Refuses an address locked out for failed key attempts (`limit` 0: never), here or by
/// another node of the cluster.
fn lockout(s: &mut IpState, now_ms: u64, limit: u64) -> Result<(), Refusal> {
    if limit == 0 {
        return Ok(());
    }
    let wait = if s.locked_until_ms > now_ms {
        s.locked_until_ms - now_ms
    } else if s.failed_auth.used(now_ms, MINUTE) < limit {
        return Ok(());
    } else {
        s.failed_auth.wait_ms(now_ms, MINUTE, limit, 1)
    };
    let message = "too many failed key attempts from this address".to_owned();
    Err(Refusal::limited(Failure::AuthLockout, message, wait, limit))
}

/// One key's checks, in order, then its counts; nothing is counted for a refusal.
/// The reservations made against the token and the spend budgets, if the key has any.
fn admit(
    s: &mut KeyState,
    l: &RateLimit,
    now_ms: u64,
) -> Result<(Option<u64>, Option<u64>), Refusal> {
    s.last_ms = now_ms;
    let (reserved, unmeasured) = (s.reserved, s.unmeasured);
    let spend_budgeted = !l.budget_usd.is_none();
    if spend_budgeted {
        let measuring = s.windows.spend.estimate.is_none() && s.unmeasured_cost > 0;
        s.windows
            .spend
            .check(&l.budget_usd, s.reserved_cost, measuring, now_ms)?;
    }
    let w = &mut s.windows;
    let estimate = w.estimate;
    if l.max_concurrent > 0 && s.in_flight >= l.max_concurrent {
        let message = format!("this key may have {} requests in flight", l.max_concurrent);
        return Err(Refusal::limited(
            Failure::Concurrency,
            message,
            1000,
            u64::from(l.max_concurrent),
        ));
    }
    let budgets = [
        (l.tokens_per_minute, &mut w.tokens_minute, MINUTE, "minute"),
        (l.tokens_per_day, &mut w.tokens_day, DAY, "day"),
    ];
    let budgeted = budgets.iter().any(|b| b.0 > 0);
    for (limit, window, len, per) in budgets {
        if limit == 0 {
            continue;
        }
        // Nothing left once the in-flight reservations are counted; while the key's cost
        // is unknown, one answer at a time measures it.
        let left = limit.saturating_sub(reserved);
        let measuring = estimate.is_none() && unmeasured > 0;
        if measuring || window.used(now_ms, len) >= left {
            let wait = match left {
                _ if measuring => 1_000,
                0 => 1_000,
                left => window.wait_ms(now_ms, len, left, 1),
            };
            let message = format!("this key's budget of {limit} tokens per {per} is used up");
            return Err(Refusal::limited(Failure::TokenBudget, message, wait, limit));
        }
    }
    let windows = [
        (
            l.requests_per_minute,
            &mut w.requests_minute,
            MINUTE,
            "minute",
        ),
        (l.requests_per_hour, &mut w.requests_hour, HOUR, "hour"),
    ];
    let mut counted = Vec::with_capacity(2);
    for (limit, window, len, per) in windows {
        let limit = u64::from(limit);
        if limit == 0 {
            continue;
        }
        if window.used(now_ms, len) + 1 > limit {
            let wait = window.wait_ms(now_ms, len, limit, 1);
            let message = format!("this key is limited to {limit} requests per {per}");
            return Err(Refusal::limited(Failure::RateLimited, message, wait, limit));
        }
        counted.push((window, len));
    }
    let shape = (l.requests_per_second, l.burst);
    if s.bucket.as_ref().is_none_or(|(have, _)| *have != shape) {
        s.bucket = quota(shape.0, shape.1).map(|q| (shape, RateLimiter::direct(q)));
    }
    if let Some((_, limiter)) = &s.bucket {
        limiter
            .check()
            .map_err(|wait| per_second(Failure::RateLimited, "this key", shape.0, wait))?;
    }
    for (window, len) in counted {
        window.add(now_ms, len, 1);
    }
    s.in_flight += u32::from(l.max_concurrent > 0);
    let tokens = budgeted.then(|| {
        let reservation = estimate.unwrap_or(0);
        s.reserved += reservation;
        s.unmeasured += u32::from(estimate.is_none());
        reservation
    });
    let cost = spend_budgeted.then(|| {
        let estimate = s.windows.spend.estimate;
        let reservation = estimate.unwrap_or(0);
        s.reserved_cost += reservation;
        s.unmeasured_cost += u32::from(estimate.is_none());
        reservation
    });
    Ok((tokens, cost))
}

#[cfg(test)]
mod tests;
