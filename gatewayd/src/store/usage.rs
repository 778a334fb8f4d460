//! One recorder batch as it reaches the ledger: counters, log entries and rollups, and the
//! marks it moves (keys' last use, accounts' quota counts).

use std::collections::HashMap;
use std::sync::Arc;

/// The maps summed for every request (foldhash: SipHash was a tenth of the request
/// path's instructions here).
pub type Tally<K, V> = foldhash::HashMap<K, V>;

use crate::model::{Quota, RequestLogEntry, UnixSecs, UsageCounters, UsageScope};
use crate::rollup::{Grain, Rollup};

/// One batch of counted usage, summed in memory before it reaches the stores.
#[derive(Debug, Default)]
pub struct UsageDelta {
    /// Usage records summed into this batch.
    pub records: u64,
    pub counters: Tally<(UsageScope, Arc<str>), UsageCounters>,
    /// Key id → the latest time it was used in this batch.
    pub last_used: Tally<Arc<str>, UnixSecs>,
    /// Request log entries, oldest first.
    pub log: Vec<RequestLogEntry>,
    /// Minute, hourly and daily rollups: (scope, id, grain, bucket start in Unix seconds).
    pub rollups: Tally<(UsageScope, Arc<str>, Grain, u64), Rollup>,
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
        self.records += older.records;
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

/// What a batch changes beside the usage proper, as absolute values: each key's last use
/// and each account's quota count. Written with the batch, held in memory by the state.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UsageMarks {
    pub last_used: HashMap<String, UnixSecs>,
    pub quota: HashMap<String, Quota>,
}
