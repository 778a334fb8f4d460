//! Each key's usage and cost this calendar day, week and month (UTC), kept in memory by
//! the recorder as records arrive and seeded from the ledger's daily rollups at start,
//! so a key holder's `GET /gateway/usage` reads no store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::admission::spend::Period;
use crate::admission::Admission;
use crate::model::{UsageCounters, UsageScope};
use crate::state::{Gateway, OpError};

/// The periods kept, in this order.
pub const PERIODS: [Period; 3] = [Period::Day, Period::Week, Period::Month];

/// Per period: when it began (Unix ms) and what it counted.
type Slots = [(u64, UsageCounters); 3];

/// Every key's current periods; shared by the recorder (writes) and the data plane.
#[derive(Default)]
pub struct KeyPeriods {
    keys: Mutex<foldhash::HashMap<Arc<str>, Slots>>,
    /// The periods' starts for the day that holds the last record (from, to, starts): the
    /// calendar is worked out once a day, not per record.
    today: Mutex<(u64, u64, [u64; 3])>,
}

impl KeyPeriods {
    fn lock(&self) -> std::sync::MutexGuard<'_, foldhash::HashMap<Arc<str>, Slots>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When the day, week and month holding `at_ms` began.
    fn starts(&self, at_ms: u64) -> [u64; 3] {
        let mut today = self.today.lock().unwrap_or_else(|e| e.into_inner());
        if !(today.0..today.1).contains(&at_ms) {
            let (from, to) = Period::Day.bounds(at_ms);
            *today = (
                from,
                to.unwrap_or(u64::MAX),
                PERIODS.map(|p| p.bounds(at_ms).0),
            );
        }
        today.2
    }

    /// Counts `c` for `key` at `at_ms`.
    pub fn add(&self, key: &Arc<str>, at_ms: u64, c: &UsageCounters) {
        let starts = self.starts(at_ms);
        let mut keys = self.lock();
        let slots = keys.entry(Arc::clone(key)).or_default();
        for (slot, start) in slots.iter_mut().zip(starts) {
            if slot.0 != start {
                *slot = (start, UsageCounters::default());
            }
            slot.1.add(c);
        }
    }

    /// `key`'s usage this day, week and month as of `now_ms`.
    pub fn get(&self, key: &str, now_ms: u64) -> [UsageCounters; 3] {
        let starts = self.starts(now_ms);
        let keys = self.lock();
        let Some(slots) = keys.get(key) else {
            return Default::default();
        };
        let mut out = [UsageCounters::default(); 3];
        for ((out, slot), start) in out.iter_mut().zip(slots).zip(starts) {
            if slot.0 == start {
                *out = slot.1;
            }
        }
        out
    }

    /// Takes the ledger's sums for period `index` (of [`PERIODS`]) that began at `start`.
    pub fn seed(&self, index: usize, start: u64, sums: HashMap<String, UsageCounters>) {
        let mut keys = self.lock();
        for (key, counters) in sums {
            let slots = keys.entry(Arc::from(key.as_str())).or_default();
            slots[index] = (start, counters);
        }
    }

    /// Forgets keys with nothing counted this month.
    pub fn sweep(&self, now_ms: u64) {
        let month = Period::Month.bounds(now_ms).0;
        self.lock().retain(|_, slots| slots[2].0 == month);
    }
}

/// What each key spent this day, week and month and in total, as the ledger counted it:
/// (period, its start, micro-dollars), and the period sums by key for [`KeyPeriods::seed`].
async fn ledger_spend(
    gateway: &Gateway,
    now_ms: u64,
) -> Result<(Spending, Vec<HashMap<String, UsageCounters>>), OpError> {
    let mut spent: Spending = HashMap::new();
    let mut sums = Vec::with_capacity(PERIODS.len());
    for period in PERIODS {
        let start = period.bounds(now_ms).0;
        let by_key = gateway.key_sums_since(start / 1000).await?;
        for (key, counters) in &by_key {
            let row = (period, start, counters.cost_micros);
            spent.entry(key.clone()).or_default().push(row);
        }
        sums.push(by_key);
    }
    let (totals, _) = gateway.usage_stats(UsageScope::Key, None).await?;
    for (key, total) in totals {
        let row = (Period::Total, 0, total.counters.cost_micros);
        spent.entry(key).or_default().push(row);
    }
    Ok((spent, sums))
}

/// Spend rows by key: (period, its start, micro-dollars).
type Spending = HashMap<String, Vec<(Period, u64, u64)>>;

/// At start: each key's day, week and month from the ledger's daily rollups, and each
/// budgeted key's spend raised to what the ledger counted — the windows saved every
/// housekeeping interval may predate the last answers when the daemon was killed, the
/// ledger (written every flush) does not.
pub async fn seed(
    gateway: &Gateway,
    admission: &Admission,
    periods: &KeyPeriods,
    now_ms: u64,
) -> Result<(), OpError> {
    let (mut spent, sums) = ledger_spend(gateway, now_ms).await?;
    for (index, (period, by_key)) in PERIODS.into_iter().zip(sums).enumerate() {
        periods.seed(index, period.bounds(now_ms).0, by_key);
    }
    for key in gateway.list_keys(true)? {
        if !key.rate_limit.budget_usd.is_none() {
            let rows = spent.remove(&key.id).unwrap_or_default();
            admission.seed_spend(&key.id, &rows);
            admission.seed_shared_spend(&key.id, &rows).await;
        }
    }
    Ok(())
}

/// Cluster mode: raises every budgeted key's spend in Redis to what the shared ledger
/// counted (at start, and whenever Redis may have lost it: it came back, or restarted).
pub async fn seed_shared(gateway: &Gateway, admission: &Admission) -> Result<(), OpError> {
    let (mut spent, _) = ledger_spend(gateway, gateway.clock().now_millis()).await?;
    for key in gateway.list_keys(true)? {
        if !key.rate_limit.budget_usd.is_none() {
            let rows = spent.remove(&key.id).unwrap_or_default();
            admission.seed_shared_spend(&key.id, &rows).await;
        }
    }
    Ok(())
}

/// A key given a spend budget: its spend so far in each period (and in total) counts, as
/// it would after a restart.
pub async fn seed_budget(
    gateway: &Gateway,
    admission: &Admission,
    key: &str,
) -> Result<(), OpError> {
    let (mut spent, _) = ledger_spend(gateway, gateway.clock().now_millis()).await?;
    let rows = spent.remove(key).unwrap_or_default();
    admission.seed_spend(key, &rows);
    admission.seed_shared_spend(key, &rows).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::KeyPeriods;
    use crate::model::UsageCounters;

    #[test]
    fn a_new_day_starts_from_nothing_while_the_month_goes_on() {
        // 2026-12-03 12:00 UTC.
        let noon = 1_796_299_200_000;
        let key = std::sync::Arc::from("k");
        let one = UsageCounters {
            requests: 1,
            cost_micros: 10,
            ..Default::default()
        };
        let periods = KeyPeriods::default();
        periods.add(&key, noon, &one);
        periods.add(&key, noon + 86_400_000, &one);
        let [day, week, month] = periods.get("k", noon + 86_400_000);
        assert_eq!((day.requests, week.requests, month.requests), (1, 2, 2));
        assert_eq!(month.cost_micros, 20);
        assert_eq!(periods.get("other", noon)[2], UsageCounters::default());
    }
}
