//! How a key stands against its limits now: each limit with what is used of it and when
//! what is counted has left, for the key holder's own usage view.

use std::sync::Arc;

use super::{Admission, DAY, HOUR, MINUTE};
use crate::model::RateLimit;

/// One limit as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitUse {
    /// As the limit is named in the key's settings.
    pub name: &'static str,
    pub limit: u64,
    pub used: u64,
    /// When everything counted now has left the window (Unix ms); `None` when nothing is
    /// counted, or for a cap on requests in flight.
    pub clears_at_ms: Option<u64>,
}

const NAMES: [&str; 5] = [
    "requests_per_minute",
    "requests_per_hour",
    "tokens_per_minute",
    "tokens_per_day",
    "max_concurrent",
];

impl Admission {
    /// Each limit `l` sets for `key` as it stands now: in cluster mode with Redis
    /// answering, for the whole cluster; otherwise on this node.
    pub async fn standing_now(&self, key: &str, l: &RateLimit, now_ms: u64) -> Vec<LimitUse> {
        let shared = match &self.hot {
            Some(hot) => hot.standing(key).await,
            None => None,
        };
        let Some((windows, in_flight)) = shared else {
            return self.standing(key, l, now_ms);
        };
        let used = [
            windows[0],
            windows[1],
            windows[2],
            windows[3],
            (in_flight, 0),
        ]
        .map(|(used, clears)| (used, (clears > 0).then_some(clears)));
        uses(l, used)
    }

    /// Each limit `l` sets for `key`, as it stands at `now_ms` on this node.
    pub fn standing(&self, key: &str, l: &RateLimit, now_ms: u64) -> Vec<LimitUse> {
        let mut used = [(0, None); 5];
        self.keys.with_existing(&Arc::from(key), |s| {
            let w = &mut s.windows;
            let windows = [
                (&mut w.requests_minute, MINUTE),
                (&mut w.requests_hour, HOUR),
                (&mut w.tokens_minute, MINUTE),
                (&mut w.tokens_day, DAY),
            ];
            for (slot, (window, len)) in used.iter_mut().zip(windows) {
                let counted = window.used(now_ms, len);
                let clears = (counted > 0).then(|| now_ms + window.wait_ms(now_ms, len, 0, 1));
                *slot = (counted, clears);
            }
            used[4] = (u64::from(s.in_flight), None);
        });
        uses(l, used)
    }
}

/// The limits `l` sets, with what is used of each.
fn uses(l: &RateLimit, used: [(u64, Option<u64>); 5]) -> Vec<LimitUse> {
    let limits = [
        u64::from(l.requests_per_minute),
        u64::from(l.requests_per_hour),
        l.tokens_per_minute,
        l.tokens_per_day,
        u64::from(l.max_concurrent),
    ];
    NAMES
        .into_iter()
        .zip(limits)
        .zip(used)
        .filter(|((_, limit), _)| *limit > 0)
        .map(|((name, limit), (used, clears_at_ms))| LimitUse {
            name,
            limit,
            used,
            clears_at_ms,
        })
        .collect()
}
