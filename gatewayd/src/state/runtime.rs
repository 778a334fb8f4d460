//! The live health of one account, shared by every snapshot of it: cool-downs, benched
//! model families, in-flight count, failure, latency, circuit breaker and the last health
//! check. Atomics and swaps only; the rare paths that write a reason take a short lock.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use crate::model::CoolReason;

/// A subscription's rate-limit windows as the upstream last reported them.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QuotaWindows {
    /// `allowed`, `allowed_warning` or `rejected`.
    pub status: String,
    /// Which window binds (`five_hour`, `seven_day`, …).
    pub representative_claim: String,
    /// (window, status, utilisation 0..1, reset in Unix seconds).
    pub windows: Vec<(String, String, f64, Option<u64>)>,
    /// When this was read, Unix milliseconds.
    pub seen_at_ms: u64,
}

/// Health that changes per request; shared by every snapshot of the same account.
#[derive(Default)]
pub struct AccountRuntime {
    /// The latest subscription windows (OAuth accounts).
    pub quota: arc_swap::ArcSwapOption<QuotaWindows>,
    /// Model families benched on this account: (family, until Unix ms).
    benched: arc_swap::ArcSwap<Vec<(String, u64)>>,
    cooling_until_ms: AtomicU64,
    /// Why the latest cool-down started (failure paths only write it).
    cooling_reason: std::sync::Mutex<Option<CoolReason>>,
    in_flight: AtomicU32,
    failed: AtomicBool,
    /// Moving average of the time to response headers, microseconds; 0 = never measured.
    latency_ewma_us: AtomicU64,
    /// When latency was last measured, Unix ms.
    latency_seen_ms: AtomicU64,
    /// Failures in a row (server errors, unreachable); a success resets them.
    consecutive_failures: AtomicU32,
    /// How many times in a row the circuit opened; 0 = closed.
    circuit_opens: AtomicU32,
    /// When a half-open circuit's one trial request went out, Unix ms; 0 = none out.
    trial_since_ms: AtomicU64,
    /// A quota-threshold alert was raised and the window has not fallen back since.
    pub quota_alerted: AtomicBool,
    /// Smooth weighted round robin's running weight.
    pub wrr_current: std::sync::atomic::AtomicI64,
    /// The last active health check.
    pub last_check: arc_swap::ArcSwapOption<HealthCheck>,
    /// When a benched subscription's windows are next asked about.
    pub recovery: recovery::RecoverySchedule,
}

/// A half-open circuit's trial that never reported back is given up after this long.
const TRIAL_EXPIRES_MS: u64 = 60_000;

/// What one active health check saw.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
    pub at_ms: u64,
    pub ok: bool,
    pub latency_ms: u64,
    pub message: String,
}

/// The circuit breaker's settings, as the data plane passes them in.
#[derive(Debug, Clone, Copy)]
pub struct CircuitPolicy {
    pub failures: u32,
    pub cooldown_ms: u64,
    pub max_cooldown_ms: u64,
}

impl AccountRuntime {
    /// Not failed and not cooling down.
    pub fn usable(&self, now_ms: u64) -> bool {
        !self.failed.load(Ordering::Relaxed)
            && self.cooling_until_ms.load(Ordering::Relaxed) <= now_ms
    }

    /// Keeps the account out of rotation until `until_ms` (never shortens a longer
    /// cool-down). True when this starts a cool-down (the account was not cooling at
    /// `now_ms`), so the transition is reported once.
    pub fn cool_until(&self, until_ms: u64, now_ms: u64, why: CoolReason) -> bool {
        let before = self.cooling_until_ms.fetch_max(until_ms, Ordering::Relaxed);
        let started = before <= now_ms && until_ms > now_ms;
        if started || until_ms > before {
            *self
                .cooling_reason
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(why);
        }
        started
    }

