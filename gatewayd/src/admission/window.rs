//! A sliding-window counter that never lets a window hold more than its limit: counts
//! are kept in sixtieths of the window (one second of a minute, one minute of an hour,
//! 24 minutes of a day), and a sixtieth still counts while any part of it lies inside
//! the window. So it refuses at most one sixtieth early and never admits late. Only
//! sixtieths with a count are kept: an idle window holds nothing.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Sixtieths of the window.
const SLOTS: u64 = 60;

/// One counter over a window whose length each call passes in (always the same one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Saved")]
pub struct Window {
    /// (start of the slot in Unix ms, amount counted in it), oldest first.
    slots: VecDeque<(u64, u64)>,
}

/// What earlier versions saved (a fixed window and its predecessor), read as two slots.
#[derive(Deserialize)]
#[serde(untagged)]
enum Saved {
    Slots {
        slots: VecDeque<(u64, u64)>,
    },
    Weighted {
        start_ms: u64,
        current: u64,
        previous: u64,
    },
}

impl From<Saved> for Window {
    fn from(saved: Saved) -> Self {
        match saved {
            Saved::Slots { slots } => Self { slots },
            Saved::Weighted {
                start_ms,
                current,
                previous,
            } => {
                // The previous window's count is dated to its last moment, which it may
                // have been: never later than it was.
                let mut slots = VecDeque::new();
                if previous > 0 {
                    slots.push_back((start_ms.saturating_sub(1), previous));
                }
                if current > 0 {
                    slots.push_back((start_ms, current));
                }
                Self { slots }
            }
        }
    }
}

fn slot_len(len_ms: u64) -> u64 {
    (len_ms / SLOTS).max(1)
}

impl Window {
    /// Forgets slots wholly outside the window ending at `now_ms`.
    fn expire(&mut self, now_ms: u64, len_ms: u64) {
        let slot = slot_len(len_ms);
        while let Some(&(start, _)) = self.slots.front() {
            if start + slot + len_ms > now_ms {
                break;
            }
            self.slots.pop_front();
        }
    }

    /// The amount counted in the window ending at `now_ms`.
    pub fn used(&mut self, now_ms: u64, len_ms: u64) -> u64 {
        self.expire(now_ms, len_ms);
        self.slots.iter().map(|&(_, n)| n).sum()
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
        if self.used(now_ms, len_ms) + amount <= limit {
            self.add(now_ms, len_ms, amount);
            return Ok(());
        }
        Err(self.wait_ms(now_ms, len_ms, limit, amount))
    }

    /// Counts `amount` whatever the limit.
    pub fn add(&mut self, now_ms: u64, len_ms: u64, amount: u64) {
        if amount == 0 {
            return;
        }
        self.expire(now_ms, len_ms);
        let start = now_ms - now_ms % slot_len(len_ms);
        match self.slots.back_mut() {
            Some((newest, n)) if *newest >= start => *n = n.saturating_add(amount),
            _ => self.slots.push_back((start, amount)),
        }
    }

    /// The earliest wait after which `amount` more fits under `limit` (`amount` above
    /// the limit: once everything now counted has left).
    pub fn wait_ms(&mut self, now_ms: u64, len_ms: u64, limit: u64, amount: u64) -> u64 {
        let slot = slot_len(len_ms);
        let mut used = self.used(now_ms, len_ms);
        let mut leaves_at = now_ms;
        for &(start, n) in &self.slots {
            if used + amount <= limit {
                break;
            }
            used -= n;
            leaves_at = start + slot + len_ms;
        }
        leaves_at.saturating_sub(now_ms).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::Window;

    const LEN: u64 = 60_000;
    const T0: u64 = 1_700_000_000_000;

    #[test]
    fn a_steady_trickle_never_gets_more_than_the_limit_into_any_minute() {
        let mut w = Window::default();
        let mut admitted = Vec::new();
        // One request every 700 ms for five minutes against 10 a minute.
        for i in 0..430 {
            let now = T0 + i * 700;
            if w.try_add(now, LEN, 10, 1).is_ok() {
                admitted.push(now);
            }
        }
        for (i, &from) in admitted.iter().enumerate() {
            let within = admitted[i..]
                .iter()
                .take_while(|&&t| t < from + LEN)
                .count();
            assert!(within <= 10, "{within} admitted in the minute from {from}");
        }
        // And it is not stingy: at least 9 a minute get through.
        assert!(admitted.len() >= 45, "{}", admitted.len());
    }

    #[test]
    fn the_wait_is_until_the_oldest_counts_leave() {
        let mut w = Window::default();
        for i in 0..10 {
            assert!(w.try_add(T0 + i * 1_000, LEN, 10, 1).is_ok());
        }
        let now = T0 + 30_000;
        let wait = w.try_add(now, LEN, 10, 1).unwrap_err();
        // The first count (second 0) leaves once its whole second is a minute old.
        assert_eq!(now + wait, T0 + 61_000);
        assert!(w.try_add(now + wait - 1, LEN, 10, 1).is_err());
        assert!(w.try_add(now + wait, LEN, 10, 1).is_ok());
        // Ten counted again (seconds 1-9 and the one just added): three more need
        // seconds 1, 2 and 3 gone.
        assert_eq!(w.wait_ms(now + wait, LEN, 10, 3), 3_000);
    }

    #[test]
    fn an_idle_window_holds_nothing() {
        let mut w = Window::default();
        w.add(T0, LEN, 5);
        assert_eq!(w.used(T0 + 60_999, LEN), 5);
        assert_eq!(w.used(T0 + 61_000, LEN), 0);
        assert!(w.slots.is_empty());
    }

    #[test]
    fn a_window_saved_by_an_earlier_version_still_counts() {
        let old = r#"{"start_ms":1700000040000,"current":3,"previous":4}"#;
        let mut w: Window = serde_json::from_str(old).unwrap();
        assert_eq!(w.used(1_700_000_040_000, LEN), 7);
        let again: Window = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(again, w);
    }
}
