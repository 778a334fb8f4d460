//! Each account's state transitions, oldest first, the most recent few hundred kept.

use super::{decode, encode, Store, StoreError};
use crate::model::AccountEvent;

/// Transitions kept per account.
const KEEP: usize = 200;

/// `{account id}/{at_ms:020}{seq:010}`: sorted by time within an account.
fn key(account: &str, at_ms: u64, seq: u64) -> Vec<u8> {
    format!("{account}/{at_ms:020}{seq:010}").into_bytes()
}

fn prefix(account: &str) -> Vec<u8> {
    format!("{account}/").into_bytes()
}

impl Store {
    /// Appends a transition, dropping the oldest beyond the limit.
    pub fn append_account_event(
        &self,
        account: &str,
        event: &AccountEvent,
    ) -> Result<(), StoreError> {
        self.check_space()?;
        let shared = self.clustered(|txn| {
            let id = key(account, event.at_ms, txn.version.unsigned_abs());
            txn.put("account_events", &id, Some(encode(event)?))?;
            let ids = txn.ids("account_events", &prefix(account))?;
            for old in ids.iter().take(ids.len().saturating_sub(KEEP)) {
                txn.put("account_events", old, None)?;
            }
            Ok(())
        });
        if let Some(done) = shared {
            return done;
        }
        let seq = self.db.generate_id()?;
        self.events
            .insert(key(account, event.at_ms, seq), encode(event)?)?;
        let count = self.events.scan_prefix(prefix(account)).count();
        for old in self
            .events
            .scan_prefix(prefix(account))
            .keys()
            .take(count.saturating_sub(KEEP))
        {
            self.events.remove(old?)?;
        }
        Ok(())
    }

    /// The last `limit` transitions of an account, oldest first.
    pub fn account_events(
        &self,
        account: &str,
        limit: usize,
    ) -> Result<Vec<AccountEvent>, StoreError> {
        let mut events = self
            .events
            .scan_prefix(prefix(account))
            .rev()
            .take(limit)
            .map(|entry| {
                let (k, v) = entry?;
                decode("account_events", &k, &v)
            })
            .collect::<Result<Vec<_>, _>>()?;
        events.reverse();
        Ok(events)
    }

    /// Forgets a removed account's transitions.
    pub fn delete_account_events(&self, account: &str) -> Result<(), StoreError> {
        let shared = self.clustered(|txn| {
            for old in txn.ids("account_events", &prefix(account))? {
                txn.put("account_events", &old, None)?;
            }
            Ok(())
        });
        if let Some(done) = shared {
            return done;
        }
        for k in self.events.scan_prefix(prefix(account)).keys() {
            self.events.remove(k?)?;
        }
        Ok(())
    }
}
