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
    let store = Store::open(data_dir)?;
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
