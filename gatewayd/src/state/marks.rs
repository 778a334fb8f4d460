//! Usage marks beside the records: each key's last use and each account's quota count
//! (tokens since its subscription window reset). The recorder works out what a batch
//! moves, the ledger stores it with the batch, and the copy held here is laid over the
//! records that control reads return, without a database read.

use super::Gateway;
use crate::model::{AccountRecord, KeyRecord, UsageScope};
use crate::store::{UsageDelta, UsageMarks};

impl Gateway {
    /// Seeds the marks held in memory (at start, from the ledger).
    pub fn seed_marks(&self, marks: UsageMarks) {
        *self.marks() = marks;
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, UsageMarks> {
        self.inner.marks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The marks `delta` moves, as new absolute values; nothing changes until they are
    /// [applied](Self::apply_marks) after the batch is stored.
    pub fn marks_moved_by(&self, delta: &UsageDelta) -> UsageMarks {
        let held = self.marks();
        let mut moved = UsageMarks::default();
        for (key, at) in &delta.last_used {
            let prev = held.last_used.get(&**key).copied().unwrap_or(0);
            moved.last_used.insert(key.to_string(), prev.max(*at));
        }
        let now = self.clock().now_secs();
        for ((scope, id), counters) in &delta.counters {
            if *scope != UsageScope::Account {
                continue;
            }
            let mut quota = held
                .quota
                .get(&**id)
                .copied()
                .or_else(|| self.stored_quota(id))
                .unwrap_or_default();
            // A window that has reset starts from zero.
            if quota.reset_time.is_some_and(|r| r <= now) {
                quota.used = 0;
            }
            if let Some(reset) = delta.quota_resets.get(&**id) {
                quota.reset_time = Some(*reset as i64);
            }
            quota.used += counters.tokens.input_tokens + counters.tokens.output_tokens;
            moved.quota.insert(id.to_string(), quota);
        }
        moved
    }

    /// The quota count an account record from before the ledger kept carries.
    fn stored_quota(&self, id: &str) -> Option<crate::model::Quota> {
        self.inner.store.account(id).ok().flatten().map(|a| a.quota)
    }

    /// Takes the marks a stored batch moved.
    pub fn apply_marks(&self, moved: UsageMarks) {
        let mut held = self.marks();
        held.last_used.extend(moved.last_used);
        held.quota.extend(moved.quota);
    }

    /// A key record with its last use as counted.
    pub(super) fn with_key_marks(&self, mut key: KeyRecord) -> KeyRecord {
        if let Some(at) = self.marks().last_used.get(&key.id) {
            key.last_used = key.last_used.max(Some(*at));
        }
        key
    }

    /// An account record with its quota count as counted.
    pub(super) fn with_account_marks(&self, mut account: AccountRecord) -> AccountRecord {
        if let Some(quota) = self.marks().quota.get(&account.id) {
            account.quota = *quota;
        }
        account
    }
}
