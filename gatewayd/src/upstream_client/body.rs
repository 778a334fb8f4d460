//! An upstream answer's body, whichever client fetched it, with the idle timeout applied:
//! a stream that sends nothing for `upstream.idle_timeout` ends with an error.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

/// Boxed error of an upstream body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of an upstream answer.
pub enum UpstreamBody {
    /// From the pooled hyper client, which has no read timeout of its own.
    Direct(Idle),
    /// From a per-account proxy client (reqwest applies the idle timeout itself).
    Proxied(reqwest::Body),
}

/// A hyper body that fails after `limit` without a frame. The timer is only armed once
/// the body has to wait, so an answer that arrives in one piece never touches it.
pub struct Idle {
    body: Incoming,
    limit: Duration,
    timer: Option<Pin<Box<Sleep>>>,
}

impl UpstreamBody {
    pub fn direct(body: Incoming, limit: Duration) -> Self {
        Self::Direct(Idle {
            body,
            limit,
            timer: None,
        })
    }
}

/// The upstream went quiet for longer than the idle timeout.
#[derive(Debug, thiserror::Error)]
#[error("upstream sent nothing for {0:?}")]
pub struct IdleTimeout(Duration);

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            Self::Direct(idle) => idle.poll_frame(cx),
            Self::Proxied(body) => Pin::new(body)
                .poll_frame(cx)
                .map(|frame| frame.map(|f| f.map_err(BoxError::from))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Direct(idle) => idle.body.is_end_stream(),
            Self::Proxied(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Direct(idle) => idle.body.size_hint(),
            Self::Proxied(body) => body.size_hint(),
        }
    }
}

impl Idle {
    fn poll_frame(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                if let Some(timer) = &mut self.timer {
                    timer.as_mut().reset(Instant::now() + self.limit);
                }
                Poll::Ready(frame.map(|f| f.map_err(BoxError::from)))
            }
            Poll::Pending => {
                let limit = self.limit;
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(IdleTimeout(limit).into()))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}
