//! Gathers what an upstream stream has already delivered into one chunk, so the client
//! gets one write for what one upstream read brought, not one write per event.
//!
//! hyper's client hands an answer's body over a channel that holds a single chunk: after
//! each one its connection task must run again to decode the next, and whenever the relay
//! finds the channel empty, hyper's server flushes what it holds. An SSE answer read in
//! one piece would leave as one `writev` (and one wake-up of the client) per event.
//! Instead, when the channel runs dry with something in hand, the relay yields (lets the
//! other ready tasks run, the connection task among them, which passes on what it has
//! already read), and hands on everything together once yielding brings nothing more.
//! The first bytes are the exception: they go out at once, with the answer's head, so
//! the client's time to first byte does not wait on the scheduler.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;

use super::{BoxError, ByteStream};

/// Yields spent waiting for the next chunk before handing on what is held. Two make one
/// turn of the scheduler: after a flush with the body still pending, hyper's server polls
/// the body once more in the same task poll (`poll_loop`'s second write poll), so the
/// first yield is answered before any other task has run.
const YIELDS: u8 = 2;

/// Gathered bytes are handed on at this size without waiting for more.
const ENOUGH: usize = 16 * 1024;

/// An upstream byte stream whose ready chunks are joined.
pub struct Gathered {
    inner: ByteStream,
    held: Held,
    /// How the stream ended, kept until what was held before it is handed on.
    after: Option<After>,
    /// Yields spent since the last chunk arrived.
    yielded: u8,
    /// Something was handed on already: from now on, ready chunks are gathered.
    started: bool,
    finished: bool,
}

/// What has arrived and is not yet handed on: a lone chunk is kept as it came.
enum Held {
    Nothing,
    One(Bytes),
    Joined(BytesMut),
}

enum After {
    End,
    Failed(BoxError),
}

impl Gathered {
    pub fn new(inner: ByteStream) -> Self {
        Self {
            inner,
            held: Held::Nothing,
            after: None,
            yielded: 0,
            started: false,
            finished: false,
        }
    }

    fn hand_on(&mut self) -> Poll<Option<Result<Bytes, BoxError>>> {
        self.yielded = 0;
        self.started = true;
        Poll::Ready(Some(Ok(self.held.take())))
    }

    fn end(&mut self, after: After) -> Poll<Option<Result<Bytes, BoxError>>> {
        self.finished = true;
        Poll::Ready(match after {
            After::End => None,
            After::Failed(e) => Some(Err(e)),
        })
    }
}

impl Held {
    fn len(&self) -> usize {
        match self {
            Held::Nothing => 0,
            Held::One(b) => b.len(),
            Held::Joined(b) => b.len(),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        *self = match std::mem::replace(self, Held::Nothing) {
            Held::Nothing => Held::One(chunk),
            Held::One(first) => {
                let mut joined = BytesMut::with_capacity(first.len() + chunk.len());
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&chunk);
                Held::Joined(joined)
            }
            Held::Joined(mut joined) => {
                joined.extend_from_slice(&chunk);
                Held::Joined(joined)
            }
        }
    }

    fn take(&mut self) -> Bytes {
        match std::mem::replace(self, Held::Nothing) {
            Held::Nothing => Bytes::new(),
            Held::One(b) => b,
            Held::Joined(b) => b.freeze(),
        }
    }
}

impl Stream for Gathered {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        if let (Held::Nothing, Some(after)) = (&this.held, this.after.take()) {
            return this.end(after);
        }
        loop {
            if this.held.len() >= ENOUGH {
                return this.hand_on();
            }
            let after = match this.inner.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.yielded = 0;
                    if !chunk.is_empty() {
                        this.held.push(chunk);
                    }
                    continue;
                }
                Poll::Ready(Some(Err(e))) => After::Failed(e),
                Poll::Ready(None) => After::End,
                Poll::Pending if matches!(this.held, Held::Nothing) => return Poll::Pending,
                Poll::Pending if this.started && this.yielded < YIELDS => {
                    this.yielded += 1;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Pending => return this.hand_on(),
            };
            if matches!(this.held, Held::Nothing) {
                return this.end(after);
            }
            this.after = Some(after);
            return this.hand_on();
        }
    }
}

#[cfg(test)]
mod tests;
