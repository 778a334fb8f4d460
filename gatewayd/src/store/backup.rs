//! Backups: one file of JSON lines holding every sled record and a consistent copy of the
//! usage ledger, closed by the SHA-256 of everything before its last line. Sealed
//! credentials and key digests stay as they are stored; the master key is never in it.
//! Restoring writes a stopped daemon's data directory from such a file, keeping what was
//! there before aside.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Store, StoreError};

/// The format this build writes and reads.
const FORMAT: u32 = 1;

/// Ledger bytes per line.
const CHUNK: usize = 48 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line {
    Header(Header),
    Record {
        tree: String,
        key: String,
        value: String,
    },
    Ledger {
        chunk: String,
    },
    End {
        sha256: String,
    },
}

/// What a backup holds, as its first line says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub created_ms: u64,
    pub gatewayd_version: String,
    pub keys: u64,
    pub accounts: u64,
    pub audit_entries: u64,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Backup {
        path: path.display().to_string(),
        source,
    }
}

/// Writes lines and hashes what it wrote.
struct Sink<W: Write> {
    out: W,
    hash: Sha256,
}

impl<W: Write> Sink<W> {
    fn line(&mut self, line: &Line) -> std::io::Result<()> {
        let mut bytes = serde_json::to_vec(line)?;
        bytes.push(b'\n');
        self.hash.update(&bytes);
        self.out.write_all(&bytes)
    }
}

impl Store {
    /// Writes a backup to `path` (created, mode 0600): this store's records as they are
    /// now and the ledger copy at `ledger_copy`. The caller holds writers off meanwhile.
    pub fn write_backup(&self, path: &Path, ledger_copy: &Path) -> Result<Header, StoreError> {
        let error = io_error(path);
        let now = self.current_manifest()?;
        let header = Header {
            format: FORMAT,
            created_ms: crate::clock::Clock::system().now_millis(),
            gatewayd_version: env!("CARGO_PKG_VERSION").to_owned(),
            keys: now.keys,
            accounts: now.accounts,
            audit_entries: now.audit_seq,
        };
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(&error)?;
        let mut sink = Sink {
            out: std::io::BufWriter::new(file),
            hash: Sha256::new(),
        };
        sink.line(&Line::Header(header.clone())).map_err(&error)?;
        for name in self.db.tree_names() {
            let tree = self.db.open_tree(&name)?;
            for entry in tree.iter() {
                let (key, value) = entry?;
                sink.line(&Line::Record {
                    tree: String::from_utf8_lossy(&name).into_owned(),
                    key: B64.encode(key),
                    value: B64.encode(value),
                })
                .map_err(&error)?;
            }
        }
        let mut ledger = std::fs::File::open(ledger_copy).map_err(&error)?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = ledger.read(&mut buf).map_err(&error)?;
            if n == 0 {
                break;
            }
            let chunk = B64.encode(&buf[..n]);
            sink.line(&Line::Ledger { chunk }).map_err(&error)?;
        }
        let sha256 = hex::encode(sink.hash.clone().finalize());
        sink.line(&Line::End { sha256 }).map_err(&error)?;
        let file = sink.out.into_inner().map_err(|e| error(e.into_error()))?;
        file.sync_all().map_err(&error)?;
        Ok(header)
    }
}

