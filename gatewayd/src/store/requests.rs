//! The request log: entries keyed by arrival time (and a sequence number for ties), so
//! ranges by time are prefix scans; pruned by age and count.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{decode, encode, Store, StoreError};
use crate::model::RequestLogEntry;

static SEQ: AtomicU64 = AtomicU64::new(0);

fn log_key(at_ms: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&at_ms.to_be_bytes());
    key[8..].copy_from_slice(&SEQ.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    key
}

/// A position in the log, for following it.
pub type LogCursor = Vec<u8>;

impl Store {
    /// Appends entries in one batch.
    pub fn append_log(&self, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for entry in entries {
            batch.insert(&log_key(entry.at_ms), encode(entry)?);
        }
        self.requests.apply_batch(batch)?;
        Ok(())
    }

    /// Drops entries older than `min_at_ms`, then the oldest beyond `max_entries`.
    pub fn prune_log(&self, min_at_ms: u64, max_entries: usize) -> Result<usize, StoreError> {
        let mut removed = 0;
        let cutoff = min_at_ms.to_be_bytes();
        for key in self.requests.range(..cutoff.as_slice()).keys() {
            self.requests.remove(key?)?;
            removed += 1;
        }
        let len = self.requests.len();
        for key in self
            .requests
            .iter()
            .keys()
            .take(len.saturating_sub(max_entries))
        {
            self.requests.remove(key?)?;
            removed += 1;
        }
        Ok(removed)
    }

    /// The newest `limit` entries passing `keep`, oldest first, and a cursor after the newest.
    pub fn log_tail(
        &self,
        limit: usize,
        keep: impl Fn(&RequestLogEntry) -> bool,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), StoreError> {
        let cursor = self
            .requests
            .last()?
            .map(|(k, _)| k.to_vec())
            .unwrap_or_default();
        let mut out = Vec::new();
        for entry in self.requests.iter().rev() {
            let (k, v) = entry?;
            let e: RequestLogEntry = decode("requests", &k, &v)?;
            if keep(&e) {
                out.push(e);
                if out.len() == limit {
                    break;
                }
            }
        }
        out.reverse();
        Ok((out, cursor))
    }

    /// Entries after `cursor` passing `keep`, and the new cursor.
    pub fn log_after(
        &self,
        cursor: &LogCursor,
        keep: impl Fn(&RequestLogEntry) -> bool,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), StoreError> {
        let mut next = cursor.clone();
        let mut out = Vec::new();
        let from = std::ops::Bound::Excluded(cursor.as_slice());
        for entry in self
            .requests
            .range::<&[u8], _>((from, std::ops::Bound::Unbounded))
        {
            let (k, v) = entry?;
            next = k.to_vec();
            let e: RequestLogEntry = decode("requests", &k, &v)?;
            if keep(&e) {
                out.push(e);
            }
        }
        Ok((out, next))
    }
}
