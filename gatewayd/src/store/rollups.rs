//! Hourly and daily rollups, keyed `{scope}\0{grain}\0{bucket:020}\0{id}` so a window of
//! one scope and grain is one range scan.

use std::collections::HashMap;

use super::{decode, encode, Store, StoreError};
use crate::model::UsageScope;
use crate::rollup::{Grain, Rollup};

fn prefix(scope: UsageScope, grain: Grain) -> Vec<u8> {
    format!("{}\0{}\0", scope.as_str(), grain.as_str()).into_bytes()
}

fn key(scope: UsageScope, grain: Grain, bucket: u64, id: &str) -> Vec<u8> {
    let mut k = prefix(scope, grain);
    k.extend_from_slice(format!("{bucket:020}\0{id}").as_bytes());
    k
}

impl Store {
    /// Merges a batch of rollups into the stored ones.
    pub fn add_rollups(
        &self,
        batch: &HashMap<(UsageScope, std::sync::Arc<str>, Grain, u64), Rollup>,
    ) -> Result<(), StoreError> {
        for ((scope, id, grain, bucket), add) in batch {
            let k = key(*scope, *grain, *bucket, id);
            let mut merged: Rollup = match self.rollups.get(&k)? {
                Some(raw) => decode("rollups", &k, &raw)?,
                None => Rollup::default(),
            };
            merged.merge(add);
            self.rollups.insert(k, encode(&merged)?)?;
        }
        Ok(())
    }

    /// Every group's rollup of `scope` summed over the buckets from `since_secs` on.
    pub fn rollup_window(
        &self,
        scope: UsageScope,
        grain: Grain,
        since_secs: u64,
    ) -> Result<HashMap<String, Rollup>, StoreError> {
        let start = key(scope, grain, grain.bucket(since_secs), "");
        let p = prefix(scope, grain);
        let mut groups: HashMap<String, Rollup> = HashMap::new();
        for entry in self.rollups.range(start..) {
            let (k, v) = entry?;
            if !k.starts_with(&p) {
                break;
            }
            let id = String::from_utf8_lossy(&k[p.len() + 21..]).into_owned();
            let rollup: Rollup = decode("rollups", &k, &v)?;
            groups.entry(id).or_default().merge(&rollup);
        }
        Ok(groups)
    }

    /// Drops buckets older than `before_secs` of `grain`.
    pub fn prune_rollups(&self, grain: Grain, before_secs: u64) -> Result<(), StoreError> {
        for scope in [
            UsageScope::Key,
            UsageScope::Account,
            UsageScope::Model,
            UsageScope::Dialect,
        ] {
            let end = key(scope, grain, grain.bucket(before_secs), "");
            for k in self.rollups.range(prefix(scope, grain)..end).keys() {
                self.rollups.remove(k?)?;
            }
        }
        Ok(())
    }
}
