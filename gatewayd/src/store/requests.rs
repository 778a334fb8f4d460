//! The request log, stored one recorder batch per sled value (one insert per second
//! instead of one per request, which kept sled's in-memory tree growing with traffic).
//! Keys are `write time (ms) ‖ sequence ‖ entry count`, so batches sort in the order they
//! were written, survive restarts in order, and can be counted without being read.
//! Pruned by age and count, trimming the oldest batch that straddles the count limit.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{decode, encode, Store, StoreError};
use crate::model::RequestLogEntry;

static SEQ: AtomicU64 = AtomicU64::new(0);

/// `written_ms ‖ seq ‖ count`, all big-endian.
fn batch_key(written_ms: u64, seq: u64, count: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..8].copy_from_slice(&written_ms.to_be_bytes());
    key[8..16].copy_from_slice(&seq.to_be_bytes());
    key[16..].copy_from_slice(&count.to_be_bytes());
    key
}

/// Entries in the batch under `key`. A 16-byte key is the older one-entry-per-key form.
fn count_of(key: &[u8]) -> usize {
    if key.len() == 16 {
        return 1;
    }
    key.get(16..20)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_be_bytes(b) as usize)
}

/// A position in the log (the last batch seen), for following it.
pub type LogCursor = Vec<u8>;

impl Store {
    /// Appends one recorder batch as one value.
    pub fn append_log(&self, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let key = batch_key(crate::model::now_millis(), seq, entries.len() as u32);
        self.requests.insert(key, encode(&entries)?)?;
        Ok(())
    }

    fn batch(&self, key: &[u8], raw: &[u8]) -> Result<Vec<RequestLogEntry>, StoreError> {
        if key.len() == 16 {
            return Ok(vec![decode("requests", key, raw)?]);
        }
        decode("requests", key, raw)
    }

    /// Drops batches written before `min_at_ms`, then the oldest entries beyond
    /// `max_entries`. Returns how many entries went.
    pub fn prune_log(&self, min_at_ms: u64, max_entries: usize) -> Result<usize, StoreError> {
        let mut removed = 0;
        let cutoff = min_at_ms.to_be_bytes();
        for key in self.requests.range(..cutoff.as_slice()).keys() {
            let key = key?;
            removed += count_of(&key);
            self.requests.remove(key)?;
        }
        // Walk back from the newest batch to the one that crosses the limit.
        let mut kept = 0;
        let mut boundary = None;
        for key in self.requests.iter().keys().rev() {
            let key = key?;
            let n = count_of(&key);
            if kept + n <= max_entries {
                kept += n;
                continue;
            }
            boundary = Some((key, max_entries - kept));
            break;
        }
        let Some((key, room)) = boundary else {
            return Ok(removed);
        };
        for older in self.requests.range(..key.as_ref()).keys() {
            let older = older?;
            removed += count_of(&older);
            self.requests.remove(older)?;
        }
        if let Some(raw) = self.requests.remove(&key)? {
            let mut entries = self.batch(&key, &raw)?;
            removed += entries.len().saturating_sub(room);
            if room > 0 && key.len() == 20 {
                // Keep the newest `room` entries of the batch on the limit; its key keeps
                // its place (same time and sequence, smaller count).
                let newest = entries.split_off(entries.len().saturating_sub(room));
                let mut trimmed = key.to_vec();
                trimmed[16..].copy_from_slice(&(newest.len() as u32).to_be_bytes());
                self.requests.insert(trimmed, encode(&newest)?)?;
            }
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
        'batches: for entry in self.requests.iter().rev() {
            let (k, v) = entry?;
            for e in self.batch(&k, &v)?.into_iter().rev() {
                if keep(&e) {
                    out.push(e);
                    if out.len() == limit {
                        break 'batches;
                    }
                }
            }
        }
        out.reverse();
        Ok((out, cursor))
    }

    /// Entries of the batches after `cursor` passing `keep`, and the new cursor.
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
            out.extend(self.batch(&k, &v)?.into_iter().filter(|e| keep(e)));
        }
        Ok((out, next))
    }
}
