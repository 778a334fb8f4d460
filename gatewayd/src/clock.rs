//! The daemon's one source of wall-clock time. Every decision that depends on the time
//! of day — cool-downs, rate windows, budgets, key expiry, token refresh, log retention —
//! reads a [`Clock`], so tests can hold time still and move it by hand.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::model::UnixSecs;

/// Wall-clock time: the system's, or a manual one that moves only when told.
/// Cloning shares the same time.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicU64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock held at `start_ms` (Unix milliseconds) until [`Clock::advance`] moves it.
    pub fn manual(start_ms: u64) -> Self {
        Self {
            manual: Some(Arc::new(AtomicU64::new(start_ms))),
        }
    }

    /// A manual clock starting at the system's time now.
    pub fn manual_from_now() -> Self {
        Self::manual(Self::system().now_millis())
    }

    /// Moves a manual clock forward; a no-op on the system clock.
    pub fn advance(&self, by: Duration) {
        if let Some(ms) = &self.manual {
            ms.fetch_add(by.as_millis() as u64, Ordering::Relaxed);
        }
    }

    /// Now, in Unix milliseconds.
    pub fn now_millis(&self) -> u64 {
        match &self.manual {
            Some(ms) => ms.load(Ordering::Relaxed),
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        }
    }

    /// Now, in Unix seconds.
    pub fn now_secs(&self) -> UnixSecs {
        (self.now_millis() / 1000) as UnixSecs
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            Some(_) => write!(f, "Clock::manual({})", self.now_millis()),
            None => f.write_str("Clock::system"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use std::time::Duration;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = Clock::manual(5_000);
        let shared = clock.clone();
        assert_eq!(clock.now_millis(), 5_000);
        shared.advance(Duration::from_millis(1_500));
        assert_eq!(clock.now_millis(), 6_500);
        assert_eq!(clock.now_secs(), 6);
    }

    #[test]
    fn the_system_clock_ignores_advance() {
        let clock = Clock::system();
        let before = clock.now_millis();
        clock.advance(Duration::from_secs(3_600));
        assert!(clock.now_millis() < before + 3_600_000);
    }
}
