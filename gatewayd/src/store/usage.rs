//! Usage totals per scope, merged in batches by the recorder; plus `last_used` stamps.

use std::collections::HashMap;
use std::sync::Arc;

use super::{decode, encode, Store, StoreError};
use crate::model::{RequestLogEntry, UnixSecs, UsageCounters, UsageScope};
use crate::rollup::{Grain, Rollup};

/// One batch of counted usage, summed in memory before it reaches the store.
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
}

fn usage_key(scope: UsageScope, id: &str) -> Vec<u8> {
    let mut k = scope.as_str().as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

impl Store {
    /// Adds a batch to the stored totals, atomically per row.
    pub fn add_usage(&self, delta: &UsageDelta) -> Result<(), StoreError> {
        for ((scope, id), add) in &delta.counters {
            let key = usage_key(*scope, id);
            let mut failure = None;
            self.usage.update_and_fetch(&key, |old| {
                let mut total: UsageCounters = match old.map(|raw| decode("usage", &key, raw)) {
                    Some(Ok(t)) => t,
                    Some(Err(e)) => {
                        failure = Some(e);
                        UsageCounters::default()
                    }
                    None => UsageCounters::default(),
                };
                total.add(add);
                encode(&total).ok()
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
        }
        self.append_log(&delta.log)?;
        self.add_rollups(&delta.rollups)?;
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

    /// Every row of one scope: (id, totals).
    pub fn usage(&self, scope: UsageScope) -> Result<Vec<(String, UsageCounters)>, StoreError> {
        let prefix = usage_key(scope, "");
        self.usage
            .scan_prefix(&prefix)
            .map(|entry| {
                let (k, v) = entry?;
                let id = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
                Ok((id, decode("usage", &k, &v)?))
            })
            .collect()
    }
}
