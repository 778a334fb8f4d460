//! `gatewayctl backup FILE`: a consistent online backup of the daemon's state, written
//! to FILE (mode 0600) only once all of it arrived. The master key is not in it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use gateway_proto::v1 as pb;
use serde_json::json;

use crate::client::Client;
use crate::output::Printer;
use crate::CtlError;

pub async fn run(file: &Path, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    if file.exists() {
        return Err(CtlError::Usage(format!(
            "{} exists; name a new file",
            file.display()
        )));
    }
    let mut partial_name = file.as_os_str().to_owned();
    partial_name.push(".partial");
    let partial = std::path::PathBuf::from(partial_name);
    let local = |what: &str, e: std::io::Error| {
        CtlError::Local(format!("cannot {what} {}: {e}", partial.display()))
    };
    let mut system = client.system.clone();
    let mut stream = client.call(system.backup(pb::BackupRequest {})).await?;
    let mut target = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| local("create", e))?;
    let received = receive(&mut stream, &mut target).await;
    let summary = match received {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    target.sync_all().map_err(|e| local("write", e))?;
    std::fs::rename(&partial, file).map_err(|e| local("rename", e))?;
    if out.json {
        out.json(&json!({
            "file": file.display().to_string(),
            "bytes": summary.bytes,
            "keys": summary.keys,
            "accounts": summary.accounts,
            "audit_entries": summary.audit_entries,
            "created_ms": summary.created_ms,
            "master_key_included": false,
        }));
    } else {
        say!(
            "wrote {} ({} bytes): {} keys, {} accounts, {} audit entries",
            file.display(),
            summary.bytes,
            summary.keys,
            summary.accounts,
            summary.audit_entries
        );
        eprintln!("the master key is not in the backup: keep it apart (it is needed to restore with `gatewayd restore`)");
    }
    Ok(())
}

/// Writes the streamed bytes to `target`; the summary comes first and its byte count
/// must match what arrived.
async fn receive(
    stream: &mut tonic::Streaming<pb::BackupChunk>,
    target: &mut std::fs::File,
) -> Result<pb::BackupSummary, CtlError> {
    let mut summary = None;
    let mut written = 0u64;
    while let Some(chunk) = stream.message().await? {
        if let Some(s) = chunk.summary {
            summary = Some(s);
        }
        target
            .write_all(&chunk.data)
            .map_err(|e| CtlError::Local(format!("cannot write the backup: {e}")))?;
        written += chunk.data.len() as u64;
    }
    let summary = summary.ok_or_else(|| CtlError::Local("gatewayd sent no backup".to_owned()))?;
    if written != summary.bytes {
        return Err(CtlError::Local(format!(
            "the backup was cut short ({written} of {} bytes); nothing was written",
            summary.bytes
        )));
    }
    Ok(summary)
}
