//! When a benched subscription account's windows are next asked about: at the first
//! health round, then backing off (doubling up to a cap) while they stay exhausted; and
//! what the last such check found.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What one early-recovery check found.
#[derive(Debug, Clone, PartialEq)]
pub enum QuotaFinding {
    /// Every window reported has room: the account went back into the pool.
    Room,
    /// At least one window is still used up.
    Exhausted,
    /// The read failed or said nothing usable; why.
    Unreadable(String),
}

impl QuotaFinding {
    /// The stable name, as sent to gatewayctl.
    pub fn as_str(&self) -> &'static str {
        match self {
            QuotaFinding::Room => "room",
            QuotaFinding::Exhausted => "exhausted",
            QuotaFinding::Unreadable(_) => "unreadable",
        }
    }
}

/// One early-recovery check: when, and what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaCheck {
    pub at_ms: u64,
    pub finding: QuotaFinding,
}

/// The early-recovery schedule of one account.
#[derive(Default)]
pub struct RecoverySchedule {
    /// Not before this, Unix ms; 0 = at the next chance.
    next_ms: AtomicU64,
    /// The wait after the next check that finds the window still exhausted.
    delay_ms: AtomicU64,
    /// The latest check, kept after the account is back.
    last: arc_swap::ArcSwapOption<QuotaCheck>,
}

impl RecoverySchedule {
    /// Whether a check is due at `now_ms`.
    pub fn due(&self, now_ms: u64) -> bool {
        now_ms >= self.next_ms.load(Ordering::Relaxed)
    }

    /// When the next check may run, Unix ms, while one is scheduled.
    pub fn next_ms(&self) -> Option<u64> {
        Some(self.next_ms.load(Ordering::Relaxed)).filter(|&ms| ms > 0)
    }

    /// Keeps what a check found.
    pub fn found(&self, at_ms: u64, finding: QuotaFinding) {
        self.last
            .store(Some(Arc::new(QuotaCheck { at_ms, finding })));
    }

    /// The latest check, if any ran.
    pub fn last(&self) -> Option<Arc<QuotaCheck>> {
        self.last.load_full()
    }

    /// A check found no room (or failed): wait longer before the next, from `first_ms`
    /// doubling to `max_ms`.
    pub fn wait_longer(&self, now_ms: u64, first_ms: u64, max_ms: u64) {
        let delay = match self.delay_ms.load(Ordering::Relaxed) {
            0 => first_ms,
            d => d.saturating_mul(2).min(max_ms),
        };
        self.delay_ms.store(delay, Ordering::Relaxed);
        self.next_ms.store(now_ms + delay, Ordering::Relaxed);
    }

    /// The account is back (or was never benched): the next bench starts afresh.
    pub fn clear(&self) {
        self.next_ms.store(0, Ordering::Relaxed);
        self.delay_ms.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::RecoverySchedule;

    #[test]
    fn checks_back_off_while_the_window_stays_exhausted() {
        let s = RecoverySchedule::default();
        assert!(s.due(0));
        s.wait_longer(1_000, 60_000, 200_000);
        assert!(!s.due(60_999) && s.due(61_000));
        s.wait_longer(61_000, 60_000, 200_000);
        assert!(s.due(181_000) && !s.due(180_999), "doubled");
        s.wait_longer(181_000, 60_000, 200_000);
        assert!(s.due(381_000), "capped");
        s.clear();
        assert!(s.due(0));
    }
}
