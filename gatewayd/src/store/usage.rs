//! What a recorder batch changes in sled: the keys' `last_used` stamps and the accounts'
//! quota counts. The batch's usage proper goes to the ledger.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Store, StoreError};
use crate::model::{RequestLogEntry, UnixSecs, UsageCounters, UsageScope};
use crate::rollup::{Grain, Rollup};

/// One batch of counted usage, summed in memory before it reaches the stores.
#[derive(Debug, Default)]
pub struct UsageDelta {
    pub counters: HashMap<(UsageScope, Arc<str>), UsageCounters>,
    /// Key id → the latest time it was used in this batch.
    pub last_used: HashMap<Arc<str>, UnixSecs>,
    /// Request log entries, oldest first.
    pub log: Vec<RequestLogEntry>,
    /// Hourly and daily rollups: (scope, id, grain, bucket start in Unix seconds).
    pub rollups: HashMap<(UsageScope, Arc<str>, Grain, u64), Rollup>,
    /// Account id → when its binding subscription window resets (Unix seconds), as the
    /// upstream last reported it.
    pub quota_resets: HashMap<String, u64>,
}

impl UsageDelta {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.counters.is_empty()
            && self.last_used.is_empty()
            && self.log.is_empty()
            && self.rollups.is_empty()
    }

    /// Adds a batch that could not be written in front of this one, so it is retried
    /// with it. Keeps at most `max_log` log entries, dropping the oldest; returns how many
    /// went. Counters, stamps and rollups are small and always kept.
    pub fn absorb_older(&mut self, older: UsageDelta, max_log: usize) -> usize {
        for (k, c) in older.counters {
            self.counters.entry(k).or_default().add(&c);
        }
        for (k, at) in older.last_used {
            let newest = self.last_used.entry(k).or_insert(at);
            *newest = (*newest).max(at);
        }
        for (k, r) in older.rollups {
            self.rollups.entry(k).or_default().merge(&r);
        }
        for (k, reset) in older.quota_resets {
            self.quota_resets.entry(k).or_insert(reset);
        }
        let mut log = older.log;
        log.append(&mut self.log);
        let dropped = log.len().saturating_sub(max_log);
        log.drain(..dropped);
        self.log = log;
        dropped
    }
}

impl Store {
    /// Stamps each key's `last_used` and adds each account's tokens to its quota.
    pub fn apply_usage_marks(&self, delta: &UsageDelta) -> Result<(), StoreError> {
        self.add_quota_usage(delta)?;
        for (id, at) in &delta.last_used {
            self.update_key(id, |key| {
                if key.last_used.is_none_or(|prev| prev < *at) {
                    key.last_used = Some(*at);
                }
            })?;
        }
        Ok(())
    }

    /// Each account's quota: tokens counted since its window last reset, and the reset the
    /// upstream reports; a window that has reset starts from zero.
    fn add_quota_usage(&self, delta: &UsageDelta) -> Result<(), StoreError> {
        let now = crate::model::now_secs();
        for ((scope, id), counters) in &delta.counters {
            if *scope != UsageScope::Account {
                continue;
            }
            let tokens = counters.tokens.input_tokens + counters.tokens.output_tokens;
            let reset = delta.quota_resets.get(&**id).map(|r| *r as i64);
            self.update_account(id, |a| {
                if a.quota.reset_time.is_some_and(|r| r <= now) {
                    a.quota.used = 0;
                }
                if reset.is_some() {
                    a.quota.reset_time = reset;
                }
                a.quota.used += tokens;
            })?;
        }
        Ok(())
    }
}
