//! The recorder's blocking work: mirroring the request log to its JSON-lines file, and
//! the periodic housekeeping (saving rate-limit
//! state, sealing the audit chain). It runs on the blocking pool, so it never stalls the
//! runtime thread that serves requests. The ledger's part is async (sqlx runs SQLite on
//! its own threads).

use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;
use std::time::Instant;

use crate::admission::Admission;
use crate::config::RecordConfig;
use crate::model::RequestLogEntry;
use crate::state::Gateway;
use crate::store::UsageDelta;

/// Owns everything a write needs; moved to a blocking thread and back for each write.
pub struct Writer {
    gateway: Gateway,
    admission: Arc<Admission>,
    config: RecordConfig,
    /// The open JSON-lines mirror of the request log.
    mirror_file: Option<std::io::BufWriter<std::fs::File>>,
    last_prune: Option<Instant>,
    /// The rate-limit windows as last saved: unchanged ones are not rewritten.
    saved_limits: Vec<(String, crate::admission::KeyWindows)>,
}

impl Writer {
    pub fn new(gateway: Gateway, admission: Arc<Admission>, config: RecordConfig) -> Self {
        Self {
            gateway,
            admission,
            config,
            mirror_file: None,
            last_prune: None,
            saved_limits: Vec::new(),
        }
    }

    /// Mirrors `batch` (already in the ledger, if any) and, when due, does the
    /// housekeeping. Returns whether the housekeeping ran.
    pub fn write(&mut self, batch: Option<&UsageDelta>) -> bool {
        if let Some(batch) = batch {
            self.mirror(&batch.log);
        }
        let every = self.config.housekeeping_interval;
        if self.last_prune.is_some_and(|at| at.elapsed() < every) {
            return false;
        }
        self.last_prune = Some(Instant::now());
        self.save_limits();
        true
    }

    /// Appends entries to the JSON-lines mirror, when one is configured.
    fn mirror(&mut self, entries: &[RequestLogEntry]) {
        use std::io::Write;
        let Some(path) = self.config.log_file.clone() else {
            return;
        };
        if self.mirror_file.is_none() {
            let opened = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path);
            match opened {
                Ok(file) => self.mirror_file = Some(std::io::BufWriter::new(file)),
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "cannot open the request log mirror");
                    return;
                }
            }
        }
        let Some(out) = self.mirror_file.as_mut() else {
            return;
        };
        let written = entries.iter().try_for_each(|e| {
            serde_json::to_writer(&mut *out, e)?;
            out.write_all(b"\n").map_err(serde_json::Error::io)
        });
        if let Err(e) = written
            .map_err(std::io::Error::from)
            .and_then(|()| out.flush())
        {
            tracing::error!(path = %path.display(), error = %e, "cannot write the request log mirror");
            self.mirror_file = None;
        }
    }

    /// Saves the key windows and budgets (every housekeeping interval and at shutdown),
    /// after dropping idle state, and signs the audit chain head.
    pub fn save_limits(&mut self) {
        let now = self.gateway.clock().now_millis();
        self.admission.sweep(now);
        let mut windows = self.admission.export();
        windows.sort_by(|a, b| a.0.cmp(&b.0));
        if windows != self.saved_limits {
            match self.gateway.store().save_limits(&windows) {
                Ok(()) => self.saved_limits = windows,
                Err(e) => tracing::error!(error = %e, "cannot save rate-limit windows"),
            }
        }
        if let Err(e) = self.gateway.seal_audit() {
            tracing::error!(error = %e, "cannot sign the audit chain head");
        }
        if let Err(e) = self.gateway.commit() {
            tracing::error!(error = %e, "cannot flush the records and rewrite the manifest");
        }
    }
}
