//! The event writer: account failures and transitions, security events and alerts from
//! the data plane, on a queue and a task of their own, so an account's state reaches the
//! store in order and promptly however far the usage queue has fallen behind. Each store
//! write runs on the blocking pool.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::model::AccountEvent;
use crate::state::Gateway;

/// Events queued at most; they are rare, so a full queue means the disk has stalled.
pub const QUEUE: usize = 4_096;

pub enum Event {
    AccountFailed {
        id: Arc<str>,
        reason: String,
    },
    AccountTransition {
        id: Arc<str>,
        event: AccountEvent,
    },
    Security {
        kind: &'static str,
        detail: String,
    },
    Alert(crate::alerts::Alert),
    /// Answers once everything queued before it is written.
    Written(oneshot::Sender<()>),
}

/// The task that writes events, in the order they came.
pub struct EventWriter {
    pub rx: mpsc::Receiver<Event>,
    pub gateway: Gateway,
    pub alerter: crate::alerts::Alerter,
    /// Cluster mode: where cool-downs are announced to the other nodes.
    pub hot: Option<Arc<crate::store::hot::Hot>>,
}

impl EventWriter {
    /// Writes events until every sender is gone.
    pub async fn run(mut self) {
        while let Some(event) = self.rx.recv().await {
            self.write(event).await;
        }
    }

    async fn write(&self, event: Event) {
        match event {
            Event::Alert(alert) => self.alerter.raise(alert),
            Event::Written(done) => {
                let _ = done.send(());
            }
            Event::AccountFailed { id, reason } => {
                let account = Arc::clone(&id);
                let why = reason.clone();
                self.blocking(
                    move |g| g.persist_account_failure(&account, &why),
                    "cannot persist an account failure",
                    Some(&id),
                )
                .await;
                let alert =
                    crate::alerts::Alert::new(self.now(), "account_error", Some(&id), reason);
                self.alerter.raise(alert);
            }
            Event::AccountTransition { id, event } => {
                let shared = crate::shared_health::announcement(&id, &event);
                if let (Some(hot), Some(cool)) = (&self.hot, shared) {
                    hot.announce(cool);
                }
                let account = Arc::clone(&id);
                self.blocking(
                    move |g| g.record_account_event(&account, event),
                    "cannot record an account transition",
                    Some(&id),
                )
                .await;
            }
            Event::Security { kind, detail } => {
                let text = detail.clone();
                self.blocking(
                    move |g| g.audit_security(kind, &text),
                    "cannot append a security event to the audit log",
                    None,
                )
                .await;
                let detail = format!("{kind}: {detail}");
                let alert = crate::alerts::Alert::new(self.now(), "security", None, detail);
                self.alerter.raise(alert);
            }
        }
    }

    fn now(&self) -> u64 {
        self.gateway.clock().now_millis()
    }

    /// Runs one store write on the blocking pool and logs its failure.
    async fn blocking(
        &self,
        write: impl FnOnce(&Gateway) -> Result<(), crate::state::OpError> + Send + 'static,
        failure: &'static str,
        account: Option<&str>,
    ) {
        let gateway = self.gateway.clone();
        match tokio::task::spawn_blocking(move || write(&gateway)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(account, error = %e, "{failure}"),
            Err(e) => tracing::error!(account, error = %e, "{failure}: the write panicked"),
        }
    }
}
