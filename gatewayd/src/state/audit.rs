//! The tamper-evident audit log: every control-plane change (who, what, before and after
//! without secrets) and every security event, appended to a SHA-256 hash chain, whose head
//! the daemon signs with its ed25519 key at intervals and on shutdown. Verification
//! recomputes every link and checks every signature.

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{Gateway, OpError};
use crate::model::{AuditEntry, AuditSeal};

tokio::task_local! {
    /// The control-plane caller a change is made for (`uid:N`), set around each RPC.
    pub static ACTOR: String;
}

/// Fields that never enter the audit log.
const SECRET_FIELDS: [&str; 4] = ["credentials", "proxy_sealed", "digest", "previous"];

/// What verification found.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditReport {
    pub entries: u64,
    /// The highest entry covered by a valid signature (0 = none).
    pub signed_through: u64,
    /// The first problem: the entry's sequence number and what is wrong.
    pub broken: Option<(u64, String)>,
}

/// A record as JSON without its secret fields.
pub fn redacted<T: Serialize>(record: &T) -> Value {
    let mut value = serde_json::to_value(record).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        for field in SECRET_FIELDS {
            map.remove(field);
        }
    }
    value
}

fn entry_hash(e: &AuditEntry) -> String {
    let body = json!([
        e.seq,
        e.at_ms,
        e.actor,
        e.action,
        e.target,
        e.detail,
        e.prev_hash
    ]);
    hex::encode(Sha256::digest(body.to_string().as_bytes()))
}

