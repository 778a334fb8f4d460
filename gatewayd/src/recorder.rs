//! Record, off the hot path: the data plane hands finished-request facts to a bounded
//! channel (never waiting), and one writer task sums them and merges them into the store
//! in batches. Account failures and transitions, security events and alerts go to a
//! queue and a writer of their own ([`events`]), so they never wait behind usage.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};

use crate::admission::Admission;
use crate::config::RecordConfig;
use crate::model::{AccountEvent, TokenUsage};
use crate::state::Gateway;
use crate::store::UsageDelta;

mod drain;
mod events;
mod flush;
mod models;
pub mod periods;
mod tally;
mod writer;

use events::{Event, EventWriter};

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
    /// Write what is pending, then end the task.
    Stop(oneshot::Sender<()>),
}

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Message>,
    events: mpsc::Sender<Event>,
    counts: Arc<Counts>,
    /// Wakes the writer before its next round when the queue is half full.
    wake: Arc<Notify>,
}

/// How many records went where, for `status`.
#[derive(Default)]
struct Counts {
    /// Usage records taken by the queue.
    queued: AtomicU64,
    /// Usage records in the ledger.
    written: AtomicU64,
    /// Records and events refused by a full queue.
    dropped: AtomicU64,
}

/// The writer task's end; run it with [`RecorderTask::run`].
pub struct RecorderTask {
    rx: mpsc::Receiver<Message>,
    wake: Arc<Notify>,
    /// Taken by `run`, which starts it beside the usage loop.
    events: Option<EventWriter>,
    gateway: Gateway,
    live: crate::config::Live,
    metrics: crate::metrics::Metrics,
    alerter: crate::alerts::Alerter,
    error_rates: crate::alerts::ErrorRates,
    client_refusals: crate::alerts::ClientRefusals,
    /// Where spend budgets that crossed their alert fraction wait to be raised.
    admission: Arc<Admission>,
    /// Each key's usage this day, week and month, for the key holder's own view.
    periods: Arc<periods::KeyPeriods>,
    /// The disk side; `None` only while a write is in progress (or after it panicked).
    writer: Option<Writer>,
    /// A batch the ledger refused (disk full, I/O error), retried with the next ones.
    held: flush::Held,
    /// When traffic went quiet, so the ledger's cache memory can be given back.
    quiet: flush::Quiet,
    config: RecordConfig,
    counts: Arc<Counts>,
    /// The model names usage is counted under (bounded).
    models: models::ModelNames,
}

/// Creates the channel. Nothing is written until the task runs.
pub fn channel(
    gateway: Gateway,
    admission: Arc<Admission>,
    live: crate::config::Live,
    metrics: crate::metrics::Metrics,
    alerter: crate::alerts::Alerter,
    config: &RecordConfig,
    periods: Arc<periods::KeyPeriods>,
) -> (Recorder, RecorderTask) {
    let (tx, rx) = mpsc::channel(config.queue);
    let (events_tx, events_rx) = mpsc::channel(events::QUEUE);
    let recorder = Recorder {
        tx,
        events: events_tx,
        counts: Arc::default(),
        wake: Arc::default(),
    };
    let counts = Arc::clone(&recorder.counts);
    let task = RecorderTask {
        rx,
        wake: Arc::clone(&recorder.wake),
        events: Some(EventWriter {
            rx: events_rx,
            gateway: gateway.clone(),
            alerter: alerter.clone(),
            hot: admission.hot().cloned(),
        }),
        admission: Arc::clone(&admission),
        periods,
        writer: Some(Writer::new(gateway.clone(), admission, config.clone())),
        gateway,
        live,
        metrics,
        alerter,
        error_rates: Default::default(),
        client_refusals: Default::default(),
        held: flush::Held::default(),
        quiet: flush::Quiet::default(),
        config: config.clone(),
        counts,
        models: models::ModelNames::new(config.max_models),
    };
    (recorder, task)
}

impl Recorder {
    /// Queues a record; if the writer has fallen behind, drops it and counts the drop.
    pub fn usage(&self, record: UsageRecord) {
        match self.tx.try_send(Message::Usage(record)) {
            Ok(()) => self.counts.queued.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.counts.dropped.fetch_add(1, Ordering::Relaxed),
        };
        if self.tx.capacity() < self.tx.max_capacity() / 2 {
            self.wake.notify_one();
        }
    }

