//! Cluster mode: changes made through other nodes reach this node's trees (the store's
//! follower applies them); here the snapshot the data plane reads is rebuilt from them.

use super::Gateway;

impl Gateway {
    /// Republishes the snapshot each time the store announces applied changes, until
    /// the announcer goes away.
    pub async fn follow_records(self, mut changes: tokio::sync::watch::Receiver<i64>) {
        while changes.changed().await.is_ok() {
            let gateway = self.clone();
            let done = tokio::task::spawn_blocking(move || {
                let _writer = gateway.inner.writer.lock().expect("writer lock poisoned");
                gateway.commit()?;
                gateway.republish()
            })
            .await;
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "cannot republish the cluster's changes"),
                Err(e) => tracing::error!(error = %e, "the republishing task failed"),
            }
        }
    }
}
