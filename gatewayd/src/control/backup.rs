//! gateway.v1.System/Backup: the daemon writes a backup beside its data, streams it to
//! the caller (summary first, then the bytes) and removes its copy.

use std::pin::Pin;

use gateway_proto::v1 as pb;
use tokio::io::AsyncReadExt;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::Status;

use super::Control;
use crate::state::OpError;

pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<pb::BackupChunk, Status>> + Send>>;

const CHUNK: usize = 64 * 1024;

/// Writes the backup, then streams it.
pub async fn stream(control: &Control) -> Result<ChunkStream, Status> {
    let dir = control.data_dir.join("backups");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| OpError::internal(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(format!(
        ".transfer-{}.backup",
        control.gateway.clock().now_millis()
    ));
    let header = match control.gateway.backup(&path).await {
        Ok(header) => header,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e.into());
        }
    };
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| OpError::internal(format!("cannot read the backup back: {e}")))?;
    let bytes = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let summary = pb::BackupSummary {
        keys: header.keys,
        accounts: header.accounts,
        audit_entries: header.audit_entries,
        bytes,
        created_ms: header.created_ms,
    };
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        let first = pb::BackupChunk {
            summary: Some(summary),
            data: Vec::new(),
        };
        let mut sending = tx.send(Ok(first)).await.is_ok();
        let mut buf = vec![0u8; CHUNK];
        while sending {
            let chunk = match file.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => Ok(pb::BackupChunk {
                    summary: None,
                    data: buf[..n].to_vec(),
                }),
                Err(e) => {
                    Err(OpError::internal(format!("cannot read the backup back: {e}")).into())
                }
            };
            sending = chunk.is_ok() && tx.send(chunk).await.is_ok();
        }
        drop(file);
        let _ = tokio::fs::remove_file(&path).await;
    });
    Ok(Box::pin(ReceiverStream::new(rx)))
}
