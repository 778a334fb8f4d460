//! Backups of the whole state while the daemon runs: a copy of the ledger first, then the
//! records written with every control-plane writer held off, so the backup is one
//! consistent moment of keys, accounts and the audit chain. Also the periodic backups
//! kept in a directory, the oldest removed past `keep`.

use std::path::{Path, PathBuf};

use super::{Gateway, OpError};
use crate::store::BackupHeader;

impl Gateway {
    /// Writes a backup of everything to `path` (which must not exist).
    pub async fn backup(&self, path: &Path) -> Result<BackupHeader, OpError> {
        let copy = sibling(path, "ledger-copy");
        let _ = std::fs::remove_file(&copy);
        self.inner.ledger.copy_to(&copy).await?;
        let gateway = self.clone();
        let (target, ledger_copy) = (path.to_owned(), copy.clone());
        let written = tokio::task::spawn_blocking(move || {
            let _writers = gateway.write_guard()?;
            let _chain = gateway.chain_lock();
            Ok::<_, OpError>(gateway.inner.store.write_backup(&target, &ledger_copy)?)
        })
        .await;
        let _ = std::fs::remove_file(&copy);
        match written {
            Ok(header) => Ok(header?),
            Err(e) => Err(OpError::new(super::ErrorKind::Internal, e.to_string())),
        }
    }
}

/// `path` with `.suffix` added to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a timestamped backup into `dir` and removes the oldest beyond `keep`.
pub async fn periodic(gateway: &Gateway, dir: &Path, keep: usize) -> Result<PathBuf, OpError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        OpError::new(
            super::ErrorKind::Internal,
            format!("cannot create the backup directory {}: {e}", dir.display()),
        )
    })?;
    let path = dir.join(format!("gatewayd-{}.backup", gateway.clock().now_millis()));
    gateway.backup(&path).await?;
    let mut kept: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("gatewayd-") && n.ends_with(".backup"))
        })
        .collect();
    // Names carry the time in milliseconds with the same number of digits: they sort.
    kept.sort();
    let surplus = kept.len().saturating_sub(keep.max(1));
    for old in &kept[..surplus] {
        if let Err(e) = std::fs::remove_file(old) {
            tracing::warn!(path = %old.display(), error = %e, "cannot remove an old backup");
        }
    }
    Ok(path)
}
