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

    /// Appends the entry `make` builds on the head (in cluster mode, the cluster's head,
    /// read and extended in one change that every other writer queues behind; on a
    /// single node the caller serialises appends).
    pub fn append_audit(
        &self,
        make: impl FnOnce(Option<AuditEntry>) -> AuditEntry,
    ) -> Result<AuditEntry, StoreError> {
        self.check_space()?;
        let mut make = Some(make);
        let mut build = |head| make.take().map(|make| make(head));
        let shared = self.clustered(|txn| {
            let head = txn
                .last("audit")?
                .map(|raw| decode("audit", b"head", &raw))
                .transpose()?;
            let entry = build(head).expect("built once");
            txn.put("audit", &entry.seq.to_be_bytes(), Some(encode(&entry)?))?;
            Ok(entry)
        });
        match shared {
            Some(done) => done,
            None => {
                let entry = build(self.audit_head()?).expect("built once");
                self.audit
                    .insert(entry.seq.to_be_bytes(), encode(&entry)?)?;
                Ok(entry)
            }
        }
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
        self.put_record(
            &self.audit_seals,
            "audit_seals",
            &seal.seq.to_be_bytes(),
            seal,
        )
    }

    /// Every signed head, oldest first.
    pub fn audit_seals(&self) -> Result<Vec<AuditSeal>, StoreError> {
        super::scan(&self.audit_seals, "audit_seals")
    }
}
