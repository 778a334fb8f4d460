//! Record, off the hot path: the data plane hands finished-request facts to a bounded
//! channel (never waiting), and one writer task sums them and merges them into the store
//! in batches. Account failures reported by the data plane are persisted here too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::admission::Admission;
use crate::config::RecordConfig;
use crate::model::{AccountEvent, TokenUsage};
use crate::state::Gateway;
use crate::store::UsageDelta;

mod flush;
mod tally;
mod writer;

use writer::Writer;

/// What the request log needs beyond the usage counters.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub at_ms: u64,
    pub dialect: &'static str,
    pub stream: bool,
    pub status: u16,
    pub error: Option<crate::model::Failure>,
    pub attempts: u32,
    pub ttfb_ms: Option<u64>,
    pub latency_ms: u64,
    pub client_ip: std::net::IpAddr,
    pub user_agent: Option<http::HeaderValue>,
    /// The request's id (`x-gateway-request-id`).
    pub request_id: u64,
}

/// The facts of one upstream exchange.
#[derive(Debug, Clone)]
pub struct UsageRecord {
    /// The client's key; `None` for an attempt that failed over to another account.
    pub key_id: Option<Arc<str>>,
    /// `None` when no account was tried.
    pub account_id: Option<Arc<str>>,
    /// `None` for failed-over attempts, so model rows count client requests only.
    pub model: Option<Arc<str>>,
    /// Non-2xx answer, or a stream that did not finish.
    pub failed: bool,
    pub tokens: TokenUsage,
    /// Present for client requests (not for failed-over attempts): a request log entry.
    pub request: Option<Box<RequestFacts>>,
}

enum Message {
    Usage(UsageRecord),
    AccountFailed {
        id: Arc<str>,
        reason: String,
    },
    AccountEvent {
        id: Arc<str>,
        event: AccountEvent,
    },
    Security {
        kind: &'static str,
        detail: String,
    },
    Alert(crate::alerts::Alert),
    Flush(oneshot::Sender<()>),
    /// Write what is pending, then end the task.
    Stop(oneshot::Sender<()>),
}

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Message>,
    dropped: Arc<AtomicU64>,
}

/// The writer task's end; run it with [`RecorderTask::run`].
pub struct RecorderTask {
    rx: mpsc::Receiver<Message>,
    gateway: Gateway,
    admission: Arc<Admission>,
    live: crate::config::Live,
    metrics: crate::metrics::Metrics,
    alerter: crate::alerts::Alerter,
    error_rates: crate::alerts::ErrorRates,
    /// The disk side; `None` only while a write is in progress (or after it panicked).
    writer: Option<Writer>,
    /// A batch the ledger refused (disk full, I/O error), retried with the next ones.
    held: flush::Held,
    config: RecordConfig,
}

/// Creates the channel. Nothing is written until the task runs.
pub fn channel(
    gateway: Gateway,
    admission: Arc<Admission>,
    live: crate::config::Live,
    metrics: crate::metrics::Metrics,
    alerter: crate::alerts::Alerter,
    config: &RecordConfig,
) -> (Recorder, RecorderTask) {
    let (tx, rx) = mpsc::channel(config.queue);
    let recorder = Recorder {
        tx,
        dropped: Arc::new(AtomicU64::new(0)),
    };
    let task = RecorderTask {
        rx,
        writer: Some(Writer::new(
            gateway.clone(),
            Arc::clone(&admission),
            config.clone(),
        )),
        gateway,
        admission,
        live,
        metrics,
        alerter,
        error_rates: Default::default(),
        held: flush::Held::default(),
        config: config.clone(),
    };
    (recorder, task)
}

impl Recorder {
    /// Queues a record; if the writer has fallen behind, drops it and counts the drop.
    pub fn usage(&self, record: UsageRecord) {
        self.send(Message::Usage(record));
    }

    /// Queues the persistence of an account failure already applied in memory.
    pub fn account_failed(&self, id: Arc<str>, reason: String) {
        self.send(Message::AccountFailed { id, reason });
    }

    /// Queues the record of an account transition already applied in memory.
    pub fn account_event(&self, id: Arc<str>, event: AccountEvent) {
        self.send(Message::AccountEvent { id, event });
    }

    /// Queues a security event (denied address, failed-key storm) for the audit log.
    pub fn security(&self, kind: &'static str, detail: String) {
        tracing::warn!(security.kind = kind, %detail, "security event");
        self.send(Message::Security { kind, detail });
    }

    /// Queues an alert found on the request path (a quota threshold crossed).
    pub fn alert(&self, alert: crate::alerts::Alert) {
        self.send(Message::Alert(alert));
    }

    /// Never waits: a full queue drops the message and counts it.
    fn send(&self, message: Message) {
        if self.tx.try_send(message).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits until everything queued before this call is in the store.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Writes everything queued before this call, then ends the writer task.
    pub async fn stop(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Stop(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Records dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl RecorderTask {
    /// Sums records and writes them every interval, on flush requests, and on the way
    /// out (a stop request, or every sender gone).
    pub async fn run(mut self) {
        let mut pending = UsageDelta::default();
        let mut stopped = None;
        let mut tick = tokio::time::interval(self.config.flush_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = self.rx.recv() => match message {
                    Some(Message::Alert(alert)) => self.alerter.raise(alert),
                    Some(Message::Usage(r)) => {
                        if let Some(account) = &r.account_id {
                            let now = crate::model::now_millis();
                            let settings = self.live.load();
                            if let Some(alert) = self.error_rates.count(account, r.failed, now, &settings.alerts) {
                                self.alerter.raise(alert);
                            }
                        }
                        if let Some(key) = &r.key_id {
                            let used = r.tokens.input_tokens + r.tokens.output_tokens;
                            self.admission.charge(key, used, crate::model::now_millis());
                        }
                        tally::add(&mut pending, r, &self.live.load().prices, &self.metrics);
                    }
                    Some(Message::AccountFailed { id, reason }) => {
                        // A control-grade change (flushed to disk): off the runtime thread.
                        let (gateway, account, why) = (self.gateway.clone(), Arc::clone(&id), reason.clone());
                        let persisted = tokio::task::spawn_blocking(move || gateway.persist_account_failure(&account, &why)).await;
                        if let Ok(Err(e)) = persisted {
                            tracing::error!(account = %id, error = %e, "cannot persist account failure");
                        }
                        let alert = crate::alerts::Alert::new("account_error", Some(&id), reason);
                        self.alerter.raise(alert);
                    }
                    Some(Message::AccountEvent { id, event }) => {
                        if let Err(e) = self.gateway.record_account_event(&id, event) {
                            tracing::error!(account = %id, error = %e, "cannot record an account transition");
                        }
                    }
                    Some(Message::Security { kind, detail }) => {
                        if let Err(e) = self.gateway.audit_security(kind, &detail) {
                            tracing::error!(error = %e, "cannot append a security event to the audit log");
                        }
                        self.alerter.raise(crate::alerts::Alert::new("security", None, format!("{kind}: {detail}")));
                    }
                    Some(Message::Flush(done)) => {
                        self.write(&mut pending).await;
                        let _ = done.send(());
                    }
                    Some(Message::Stop(done)) => {
                        stopped = Some(done);
                        break;
                    }
                    None => break,
                },
                _ = tick.tick() => self.write(&mut pending).await,
            }
        }
        self.final_write(&mut pending).await;
        if let Some(mut writer) = self.writer.take() {
            let _ = tokio::task::spawn_blocking(move || writer.save_limits()).await;
        }
        if let Some(done) = stopped {
            let _ = done.send(());
        }
    }
}