fn seal_message(seq: u64, hash: &str) -> Vec<u8> {
    format!("{seq}:{hash}").into_bytes()
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Gateway {
    /// Serialises appends to the chain (each links to the one before) and what must see
    /// it whole.
    pub(super) fn chain_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner
            .audit_lock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Appends one entry to the chain.
    pub fn audit(&self, action: &str, target: &str, detail: Value) -> Result<(), OpError> {
        let _chain = self.chain_lock();
        let actor = ACTOR
            .try_with(Clone::clone)
            .unwrap_or_else(|_| "gatewayd".to_owned());
        let at_ms = self.clock().now_millis();
        let entry = self.inner.store.append_audit(|head| {
            let mut entry = AuditEntry {
                seq: head.as_ref().map_or(1, |h| h.seq + 1),
                at_ms,
                actor,
                action: action.to_owned(),
                target: target.to_owned(),
                detail,
                prev_hash: head.map_or_else(|| GENESIS.to_owned(), |h| h.hash),
                hash: String::new(),
            };
            entry.hash = entry_hash(&entry);
            entry
        })?;
        tracing::info!(audit.seq = entry.seq, audit.action = action, audit.target = target, audit.actor = %entry.actor, "audited");
        Ok(())
    }

    /// A change to a record: its state before and after, without secrets.
    pub fn audit_change<T: Serialize>(
        &self,
        action: &str,
        target: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<(), OpError> {
        let detail = json!({"before": before.map(redacted), "after": after.map(redacted)});
        self.audit(action, target, detail)?;
        self.commit()
    }

    /// Makes every change so far durable before the caller is answered: sled is flushed
    /// to disk and the manifest rewritten to match it.
    pub fn commit(&self) -> Result<(), OpError> {
        let _chain = self.chain_lock();
        Ok(self.inner.store.commit(&self.inner.keys.manifest_key)?)
    }

    /// A configuration reload that changed something: each setting's old and new value
    /// (sensitive ones already hidden) and whether it waits for a restart.
    pub fn audit_reload(&self, changes: &[crate::config::Change]) -> Result<(), OpError> {
        let changes: serde_json::Map<String, Value> = changes
            .iter()
            .map(|c| {
                let detail = json!({"old": c.old, "new": c.new, "needs_restart": c.needs_restart});
                (c.setting.clone(), detail)
            })
            .collect();
        self.audit("System/ReloadConfig", "", json!({"changes": changes}))?;
        self.commit()
    }

    /// A security event from the data plane.
    pub fn audit_security(&self, kind: &str, detail: &str) -> Result<(), OpError> {
        self.audit(&format!("security/{kind}"), "", json!({"event": detail}))
    }

    /// The public half of the audit signing key, hex.
    pub fn audit_public_key(&self) -> String {
        self.inner.keys.signer.public_key_hex()
    }

    /// Signs the chain head if entries were added since the last signature.
    pub fn seal_audit(&self) -> Result<(), OpError> {
        let _chain = self.chain_lock();
        let Some(head) = self.inner.store.audit_head()? else {
            return Ok(());
        };
        let last = self.inner.store.audit_seals()?.last().map_or(0, |s| s.seq);
        if head.seq <= last {
            return Ok(());
        }
        let signature = self
            .inner
            .keys
            .signer
            .sign(&seal_message(head.seq, &head.hash));
        self.inner.store.put_audit_seal(&AuditSeal {
            seq: head.seq,
            hash: head.hash,
            at_ms: self.clock().now_millis(),
            signature: hex::encode(signature),
        })?;
        Ok(())
    }

    /// Entries at or after `since_ms`, oldest first, the last `limit` of them.
    pub fn audit_entries(&self, since_ms: u64, limit: usize) -> Result<Vec<AuditEntry>, OpError> {
        Ok(self.inner.store.audit_newest(since_ms, limit)?)
    }

    /// Recomputes the chain and checks every signature.
    pub fn verify_audit(&self) -> Result<AuditReport, OpError> {
        let entries = self.inner.store.audit_entries(1, usize::MAX)?;
        let mut report = AuditReport {
            entries: entries.len() as u64,
            signed_through: 0,
            broken: None,
        };
        let mut prev = GENESIS.to_owned();
        for (i, e) in entries.iter().enumerate() {
            let problem = if e.seq != i as u64 + 1 {
                Some(format!("expected entry {} here", i + 1))
            } else if e.prev_hash != prev {
                Some("its link to the previous entry does not match".to_owned())
            } else if entry_hash(e) != e.hash {
                Some("its content does not match its hash".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                report.broken = Some((e.seq, problem));
                return Ok(report);
            }
            prev.clone_from(&e.hash);
        }
        if let Some(problem) = self.beyond_anchor(&entries)? {
            report.broken = Some(problem);
            return Ok(report);
        }
        for seal in self.inner.store.audit_seals()? {
            let signed = hex::decode(&seal.signature).unwrap_or_default();
            let valid = self
                .inner
                .keys
                .signer
                .verify(&seal_message(seal.seq, &seal.hash), &signed);
            let matches = entries
                .get((seal.seq as usize).wrapping_sub(1))
                .is_some_and(|e| e.hash == seal.hash);
            if !valid || !matches {
                let why = if valid {
                    "a signed head no longer matches the chain"
                } else {
                    "a head signature is not valid"
                };
                report.broken = Some((seal.seq, why.to_owned()));
                return Ok(report);
            }
            report.signed_through = seal.seq;
        }
        Ok(report)
    }
}

impl Gateway {
    /// Whether the chain still reaches the head the manifest anchored outside sled, so
    /// a chain cut short (entries and seals alike) cannot verify.
    fn beyond_anchor(&self, entries: &[AuditEntry]) -> Result<Option<(u64, String)>, OpError> {
        let Some(anchor) = self
            .inner
            .store
            .read_manifest(&self.inner.keys.manifest_key)?
        else {
            return Ok(None);
        };
        if anchor.audit_seq == 0 {
            return Ok(None);
        }
        Ok(match entries.get(anchor.audit_seq as usize - 1) {
            None => Some((
                entries.len() as u64 + 1,
                format!(
                    "the chain ends at entry {} but entry {} was anchored in the manifest: entries were removed",
                    entries.len(),
                    anchor.audit_seq
                ),
            )),
            Some(e) if e.hash != anchor.audit_hash => Some((
                e.seq,
                "it is not the entry the manifest anchored".to_owned(),
            )),
            Some(_) => None,
        })
    }
}
