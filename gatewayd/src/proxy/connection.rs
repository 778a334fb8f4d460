//! One client connection from accept to close: its first bytes (or TLS handshake) within
//! `client_timeout`, then hyper; closed gracefully (HTTP/2 GOAWAY, HTTP/1.1 after the
//! answer in progress) when the daemon stops or when it has had nothing in flight for
//! `client_timeout`. Over the connection cap it is served by the overflow answer only.
//! hyper's own answers to unparsable requests get a body on the way out (`malformed`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body::{Body, Frame, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulConnection;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use super::connections::Slot;
use super::malformed::Malformed;
use super::Proxy;

/// What every connection shares.
#[derive(Clone)]
pub struct Settings {
    pub builder: auto::Builder<TokioExecutor>,
    pub tls: Option<TlsAcceptor>,
    /// TLS handshake, first bytes, idle time.
    pub client_timeout: Duration,
    /// Cancelled when the daemon stops.
    pub stopping: CancellationToken,
}

/// Serves `stream` until it closes; `overflow` connections get only the overflow answer.
pub async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    proxy: Proxy,
    settings: Settings,
    slot: Slot,
    overflow: bool,
) {
    let _slot = slot;
    let limit = settings.client_timeout;
    let activity = Arc::new(Activity::new());
    let tracked = Arc::clone(&activity);
    let service = service_fn(move |request| {
        let proxy = proxy.clone();
        let busy = tracked.begin();
        async move {
            // Boxed: hyper keeps the service's future inside the connection's task, so an
            // inline one would reserve its whole size for as long as the connection lives
            // (streams, idle keep-alive); boxed, it is freed as the answer's head leaves.
            let response = match overflow {
                false => Box::pin(proxy.handle(request, peer)).await,
                true => proxy.overflow(request, peer),
            };
            Ok::<_, Infallible>(response.map(|body| Tracked { body, _busy: busy }))
        }
    });
    let served = match settings.tls {
        None => {
            // A client that never sends a byte never reaches hyper's head timeout.
            // (`peek`, not `readable`: readiness can be reported spuriously.)
            let mut first = [0u8; 1];
            let first_bytes = tokio::time::timeout(limit, stream.peek(&mut first));
            let spoke = settings.stopping.run_until_cancelled(first_bytes).await;
            if !matches!(spoke, Some(Ok(Ok(n))) if n > 0) {
                tracing::debug!(client.addr = %peer, "connection closed: nothing sent in time");
                return;
            }
            let io = TokioIo::new(Malformed::new(stream));
            let conn = settings.builder.serve_connection(io, service);
            drive(conn, &activity, limit, &settings.stopping).await
        }
        Some(tls) => {
            // TLS state is boxed so plain connections do not reserve room for it.
            let handshake = tokio::time::timeout(limit, Box::pin(tls.accept(stream)));
            let stream = match settings.stopping.run_until_cancelled(handshake).await {
                Some(Ok(Ok(stream))) => stream,
                Some(Ok(Err(e))) => {
                    tracing::debug!(client.addr = %peer, error = %e, "TLS handshake failed");
                    return;
                }
                Some(Err(_)) => {
                    tracing::debug!(client.addr = %peer, "TLS handshake timed out");
                    return;
                }
                None => return,
            };
            let io = TokioIo::new(Malformed::new(stream));
            let conn = settings.builder.serve_connection(io, service);
            Box::pin(drive(conn, &activity, limit, &settings.stopping)).await
        }
    };
    if let Err(e) = served {
        tracing::debug!(client.addr = %peer, error = %e, "connection ended with an error");
    }
}

/// Runs hyper's connection, asking it to close once the daemon stops or the connection
/// has had nothing in flight for `idle`.
async fn drive<C: GracefulConnection>(
    conn: C,
    activity: &Activity,
    idle: Duration,
    stopping: &CancellationToken,
) -> Result<(), C::Error> {
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let idle_at = activity.idle_deadline(idle);
        tokio::select! {
            done = conn.as_mut() => return done,
            () = stopping.cancelled(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep_until(idle_at), if !closing => {
                if activity.idle_for(idle) {
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Requests in flight on one connection and when the last one ended.
struct Activity {
    opened: Instant,
    busy: AtomicU32,
    /// Milliseconds after `opened` the connection last went quiet.
    quiet_since_ms: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            busy: AtomicU32::new(0),
            quiet_since_ms: AtomicU64::new(0),
        }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(self))
    }

    /// When the connection will have been idle for `idle`, if nothing starts meanwhile.
    fn idle_deadline(&self, idle: Duration) -> Instant {
        match self.busy.load(Ordering::Relaxed) {
            0 => {
                let quiet = self.quiet_since_ms.load(Ordering::Relaxed);
                self.opened + Duration::from_millis(quiet) + idle
            }
            _ => Instant::now() + idle,
        }
    }

    fn idle_for(&self, idle: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) == 0 && self.idle_deadline(idle) <= Instant::now()
    }
}

/// One request in flight, until its answer's body is done or dropped.
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let now = self.0.opened.elapsed().as_millis() as u64;
        self.0.quiet_since_ms.store(now, Ordering::Relaxed);
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An answer's body that keeps its request counted as in flight while it is sent.
pub struct Tracked<B> {
    body: B,
    _busy: Busy,
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