/// Reads a backup's lines, checking its closing checksum first; `visit` sees every line
/// but the last only once the whole file is known to be intact.
fn read_verified(
    path: &Path,
    mut visit: impl FnMut(Line) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let error = io_error(path);
    let damaged = |why: &str| StoreError::Integrity(format!("the backup {} {why}", path.display()));
    let lines = || -> Result<_, StoreError> {
        Ok(BufReader::new(std::fs::File::open(path).map_err(&error)?).split(b'\n'))
    };
    let mut hash = Sha256::new();
    let mut end = None;
    for line in lines()? {
        let line = line.map_err(&error)?;
        if end.is_some() {
            return Err(damaged("goes on after its end"));
        }
        match serde_json::from_slice::<Line>(&line) {
            Ok(Line::End { sha256 }) => end = Some(sha256),
            Ok(_) => {
                hash.update(&line);
                hash.update(b"\n");
            }
            Err(_) => return Err(damaged("has a line that is not readable")),
        }
    }
    let Some(expected) = end else {
        return Err(damaged("is incomplete (no end line)"));
    };
    if hex::encode(hash.finalize()) != expected {
        return Err(damaged("fails its checksum"));
    }
    for line in lines()? {
        let line = line.map_err(&error)?;
        match serde_json::from_slice::<Line>(&line) {
            Ok(Line::End { .. }) => break,
            Ok(line) => visit(line)?,
            Err(_) => return Err(damaged("changed while it was read")),
        }
    }
    Ok(())
}

/// Restores `backup` into `dir` (a stopped daemon's data directory). The database and
/// ledger found there are moved aside (`*.replaced-<ms>`), not deleted. Returns what the
/// backup held.
pub fn restore(backup: &Path, dir: &Path) -> Result<Header, StoreError> {
    let mut header = None;
    read_verified(backup, |line| {
        if let Line::Header(h) = line {
            header = Some(h);
        }
        Ok(())
    })?;
    let header = header.ok_or_else(|| {
        StoreError::Integrity(format!("the backup {} has no header", backup.display()))
    })?;
    if header.format > FORMAT {
        return Err(StoreError::NewerSchema {
            path: backup.display().to_string(),
            found: header.format.to_string(),
            known: i64::from(FORMAT),
        });
    }
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    set_aside(dir)?;
    let db = sled::Config::new()
        .path(dir.join("db"))
        .open()
        .map_err(|source| StoreError::Open {
            path: dir.join("db").display().to_string(),
            source,
        })?;
    let ledger_path = dir.join(super::ledger::FILE);
    let mut ledger = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&ledger_path)
        .map_err(io_error(&ledger_path))?;
    let damaged = || {
        StoreError::Integrity(format!(
            "the backup {} holds a value that is not base64",
            backup.display()
        ))
    };
    read_verified(backup, |line| {
        match line {
            Line::Record { tree, key, value } => {
                let key = B64.decode(key).map_err(|_| damaged())?;
                let value = B64.decode(value).map_err(|_| damaged())?;
                db.open_tree(tree)?.insert(key, value)?;
            }
            Line::Ledger { chunk } => {
                let bytes = B64.decode(chunk).map_err(|_| damaged())?;
                ledger.write_all(&bytes).map_err(io_error(&ledger_path))?;
            }
            Line::Header(_) | Line::End { .. } => {}
        }
        Ok(())
    })?;
    ledger.sync_all().map_err(io_error(&ledger_path))?;
    db.flush()?;
    Ok(header)
}

/// Moves the database, the ledger and the manifest found in `dir` aside. Refuses while
/// a daemon holds the database.
fn set_aside(dir: &Path) -> Result<(), StoreError> {
    let db = dir.join("db");
    if db.exists() {
        // sled locks its database: this fails while a gatewayd runs on it.
        drop(
            sled::Config::new()
                .path(&db)
                .open()
                .map_err(|_| StoreError::InUse(dir.display().to_string()))?,
        );
    }
    let stamp = crate::clock::Clock::system().now_millis();
    let ledger = super::ledger::FILE;
    for name in [
        "db".to_owned(),
        ledger.to_owned(),
        format!("{ledger}-wal"),
        format!("{ledger}-shm"),
        super::manifest::FILE.to_owned(),
    ] {
        let from = dir.join(&name);
        if from.exists() {
            let to: PathBuf = dir.join(format!("{name}.replaced-{stamp}"));
            std::fs::rename(&from, &to).map_err(io_error(&from))?;
        }
    }
    Ok(())
}
