//! A sliding-window counter in constant memory: the current fixed window's count plus the
//! previous window's, weighted by how much of it the sliding window still covers.

use serde::{Deserialize, Serialize};

/// One counter over a window of `len_ms`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Window {
    start_ms: u64,
    current: u64,
    previous: u64,
}

impl Window {
    fn roll(&mut self, now_ms: u64, len_ms: u64) {
        let start = now_ms - now_ms % len_ms;
        if start == self.start_ms {
            return;
        }
        self.previous = if start == self.start_ms + len_ms {
            self.current
        } else {
            0
        };
        self.current = 0;
        self.start_ms = start;
    }

    /// The amount counted in the sliding window ending at `now_ms`.
    pub fn used(&mut self, now_ms: u64, len_ms: u64) -> f64 {
        self.roll(now_ms, len_ms);
        let overlap = 1.0 - (now_ms - self.start_ms) as f64 / len_ms as f64;
        self.previous as f64 * overlap + self.current as f64
    }

    /// Counts `amount` if the window stays within `limit`; otherwise how many
    /// milliseconds until it would.
    pub fn try_add(
        &mut self,
        now_ms: u64,
        len_ms: u64,
        limit: u64,
        amount: u64,
    ) -> Result<(), u64> {
        if self.used(now_ms, len_ms) + amount as f64 <= limit as f64 {
            self.current += amount;
            return Ok(());
        }
        Err(self.wait_ms(now_ms, len_ms, limit, amount))
    }

    /// Counts `amount` whatever the limit (tokens are known only after the answer).
    pub fn add(&mut self, now_ms: u64, len_ms: u64, amount: u64) {
        self.roll(now_ms, len_ms);
        self.current += amount;
    }

    /// Whether anything is left under `limit` (a budget check before the cost is known).
    pub fn check(&mut self, now_ms: u64, len_ms: u64, limit: u64) -> Result<(), u64> {
        if self.used(now_ms, len_ms) < limit as f64 {
            return Ok(());
        }
        Err(self.wait_ms(now_ms, len_ms, limit, 1))
    }

    /// The earliest wait after which `amount` more fits under `limit`.
    fn wait_ms(&self, now_ms: u64, len_ms: u64, limit: u64, amount: u64) -> u64 {
        let room = limit.saturating_sub(amount) as f64;
        let len = len_ms as f64;
        let into = (now_ms - self.start_ms) as f64;
        let (current, previous) = (self.current as f64, self.previous as f64);
        if current <= room && previous > 0.0 {
            // Later in this window the previous one weighs less.
            let at = len * (1.0 - (room - current) / previous);
            return (at - into).max(1.0).ceil() as u64;
        }
        // In the next window this one becomes the previous.
        let at = if current > 0.0 {
            len * (1.0 - room / current).max(0.0)
        } else {
            0.0
        };
        ((len - into) + at).max(1.0).ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_the_limit_in_any_window() {
        let mut w = Window::default();
        let len = 60_000;
        for _ in 0..10 {
            assert!(w.try_add(120_000, len, 10, 1).is_ok());
        }
        let wait = w.try_add(120_500, len, 10, 1).unwrap_err();
        // All ten weigh fully until the next window, then fade.
        assert!(wait > 59_000, "{wait}");
        // Half-way into the next window, half of them still count.
        assert_eq!(w.used(210_000, len), 5.0);
        assert!(w.try_add(210_000, len, 10, 5).is_ok());
        assert!(w.try_add(210_000, len, 10, 1).is_err());
        // Two windows on, everything has faded.
        assert_eq!(w.used(300_000, len), 0.0);
    }
}
