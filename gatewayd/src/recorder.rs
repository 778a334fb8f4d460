//! Record, off the hot path: the data plane hands finished-request facts to a bounded
//! channel (never waiting), and one writer task sums them and merges them into the store
//! in batches. Account failures reported by the data plane are persisted here too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::model::{now_secs, TokenUsage, UsageCounters, UsageScope};
use crate::state::Gateway;
use crate::store::UsageDelta;

/// The facts of one upstream exchange.
#[derive(Debug, Clone)]
pub struct UsageRecord {
    /// The client's key; `None` for an attempt that failed over to another account.
    pub key_id: Option<Arc<str>>,
    pub account_id: Arc<str>,
    /// `None` for failed-over attempts, so model rows count client requests only.
    pub model: Option<Arc<str>>,
    /// Non-2xx answer, or a stream that did not finish.
    pub failed: bool,
    pub tokens: TokenUsage,
}

enum Message {
    Usage(UsageRecord),
    AccountFailed { id: Arc<str>, reason: String },
    Flush(oneshot::Sender<()>),
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
    interval: Duration,
}

/// Creates the channel. Nothing is written until the task runs.
pub fn channel(gateway: Gateway, queue: usize, interval: Duration) -> (Recorder, RecorderTask) {
    let (tx, rx) = mpsc::channel(queue);
    let recorder = Recorder {
        tx,
        dropped: Arc::new(AtomicU64::new(0)),
    };
    (
        recorder,
        RecorderTask {
            rx,
            gateway,
            interval,
        },
    )
}

impl Recorder {
    /// Queues a record; if the writer has fallen behind, drops it and counts the drop.
    pub fn usage(&self, record: UsageRecord) {
        if self.tx.try_send(Message::Usage(record)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Queues the persistence of an account failure already applied in memory.
    pub fn account_failed(&self, id: Arc<str>, reason: String) {
        if self
            .tx
            .try_send(Message::AccountFailed { id, reason })
            .is_err()
        {
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

    /// Records dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl RecorderTask {
    /// Sums records and writes them every interval, on flush requests, and when every
    /// sender is gone (shutdown).
    pub async fn run(mut self) {
        let mut pending = UsageDelta::default();
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = self.rx.recv() => match message {
                    Some(Message::Usage(r)) => add(&mut pending, r),
                    Some(Message::AccountFailed { id, reason }) => {
                        if let Err(e) = self.gateway.persist_account_failure(&id, &reason) {
                            tracing::error!(account = %id, error = %e, "cannot persist account failure");
                        }
                    }
                    Some(Message::Flush(done)) => {
                        self.write(&mut pending);
                        let _ = done.send(());
                    }
                    None => break,
                },
                _ = tick.tick() => self.write(&mut pending),
            }
        }
        self.write(&mut pending);
    }

    fn write(&self, pending: &mut UsageDelta) {
        if pending.is_empty() {
            return;
        }
        let batch = std::mem::take(pending);
        if let Err(e) = self.gateway.store().add_usage(&batch) {
            tracing::error!(error = %e, "cannot write usage batch");
        }
    }
}

fn add(pending: &mut UsageDelta, r: UsageRecord) {
    let counters = UsageCounters {
        requests: 1,
        errors: u64::from(r.failed),
        tokens: r.tokens,
    };
    let mut bump = |scope, id: &str| {
        pending
            .counters
            .entry((scope, id.to_owned()))
            .or_default()
            .add(&counters);
    };
    bump(UsageScope::Account, &r.account_id);
    if let Some(key) = &r.key_id {
        bump(UsageScope::Key, key);
        pending.last_used.insert(key.to_string(), now_secs());
    }
    if let Some(model) = &r.model {
        bump(UsageScope::Model, model);
    }
}