    /// Queues the persistence of an account failure already applied in memory.
    pub fn account_failed(&self, id: Arc<str>, reason: String) {
        self.event(Event::AccountFailed { id, reason });
    }

    /// Queues the record of an account transition already applied in memory.
    pub fn account_event(&self, id: Arc<str>, event: AccountEvent) {
        self.event(Event::AccountTransition { id, event });
    }

    /// Queues a security event (denied address, failed-key storm) for the audit log.
    pub fn security(&self, kind: &'static str, detail: String) {
        tracing::warn!(security.kind = kind, %detail, "security event");
        self.event(Event::Security { kind, detail });
    }

    /// Queues an alert found on the request path (a quota threshold crossed).
    pub fn alert(&self, alert: crate::alerts::Alert) {
        self.event(Event::Alert(alert));
    }

    /// Never waits: a full queue drops the event and counts it.
    fn event(&self, event: Event) {
        if self.events.try_send(event).is_err() {
            self.counts.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits until every account failure, transition and security event queued before
    /// this call is in the store (never for usage).
    pub async fn events_written(&self) {
        let (done, wait) = oneshot::channel();
        if self.events.send(Event::Written(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Writes everything queued before this call, then ends the writer tasks.
    pub async fn stop(&self) {
        self.events_written().await;
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Stop(done)).await.is_ok() {
            self.wake.notify_one();
            let _ = wait.await;
        }
    }

    /// Records dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.counts.dropped.load(Ordering::Relaxed)
    }

    /// Usage records taken but not yet in the ledger (queued, batched or held while the
    /// ledger refuses writes).
    pub fn pending(&self) -> u64 {
        // Written is read first: a record counts as queued before it can be written.
        let written = self.counts.written.load(Ordering::Acquire);
        self.counts
            .queued
            .load(Ordering::Acquire)
            .saturating_sub(written)
    }
}

impl RecorderTask {
    /// Counts `r` towards its account's error rate (a client refusal is not the
    /// account's) and its key's client refusals; raises what crosses a line.
    fn alert(&mut self, r: &UsageRecord, now: u64) {
        let refusal = r
            .request
            .as_ref()
            .and_then(|f| f.error)
            .filter(|f| f.is_client_refusal());
        if let Some(account) = &r.account_id {
            let settings = self.live.load();
            let failed = r.failed && refusal.is_none();
            if let Some(alert) = self
                .error_rates
                .count(account, failed, now, &settings.alerts)
            {
                self.alerter.raise(alert);
            }
        }
        if let (Some(key), Some(refusal)) = (&r.key_id, refusal) {
            if let Some(alert) = self.client_refusals.count(key, refusal, now) {
                tracing::warn!(key = %key, reason = %refusal, "a subscription turned a client away");
                self.alerter.raise(alert);
            }
        }
    }

    /// Sums records and writes them every interval, whenever a batch is full, and on the
    /// way out (a stop request, or every sender gone); the event writer runs beside it.
    pub async fn run(mut self) {
        let events = self.events.take().map(|writer| tokio::spawn(writer.run()));
        let mut pending = UsageDelta::default();
        let mut tick = tokio::time::interval(self.config.flush_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut take = tokio::time::interval(drain::TAKE_EVERY);
        take.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let stopped = loop {
            let flush = tokio::select! {
                _ = take.tick() => false,
                () = self.wake.notified() => false,
                _ = tick.tick() => true,
            };
            if let ControlFlow::Break(done) = self.take_queued(&mut pending) {
                break done;
            }
            if flush || pending.log.len() >= drain::write_at(self.config.queue) {
                self.write(&mut pending).await;
            }
        };
        self.final_write(&mut pending).await;
        if let Some(mut writer) = self.writer.take() {
            let _ = tokio::task::spawn_blocking(move || writer.save_limits()).await;
        }
        // `stop` waited for the events queued before it; the writer is idle.
        if let Some(events) = events {
            events.abort();
        }
        if let Some(done) = stopped {
            let _ = done.send(());
        }
    }
}
