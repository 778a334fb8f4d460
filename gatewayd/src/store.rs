//! The only module that touches a database. sled holds the records (keys, accounts,
//! account transitions, settings, saved limits, the audit chain): small, rarely written,
//! values in JSON so a data dir can be inspected, secrets sealed or hashed. The usage
//! ledger (request log, rollups, totals) is SQLite, in `ledger`.

mod audit;
mod backup;
mod cluster;
mod events;
pub mod hot;
mod ledger;
mod legacy;
mod limits;
mod manifest;
mod records;
mod usage;

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use backup::{restore, Header as BackupHeader};
pub use cluster::{Cluster, NodeBeat};
pub use ledger::{Ledger, LogCursor, LogQuery};
pub use usage::{Tally, UsageDelta, UsageMarks};

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database in {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sled::Error,
    },
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("corrupt record {key:?} in tree {tree}: {source}")]
    Corrupt {
        tree: &'static str,
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot encode a record: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("cannot open the usage ledger {path}: {source}")]
    OpenLedger {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot write the manifest {path}: {source}")]
    Manifest {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write or read the backup {path}: {source}")]
    Backup {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the database in {0} is in use: stop the gatewayd running on it first")]
    InUse(String),
    #[error("the disk holding {path} is full ({free} bytes free); free space there and retry")]
    DiskFull { path: String, free: u64 },
    #[error("the data directory failed its integrity check: {0}")]
    Integrity(String),
    #[error("usage ledger error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("the cluster's PostgreSQL failed: {0}; if it is unreachable, control changes are refused until it is back while this node serves from its last snapshot")]
    Cluster(#[source] sqlx::Error),
    #[error("the cluster's PostgreSQL did not answer within {0:?}; control changes are refused until it is back while this node serves from its last snapshot")]
    ClusterTimeout(std::time::Duration),
    #[error("the cluster's PostgreSQL schema: {0}")]
    ClusterSchema(String),
    #[error("cluster mode: {0}")]
    ClusterConfig(String),
    #[error("{path} has schema version {found}, newer than this gatewayd understands ({known}); run the newer gatewayd or restore a backup made by this one")]
    NewerSchema {
        path: String,
        found: String,
        known: i64,
    },
}

/// The handle every part of the daemon shares; cheap to clone.
#[derive(Clone)]
pub struct Store {
    dir: std::path::PathBuf,
    db: sled::Db,
    keys: sled::Tree,
    accounts: sled::Tree,
    usage: sled::Tree,
    requests: sled::Tree,
    settings: sled::Tree,
    events: sled::Tree,
    audit: sled::Tree,
    audit_seals: sled::Tree,
    limits: sled::Tree,
    rollups: sled::Tree,
    /// Cluster mode: the shared record every write goes to first.
    cluster: Option<std::sync::Arc<Cluster>>,
}

const SCHEMA_VERSION: &[u8] = b"1";
const SCHEMA_NUMBER: u32 = 1;

/// sled's page cache. Its default (1 GiB) lets the request log and rollups, written
/// every second, grow the daemon's memory without bound; reads here are rare (control
/// plane, start-up), so a small cache costs nothing on the request path.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

impl Store {
    /// Opens (or creates) the database under `dir/db`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join("db");
        let db = sled::Config::new()
            .path(&path)
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source,
            })?;
        let store = Self {
            dir: dir.to_owned(),
            keys: db.open_tree("keys")?,
            accounts: db.open_tree("accounts")?,
            usage: db.open_tree("usage")?,
            requests: db.open_tree("requests")?,
            settings: db.open_tree("settings")?,
            events: db.open_tree("account_events")?,
            audit: db.open_tree("audit")?,
            audit_seals: db.open_tree("audit_seals")?,
            limits: db.open_tree("limits")?,
            rollups: db.open_tree("rollups")?,
            cluster: None,
            db,
        };
        let found = store
            .settings
            .compare_and_swap(
                "schema_version",
                None as Option<&[u8]>,
                Some(SCHEMA_VERSION),
            )?
            .err()
            .and_then(|e| e.current);
        let newer = |v: &sled::IVec| {
            String::from_utf8_lossy(v)
                .parse::<u32>()
                .map_or(true, |n| n > SCHEMA_NUMBER)
        };
        if let Some(found) = found.filter(newer) {
            return Err(StoreError::NewerSchema {
                path: path.display().to_string(),
                found: String::from_utf8_lossy(&found).into_owned(),
                known: i64::from(SCHEMA_NUMBER),
            });
        }
        Ok(store)
    }

    /// A setting's raw value.
    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .settings
            .get(name)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Sets a setting.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let bytes = value.as_bytes().to_vec();
        if let Some(done) = self.clustered(|txn| txn.put("settings", name.as_bytes(), Some(bytes)))
        {
            return done;
        }
        self.settings.insert(name, value.as_bytes())?;
        Ok(())
    }

    /// Joins the cluster whose record is the PostgreSQL at `url` (see [`Cluster::join`]);
    /// from then on every write to the shared trees goes there first.
    pub fn join_cluster(&mut self, url: &str) -> Result<(), StoreError> {
        self.cluster = Some(Cluster::join(&self.db, url)?);
        Ok(())
    }

    /// The cluster this node belongs to, in cluster mode.
    pub fn cluster(&self) -> Option<&std::sync::Arc<Cluster>> {
        self.cluster.as_ref()
    }

    /// In cluster mode, runs `write` as one change to the shared record, applied to this
    /// node's trees before it returns; `None` on a single node.
    fn clustered<T>(
        &self,
        write: impl FnOnce(&mut cluster::Txn<'_>) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        let cluster = self.cluster.as_ref()?;
        Some(cluster.begin().and_then(|mut txn| {
            let out = write(&mut txn)?;
            txn.commit()?;
            Ok(out)
        }))
    }

    /// Read-modify-write of one record, on the cluster's record in cluster mode.
    fn update_record<T, F>(
        &self,
        tree: &sled::Tree,
        name: &'static str,
        id: &str,
        mut f: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(&mut T),
    {
        let shared = self.clustered(|txn| {
            let Some(raw) = txn.get(name, id.as_bytes())? else {
                return Ok(None);
            };
            let mut value: T = decode(name, id.as_bytes(), &raw)?;
            f(&mut value);
            txn.put(name, id.as_bytes(), Some(encode(&value)?))?;
            Ok(Some(value))
        });
        match shared {
            Some(done) => done,
            None => update(tree, name, id, f),
        }
    }

    /// Removes one record; returns what was there.
    fn remove_record<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        name: &'static str,
        id: &str,
    ) -> Result<Option<T>, StoreError> {
        let shared = self.clustered(|txn| {
            let old = txn.get(name, id.as_bytes())?;
            if old.is_some() {
                txn.put(name, id.as_bytes(), None)?;
            }
            Ok(old)
        });
        let old = match shared {
            Some(done) => done?,
            None => tree.remove(id)?.map(|v| v.to_vec()),
        };
        old.map(|raw| decode(name, id.as_bytes(), &raw)).transpose()
    }

    /// Inserts or replaces one record.
    fn put_record<T: Serialize>(
        &self,
        tree: &sled::Tree,
        name: &'static str,
        id: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        let bytes = encode(value)?;
        if let Some(done) = self.clustered(|txn| txn.put(name, id, Some(bytes.clone()))) {
            return done;
        }
        tree.insert(id, bytes)?;
        Ok(())
    }
}

