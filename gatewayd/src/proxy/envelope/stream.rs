//! Reframes an answer as it streams: SSE answers line by line (a chunk goes out as soon
//! as its complete lines are reframed; only an unfinished line is held back), JSON answers
//! once they are complete (they are one value).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use memchr::memchr;

use super::Reframe;
use crate::proxy::body::ByteStream;

/// Largest JSON answer reframed; a larger one passes unchanged.
const MAX_JSON: usize = 64 * 1024 * 1024;

/// An upstream answer with its envelope changed.
pub struct Reframed {
    inner: ByteStream,
    reframe: Reframe,
    sse: bool,
    /// An unfinished SSE line, or the JSON answer so far.
    carry: Vec<u8>,
    /// A JSON answer too large to reframe: relayed as it is.
    passthrough: bool,
    ended: bool,
}

impl Reframed {
    pub fn new(inner: ByteStream, reframe: Reframe, sse: bool) -> Self {
        Self {
            inner,
            reframe,
            sse,
            carry: Vec::new(),
            passthrough: false,
            ended: false,
        }
    }

    /// The complete lines of `chunk` (with what was carried), reframed.
    fn lines(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + 64);
        let mut rest = chunk;
        while let Some(end) = memchr(b'\n', rest) {
            if self.carry.is_empty() {
                self.reframe.line(&rest[..end], &mut out);
            } else {
                let mut line = std::mem::take(&mut self.carry);
                line.extend_from_slice(&rest[..end]);
                self.reframe.line(&line, &mut out);
            }
            out.push(b'\n');
            rest = &rest[end + 1..];
        }
        self.carry.extend_from_slice(rest);
        out
    }

    fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.carry);
        if rest.is_empty() {
            return rest;
        }
        if self.sse {
            let mut out = Vec::with_capacity(rest.len() + 64);
            self.reframe.line(&rest, &mut out);
            out
        } else {
            self.reframe.json(&rest)
        }
    }
}

impl Stream for Reframed {
    type Item = Result<Bytes, crate::upstream_client::BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(chunk))) if this.passthrough => {
                    return Poll::Ready(Some(Ok(chunk)))
                }
                Poll::Ready(Some(Ok(chunk))) if this.sse => {
                    let out = this.lines(&chunk);
                    if !out.is_empty() {
                        return Poll::Ready(Some(Ok(Bytes::from(out))));
                    }
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    this.carry.extend_from_slice(&chunk);
                    if this.carry.len() > MAX_JSON {
                        this.passthrough = true;
                        let held = std::mem::take(&mut this.carry);
                        return Poll::Ready(Some(Ok(Bytes::from(held))));
                    }
                }
                Poll::Ready(None) => {
                    this.ended = true;
                    let out = this.finish();
                    if !out.is_empty() {
                        return Poll::Ready(Some(Ok(Bytes::from(out))));
                    }
                }
            }
        }
    }
}
