//! `gatewayd restore FILE --data-dir DIR`: writes a stopped daemon's data directory from
//! a backup (what was there is moved aside, not deleted), checks the master key found
//! for DIR against the one the backup was sealed under, and writes the manifest anew.

use std::path::Path;

use crate::secrets::MasterKeySource;
use crate::store::{BackupHeader, Store};
use crate::RunError;

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub header: BackupHeader,
    /// Whether a master key was found for the directory (and matched the backup).
    pub master_key_found: bool,
}

/// Restores `file` into `data_dir`. A master key that does not match the backup's is
/// refused after the restore, with the directory left for the right key to be put in.
pub fn restore(
    file: &Path,
    data_dir: &Path,
    master_key_file: Option<&Path>,
) -> Result<Restored, RunError> {
    let header = crate::store::restore(file, data_dir)?;
    let source = MasterKeySource::resolve(data_dir, master_key_file)?;
    if !source.exists() {
        return Ok(Restored {
            header,
            master_key_found: false,
        });
    }
    let master = source.load(false)?;
    let store = open_when_released(data_dir)?;
    if store
        .setting(crate::app::KEY_CHECK)?
        .is_some_and(|check| check != master.check_value())
    {
        return Err(RunError::MasterKeyMismatch);
    }
    store.commit(&master.manifest_key())?;
    Ok(Restored {
        header,
        master_key_found: true,
    })
}

/// Opens the store the restore has just written. sled lets go of its lock a moment after
/// the restore's own handle is dropped (its I/O threads keep the file open until they
/// finish), so a lock still held is waited for, a few seconds at most.
fn open_when_released(data_dir: &Path) -> Result<Store, crate::store::StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match Store::open(data_dir) {
            Err(crate::store::StoreError::Open { source, .. })
                if source.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            opened => return opened,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::open_when_released;

    #[test]
    fn a_store_whose_lock_is_still_held_is_opened_once_it_is_let_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let holder = sled::Config::new()
            .path(dir.path().join("db"))
            .open()
            .expect("sled");
        let releasing = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(holder);
        });
        let opened = open_when_released(dir.path());
        releasing.join().expect("releasing thread");
        assert!(opened.is_ok(), "{:?}", opened.err());
    }
}
