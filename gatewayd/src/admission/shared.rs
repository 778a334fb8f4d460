//! Cluster mode: a key's windows, per-second bucket, in-flight cap and token budgets are
//! decided for the whole cluster by Redis (`store::hot`), in one round trip; its spend
//! budgets stay with this node's admission. Redis away, the caller falls back to the
//! node-local admission (degraded: each node counts alone).

use std::sync::Arc;

use super::{Admission, Permit, Refusal, MINUTE};
use crate::model::{Failure, RateLimit};
use crate::store::hot::{Hot, HotLimits, HotVerdict};

/// What an admitted answer holds in Redis, given back when its permit drops.
pub(super) struct SharedHold {
    hot: Arc<Hot>,
    incarnation: Arc<String>,
    slot: bool,
    reservation: Option<u64>,
}

impl SharedHold {
    /// Gives the hold back (in the background), counting `tokens` if the answer ended.
    pub(super) fn release(self, key: Arc<str>, tokens: Option<u64>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            self.hot
                .settle(&key, &self.incarnation, self.slot, self.reservation, tokens)
                .await;
        });
    }
}

fn hot_limits(l: &RateLimit) -> HotLimits {
    HotLimits {
        requests_per_minute: u64::from(l.requests_per_minute),
        requests_per_hour: u64::from(l.requests_per_hour),
        requests_per_second: u64::from(l.requests_per_second),
        burst: u64::from(l.burst),
        max_in_flight: u64::from(l.max_concurrent),
        tokens_per_minute: l.tokens_per_minute,
        tokens_per_day: l.tokens_per_day,
    }
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
    /// An admission whose key limits are shared through `hot`.
    pub fn shared(hot: Arc<Hot>) -> Self {
        Self {
            hot: Some(hot),
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
        let shared = hot_limits(limits);
        let (incarnation, reservation) = match hot.admit(key_id, &shared).await? {
            HotVerdict::Admitted {
                incarnation,
                reservation,
            } => (incarnation, reservation),
            HotVerdict::Refused {
                code,
                wait_ms,
                limit,
            } => {
                let mut refused = refusal(code, wait_ms, limit);
                refused.storm = self.count_refusal(key_id, now_ms, storm_at);
                return Some(Err(refused));
            }
        };
        let hold = SharedHold {
            hot: Arc::clone(hot),
            incarnation,
            slot: shared.max_in_flight > 0,
            reservation,
        };
        let spend_only = RateLimit {
            budget_usd: limits.budget_usd,
            ..RateLimit::default()
        };
        let local = match self.admit_key(key_id, &spend_only, now_ms, (storm_at, alert_at)) {
            Ok(local) => local,
            Err(refused) => {
                hold.release(Arc::clone(key_id), None);
                return Some(Err(refused));
            }
        };
        if !hold.slot && hold.reservation.is_none() {
            return Some(Ok(local));
        }
        let mut permit = local.unwrap_or_else(|| Permit {
            admission: Arc::clone(self),
            key: Arc::clone(key_id),
            in_flight: false,
            reserved: None,
            reserved_cost: None,
            spent: None,
            shared: None,
        });
        permit.shared = Some(hold);
        Some(Ok(Some(permit)))
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
