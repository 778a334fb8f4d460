//! The audit chain (entries by sequence number) and its signed heads.

use super::{decode, encode, Store, StoreError};
use crate::model::{AuditEntry, AuditSeal};

impl Store {
    /// The last entry, if any.
    pub fn audit_head(&self) -> Result<Option<AuditEntry>, StoreError> {
        self.audit
            .last()?
            .map(|(k, v)| decode("audit", &k, &v))
            .transpose()
    }

    /// The newest `limit` entries, walking back from the head until one is older than
    /// `since_ms`; oldest first. Reads only what it returns (and one more).
    pub fn audit_newest(&self, since_ms: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::with_capacity(limit.min(1_024));
        for entry in self.audit.iter().rev() {
            let (k, v) = entry?;
            let e: AuditEntry = decode("audit", &k, &v)?;
            if e.at_ms < since_ms || out.len() == limit {
                break;
            }
            out.push(e);
        }
        out.reverse();
        Ok(out)
    }

    /// The entry with sequence number `seq`.
    pub fn audit_entry(&self, seq: u64) -> Result<Option<AuditEntry>, StoreError> {
        self.audit
            .get(seq.to_be_bytes())?
            .map(|v| decode("audit", &seq.to_be_bytes(), &v))
            .transpose()
    }

    /// Appends an entry (its `seq` follows the head; the caller serialises appends).
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.check_space()?;
        self.audit.insert(entry.seq.to_be_bytes(), encode(entry)?)?;
        Ok(())
    }

    /// Entries from `seq` on, oldest first, at most `limit`.
    pub fn audit_entries(
        &self,
        from_seq: u64,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit
            .range(from_seq.to_be_bytes()..)
            .take(limit)
            .map(|entry| {
                let (k, v) = entry?;
                decode("audit", &k, &v)
            })
            .collect()
    }

    /// Records a signed head.
    pub fn put_audit_seal(&self, seal: &AuditSeal) -> Result<(), StoreError> {
        self.check_space()?;
        self.audit_seals
            .insert(seal.seq.to_be_bytes(), encode(seal)?)?;
        Ok(())
    }

    /// Every signed head, oldest first.
    pub fn audit_seals(&self) -> Result<Vec<AuditSeal>, StoreError> {
        super::scan(&self.audit_seals, "audit_seals")
    }
}
