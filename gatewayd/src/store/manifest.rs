//! The manifest: an independent, authenticated record of what the records database must
//! hold (how many keys and accounts, how long the audit chain is and the hash of its
//! head), rewritten after every acknowledged change once sled has flushed it. At start
//! the database is checked against it, so records sled lost or a chain cut short are
//! refused loudly instead of served.

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::Sha256;

use super::{Store, StoreError};

/// The manifest's file in the data directory.
pub const FILE: &str = "manifest.json";

/// What the records database holds at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub keys: u64,
    pub accounts: u64,
    /// The audit chain's last sequence number (0 = empty) and that entry's hash.
    pub audit_seq: u64,
    pub audit_hash: String,
    pub written_ms: u64,
}

/// The file: the manifest as written, and its HMAC under the master key.
#[derive(Serialize, Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    manifest: &'a RawValue,
    mac: String,
}

fn mac(key: &[u8; 32], body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    mac
}

impl Store {
    /// What the database holds now.
    pub fn current_manifest(&self) -> Result<Manifest, StoreError> {
        let head = self.audit_head()?;
        Ok(Manifest {
            keys: self.keys.len() as u64,
            accounts: self.accounts.len() as u64,
            audit_seq: head.as_ref().map_or(0, |h| h.seq),
            audit_hash: head.map(|h| h.hash).unwrap_or_default(),
            written_ms: crate::clock::Clock::system().now_millis(),
        })
    }

    /// Flushes sled, then replaces the manifest with what it now holds (written to a
    /// temporary file, synced, renamed into place, directory synced).
    pub fn commit(&self, key: &[u8; 32]) -> Result<(), StoreError> {
        self.db.flush()?;
        let manifest = self.current_manifest()?;
        let body = serde_json::to_string(&manifest).map_err(StoreError::Encode)?;
        let raw = RawValue::from_string(body).map_err(StoreError::Encode)?;
        let tag = hex::encode(mac(key, raw.get().as_bytes()).finalize().into_bytes());
        let file = serde_json::to_vec_pretty(&Envelope {
            manifest: &raw,
            mac: tag,
        })
        .map_err(StoreError::Encode)?;
        write_atomically(&self.dir, FILE, &file).map_err(|source| StoreError::Manifest {
            path: self.dir.join(FILE).display().to_string(),
            source,
        })
    }

    /// The manifest last written, `None` if there is none; an error if it is damaged or
    /// was not written under this master key.
    pub fn read_manifest(&self, key: &[u8; 32]) -> Result<Option<Manifest>, StoreError> {
        let path = self.dir.join(FILE);
        let damaged = |why: &str| {
            StoreError::Integrity(format!(
            "the manifest {} {why}; restore the data directory from a backup (`gatewayd restore`), or move the manifest away to accept the database as it is",
            path.display()
        ))
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Manifest {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let envelope: Envelope =
            serde_json::from_slice(&bytes).map_err(|_| damaged("is not readable"))?;
        let tag = hex::decode(&envelope.mac).map_err(|_| damaged("has no valid checksum"))?;
        mac(key, envelope.manifest.get().as_bytes())
            .verify_slice(&tag)
            .map_err(|_| {
                damaged("fails its checksum (damaged, edited, or written under another master key)")
            })?;
        serde_json::from_str(envelope.manifest.get())
            .map(Some)
            .map_err(|_| damaged("is not readable"))
    }
}

fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written {
        // A half-written file must not hold on to the space of a full disk.
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dir.join(name))?;
    std::fs::File::open(dir)?.sync_all()
}

impl Store {
    /// Checks the database against the manifest: the audit chain must reach the
    /// acknowledged head with the same hash, and where nothing was appended since, the
    /// key and account counts must match. A chain that went further is the crash window
    /// between sled's flush and the manifest's rewrite, and is accepted.
    pub fn verify_manifest(&self, key: &[u8; 32]) -> Result<(), StoreError> {
        let Some(expected) = self.read_manifest(key)? else {
            return Ok(());
        };
        let found = self.current_manifest()?;
        let lost = |what: String| {
            StoreError::Integrity(format!(
            "{what}; records were lost or damaged. Restore the data directory from a backup (`gatewayd restore FILE --data-dir {dir}`), or move {dir}/{FILE} away to start from the database as it is",
            dir = self.dir.display()
        ))
        };
        if found.audit_seq < expected.audit_seq {
            return Err(lost(format!(
                "the audit chain ends at entry {} but entry {} was acknowledged",
                found.audit_seq, expected.audit_seq
            )));
        }
        if expected.audit_seq > 0 {
            let entry = self.audit_entry(expected.audit_seq)?;
            if entry.is_none_or(|e| e.hash != expected.audit_hash) {
                return Err(lost(format!(
                    "audit entry {} is not the one that was acknowledged",
                    expected.audit_seq
                )));
            }
        }
        if found.audit_seq == expected.audit_seq
            && (found.keys, found.accounts) != (expected.keys, expected.accounts)
        {
            return Err(lost(format!(
                "the database holds {} keys and {} accounts where {} and {} were acknowledged",
                found.keys, found.accounts, expected.keys, expected.accounts
            )));
        }
        Ok(())
    }
}