    /// Why the latest cool-down started.
    pub fn cooling_reason(&self) -> Option<CoolReason> {
        *self
            .cooling_reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The end of the current cool-down, if it is still running at `now_ms`.
    pub fn cooling_until(&self, now_ms: u64) -> Option<u64> {
        let until = self.cooling_until_ms.load(Ordering::Relaxed);
        (until > now_ms).then_some(until)
    }

    /// Takes the account out of rotation at once; the reason is persisted by the recorder.
    /// Returns false if it had already failed (so the failure is reported once).
    pub fn fail(&self) -> bool {
        !self.failed.swap(true, Ordering::Relaxed)
    }

    /// Benches `model`'s family on this account until `until_ms`. True when the family
    /// was not benched at `now_ms`.
    pub fn bench_model(&self, model: &str, until_ms: u64, now_ms: u64) -> bool {
        let family = model_family(model).to_owned();
        let was = self.benched_for(Some(model), now_ms);
        self.benched.rcu(|current| {
            let mut next: Vec<(String, u64)> = current
                .iter()
                .filter(|(f, _)| *f != family)
                .cloned()
                .collect();
            next.push((family.clone(), until_ms));
            next
        });
        !was
    }

    /// The families benched at `now_ms`, with when each bench ends.
    pub fn benched(&self, now_ms: u64) -> Vec<(String, u64)> {
        self.benched
            .load()
            .iter()
            .filter(|(_, until)| *until > now_ms)
            .cloned()
            .collect()
    }

    /// When the bench of `model`'s family ends, if it is benched at `now_ms`.
    pub fn benched_until(&self, model: Option<&str>, now_ms: u64) -> Option<u64> {
        let family = model_family(model?);
        self.benched
            .load()
            .iter()
            .filter(|(f, until)| f == family && *until > now_ms)
            .map(|(_, until)| *until)
            .max()
    }

    /// Whether `model`'s family is benched at `now_ms`.
    pub fn benched_for(&self, model: Option<&str>, now_ms: u64) -> bool {
        let Some(model) = model else { return false };
        let benched = self.benched.load();
        !benched.is_empty()
            && benched
                .iter()
                .any(|(f, until)| *until > now_ms && f == model_family(model))
    }

    /// Whether the data plane took the account out of rotation for a refused credential.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Back in rotation: no failure, no cool-down (an operator enabled the account).
    pub fn reset(&self) {
        self.recovery.clear();
        self.benched.store(Arc::new(Vec::new()));
        self.failed.store(false, Ordering::Relaxed);
        self.cooling_until_ms.store(0, Ordering::Relaxed);
        self.consecutive_failures.store(0, Ordering::Relaxed);
        self.circuit_opens.store(0, Ordering::Relaxed);
        self.trial_since_ms.store(0, Ordering::Relaxed);
    }

    /// Folds one time-to-headers sample into the moving average (weight 1/5).
    pub fn observe_latency(&self, sample_us: u64, now_ms: u64) {
        let sample = sample_us.max(1);
        let old = self.latency_ewma_us.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            (old * 4 + sample) / 5
        };
        self.latency_ewma_us.store(new, Ordering::Relaxed);
        self.latency_seen_ms.store(now_ms, Ordering::Relaxed);
    }

    /// The moving-average latency in microseconds, and when it was last measured;
    /// `None` if never.
    pub fn latency(&self) -> Option<(u64, u64)> {
        let ewma = self.latency_ewma_us.load(Ordering::Relaxed);
        (ewma > 0).then(|| (ewma, self.latency_seen_ms.load(Ordering::Relaxed)))
    }

    /// Whether the circuit is open or half-open.
    pub fn circuit_open(&self) -> bool {
        self.circuit_opens.load(Ordering::Relaxed) > 0
    }

    /// May a request go to this account now? Always, unless its circuit is half-open
    /// and another request holds the one trial (a trial whose outcome never came back,
    /// say its client left, expires after a minute).
    pub fn admit(&self, now_ms: u64) -> bool {
        if !self.circuit_open() {
            return true;
        }
        let since = self.trial_since_ms.load(Ordering::Relaxed);
        if since != 0 && now_ms.saturating_sub(since) < TRIAL_EXPIRES_MS {
            return false;
        }
        self.trial_since_ms
            .compare_exchange(since, now_ms.max(1), Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// The upstream answered (even with the client's own error): failures reset. True
    /// when this closed an open circuit.
    pub fn succeeded(&self) -> bool {
        self.consecutive_failures.store(0, Ordering::Relaxed);
        self.trial_since_ms.store(0, Ordering::Relaxed);
        self.circuit_opens.swap(0, Ordering::Relaxed) > 0
    }

    /// Neither success nor failure (a rate limit): the trial, if this was it, is over.
    pub fn settled(&self) {
        self.trial_since_ms.store(0, Ordering::Relaxed);
    }

    /// A server error or an unreachable upstream. Opens the circuit after
    /// `policy.failures` in a row, or reopens a half-open one, with a cool-down doubling
    /// each time; returns when that cool-down ends if it opened now.
    pub fn failed_once(&self, policy: CircuitPolicy, now_ms: u64) -> Option<u64> {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
        let half_open = self.trial_since_ms.swap(0, Ordering::Relaxed) != 0;
        let opens = self.circuit_opens.load(Ordering::Relaxed);
        if !(half_open || (opens == 0 && failures >= policy.failures)) {
            return None;
        }
        let opens = self.circuit_opens.fetch_add(1, Ordering::Relaxed) + 1;
        let backoff = policy
            .cooldown_ms
            .saturating_mul(1 << (opens - 1).min(20))
            .min(policy.max_cooldown_ms);
        let until = now_ms + backoff;
        self.cool_until(until, now_ms, CoolReason::CircuitOpen);
        Some(until)
    }

    /// Requests using the account now.
    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Counts a request until the guard drops.
    pub fn enter(self: &Arc<Self>) -> InFlightGuard {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlightGuard(Arc::clone(self))
    }
}

/// Decrements an account's in-flight count when dropped.
pub struct InFlightGuard(Arc<AccountRuntime>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The family a model's limits are counted by: `opus`, `sonnet`, `haiku`, or the model.
pub fn model_family(model: &str) -> &str {
    ["opus", "sonnet", "haiku"]
        .into_iter()
        .find(|f| model.contains(f))
        .unwrap_or(model)
}

mod recovery;
pub use recovery::{QuotaCheck, QuotaFinding};

#[cfg(test)]
mod tests;