/// Below this much free space in the data directory, control writes are refused before
/// they start rather than half done.
const MIN_FREE_BYTES: u64 = 4 * 1024 * 1024;

impl Store {
    /// Refuses a write when the data directory's file system is (nearly) full.
    pub fn check_space(&self) -> Result<(), StoreError> {
        let Ok(stat) = nix::sys::statvfs::statvfs(&self.dir) else {
            return Ok(());
        };
        let free = stat.blocks_available().saturating_mul(stat.fragment_size());
        if free < MIN_FREE_BYTES {
            return Err(StoreError::DiskFull {
                path: self.dir.display().to_string(),
                free,
            });
        }
        Ok(())
    }
}

impl StoreError {
    /// Whether the failure is the disk running out of space.
    pub fn is_disk_full(&self) -> bool {
        let io = match self {
            StoreError::DiskFull { .. } => return true,
            StoreError::Sled(sled::Error::Io(e))
            | StoreError::Open {
                source: sled::Error::Io(e),
                ..
            } => e,
            StoreError::Manifest { source, .. } | StoreError::Backup { source, .. } => source,
            StoreError::Sql(e) => {
                return e
                    .as_database_error()
                    .and_then(|d| d.code())
                    .is_some_and(|code| code == "13")
            }
            _ => return false,
        };
        io.raw_os_error() == Some(libc::ENOSPC) || io.kind() == std::io::ErrorKind::StorageFull
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(StoreError::Encode)
}

fn decode<T: DeserializeOwned>(
    tree: &'static str,
    key: &[u8],
    raw: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(raw).map_err(|source| StoreError::Corrupt {
        tree,
        key: String::from_utf8_lossy(key).into_owned(),
        source,
    })
}

fn scan<T: DeserializeOwned>(tree: &sled::Tree, name: &'static str) -> Result<Vec<T>, StoreError> {
    tree.iter()
        .map(|entry| {
            let (k, v) = entry?;
            decode(name, &k, &v)
        })
        .collect()
}

/// Read-modify-write of one record, atomic against other writers of the same record.
/// Returns the new value, or `None` if there is no record with that id.
fn update<T, F>(
    tree: &sled::Tree,
    name: &'static str,
    id: &str,
    mut f: F,
) -> Result<Option<T>, StoreError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(&mut T),
{
    let mut failure = None;
    let new = tree.update_and_fetch(id, |old| {
        let raw = old?;
        match decode::<T>(name, id.as_bytes(), raw) {
            Ok(mut value) => {
                f(&mut value);
                match encode(&value) {
                    Ok(bytes) => Some(bytes),
                    Err(e) => {
                        failure = Some(e);
                        Some(raw.to_vec())
                    }
                }
            }
            Err(e) => {
                failure = Some(e);
                Some(raw.to_vec())
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    new.map(|raw| decode(name, id.as_bytes(), &raw)).transpose()
}
