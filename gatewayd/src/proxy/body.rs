//! The bodies the data plane answers with: small fixed ones it makes itself, and
//! upstream answers relayed chunk by chunk through the meter.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http_body::{Body, Frame, SizeHint};

use super::health::Outcome;
use super::meter::Meter;
use crate::recorder::{Recorder, UsageRecord};
use crate::state::InFlightGuard;

mod gather;

pub use crate::upstream_client::BoxError;

/// An upstream answer's bytes as they arrive.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// Every response body gatewayd sends.
pub enum ProxyBody {
    Full(Option<Bytes>),
    Relayed(Box<Relayed>),
}

impl ProxyBody {
    pub fn full(bytes: Bytes) -> Self {
        Self::Full(Some(bytes))
    }

    pub fn empty() -> Self {
        Self::Full(None)
    }
}

/// An upstream answer in transit, and what to record when it ends or is abandoned.
pub struct Relayed {
    stream: ByteStream,
    meter: Meter,
    pending: Option<Pending>,
    first_byte_ms: Option<u64>,
    /// Bytes still due when the upstream declared a length: hyper stops polling once
    /// they are sent, so the answer is complete at zero, not at end-of-stream.
    remaining: Option<u64>,
    /// For an event stream, its dialect: a cut ends it with an error event in that
    /// dialect, so the client sees a failure rather than a clean end or a reset.
    cut_dialect: Option<super::route::Dialect>,
    /// The stream has ended (after a cut's error event).
    ended: bool,
}

/// How a relayed answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Finished,
    /// The upstream failed mid-answer.
    Cut,
    /// It ran to its end, but said mid-stream that it failed (an error event).
    Failed,
    /// The client went away (or the server is shutting down).
    Abandoned,
}

/// The account an answer came from, judged when the answer ends.
pub struct Source {
    pub account: std::sync::Arc<crate::state::Account>,
    pub settings: std::sync::Arc<crate::config::LiveSettings>,
    /// For the time of the verdict.
    pub clock: crate::clock::Clock,
}

/// The record to send once the answer is over.
pub struct Pending {
    pub recorder: Recorder,
    pub record: UsageRecord,
    /// When the client's request arrived, for time to first byte and latency.
    pub started: std::time::Instant,
    /// Keeps the account's in-flight count up while the answer streams.
    pub _in_flight: InFlightGuard,
    /// Keeps the key's in-flight slot (if it caps concurrency) while the answer streams.
    pub permit: Option<crate::admission::Permit>,
    pub source: Source,
}

impl Relayed {
    pub fn new(
        stream: ByteStream,
        meter: Meter,
        pending: Pending,
        length: Option<u64>,
        cut_dialect: Option<super::route::Dialect>,
    ) -> Self {
        // An answer of unknown length (an event stream, a chunked answer) is relayed in
        // gathered chunks; one of known length is usually a single chunk already.
        let stream = match length {
            Some(_) => stream,
            None => Box::pin(gather::Gathered::new(stream)),
        };
        Self {
            stream,
            meter,
            pending: Some(pending),
            first_byte_ms: None,
            remaining: length,
            cut_dialect,
            ended: false,
        }
    }

    /// Judges the account by how its answer ended, and sends the record: an answer that
    /// ran to its end is a success of its account, one the upstream cut (or ended with an
    /// error event) is a failure like any other, one the client abandoned says nothing
    /// about the account.
    fn end(&mut self, end: End) {
        let end = match end {
            End::Finished if self.meter.errored() => End::Failed,
            end => end,
        };
        if let Some(p) = &self.pending {
            let account = &p.source.account;
            let judge = super::health::Judge {
                recorder: &p.recorder,
                health: &p.source.settings.health,
                now: p.source.clock.now_millis(),
            };
            let outcome = match end {
                End::Finished => Some(Outcome::Answered),
                End::Cut | End::Failed => Some(Outcome::Failed(super::upstream::Effect::None)),
                End::Abandoned => None,
            };
            match outcome {
                Some(outcome) => judge.apply(account, outcome, None),
                None => account.runtime.settled(),
            }
        }
        self.complete(end);
    }

    fn complete(&mut self, end: End) {
        let finished = end == End::Finished;
        if let Some(mut p) = self.pending.take() {
            p.record.tokens = self.meter.finish();
            if let Some(permit) = p.permit.take() {
                // What the answer used, cut or not, in place of its reservation.
                let used = p.record.tokens.input_tokens + p.record.tokens.output_tokens;
                let cost = match (&p.record.model, permit.wants_cost()) {
                    (Some(model), true) => p
                        .source
                        .settings
                        .prices
                        .cost_micros(model, &p.record.tokens),
                    _ => 0,
                };
                permit.settle(used, cost, p.source.clock.now_millis());
            }
            p.record.failed |= !finished;
            if let Some(facts) = &mut p.record.request {
                facts.latency_ms = p.started.elapsed().as_millis() as u64;
                facts.ttfb_ms = self.first_byte_ms.or(Some(facts.latency_ms));
                if !finished && facts.error.is_none() {
                    facts.error = Some(match end {
                        End::Failed => crate::model::Failure::UpstreamError,
                        _ => crate::model::Failure::Incomplete,
                    });
                }
            }
            p.recorder.usage(p.record);
        }
    }

    fn first_byte(&mut self) {
        if self.first_byte_ms.is_none() {
            if let Some(p) = &self.pending {
                self.first_byte_ms = Some(p.started.elapsed().as_millis() as u64);
            }
        }
    }
}

impl Drop for Relayed {
    /// The client went away (or the server is shutting down): record what was seen.
    fn drop(&mut self) {
        self.end(End::Abandoned);
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            ProxyBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            ProxyBody::Relayed(relayed) if relayed.ended => Poll::Ready(None),
            ProxyBody::Relayed(relayed) => match relayed.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    relayed.first_byte();
                    relayed.meter.observe(&chunk);
                    if let Some(left) = &mut relayed.remaining {
                        *left = left.saturating_sub(chunk.len() as u64);
                        if *left == 0 {
                            // hyper will not poll past the declared length; take the
                            // upstream's end-of-body now so its connection is pooled again.
                            let _ = relayed.stream.as_mut().poll_next(cx);
                            relayed.end(End::Finished);
                        }
                    }
                    Poll::Ready(Some(Ok(Frame::data(chunk))))
                }
                Poll::Ready(Some(Err(e))) => {
                    relayed.end(End::Cut);
                    match relayed.cut_dialect.take() {
                        Some(dialect) => {
                            relayed.ended = true;
                            let event = super::respond::stream_cut_event(dialect);
                            Poll::Ready(Some(Ok(Frame::data(event))))
                        }
                        None => Poll::Ready(Some(Err(e))),
                    }
                }
                Poll::Ready(None) => {
                    relayed.end(End::Finished);
                    Poll::Ready(None)
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ProxyBody::Full(bytes) => bytes.is_none(),
            ProxyBody::Relayed(relayed) => relayed.pending.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ProxyBody::Full(None) => SizeHint::with_exact(0),
            ProxyBody::Relayed(relayed) => match relayed.remaining {
                Some(left) => SizeHint::with_exact(left),
                None => SizeHint::default(),
            },
        }
    }
}
