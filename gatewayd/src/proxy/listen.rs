//! Listen: the accept loop on the data-plane port. Serves HTTP/1.1 and HTTP/2 (h2c, or
//! over TLS by ALPN), and on shutdown stops accepting and gives in-flight requests —
//! streams included — a grace period to finish. What is still open then is dropped, and
//! every connection task has ended (its streams recorded with what they counted) before
//! `serve` returns. TLS handshakes run in each connection's own task, so a slow client
//! never holds up the accept loop; a client that does not finish its handshake, send its
//! first bytes or a whole request head within `client_timeout` is disconnected.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::Proxy;

/// Largest read buffer of a client connection, and so the largest request head (Node's
/// default limit, which Claude Code and Gemini CLI run under). Bodies stream through it in
/// pieces: without the cap, hyper grows the buffer towards the size of the biggest
/// request seen and keeps it for the connection's life — for a long-running stream after
/// a 500 KB conversation, 512 KB held idle per connection.
const MAX_READ_BUF: usize = 16 * 1024;

/// The serving deadlines and the per-address connection cap.
pub struct Timing {
    /// How long in-flight requests may run after the shutdown signal.
    pub grace: Duration,
    /// For a TLS handshake, a connection's first bytes, and each request head.
    pub client: Duration,
    pub caps: super::connections::ConnectionCaps,
}

/// Serves until `shutdown` resolves, then drains for at most `timing.grace`.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    proxy: Proxy,
    shutdown: impl Future<Output = ()>,
    timing: Timing,
) {
    let Timing {
        grace,
        client,
        caps,
    } = timing;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // A timer enables hyper's header-read timeout: a request head must arrive whole in time.
    builder.http1().timer(TokioTimer::new());
    builder.http1().header_read_timeout(client);
    builder.http1().max_buf_size(MAX_READ_BUF);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let connections = TaskTracker::new();
    let abandon = CancellationToken::new();
    // Connections still in their handshake or first-bytes wait hold a graceful-shutdown
    // watcher; they give it up as soon as the daemon stops, so the drain does not wait on
    // clients that never asked for anything.
    let stopping = CancellationToken::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = caps.admit(peer.ip()) else {
            tracing::debug!(client.addr = %peer, "connection refused: this address has its share open");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let proxy = proxy.clone();
        let service = service_fn(move |request| {
            let proxy = proxy.clone();
            async move { Ok::<_, Infallible>(proxy.handle(request, peer).await) }
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = tls.clone();
        let stopping = stopping.clone();
        connections.spawn(abandon.clone().run_until_cancelled_owned(async move {
            let _slot = slot;
            let served = match tls {
                None => {
                    // A client that never sends a byte never reaches hyper's head timeout.
                    // (`peek`, not `readable`: readiness can be reported spuriously.)
                    let mut first = [0u8; 1];
                    let first_bytes = tokio::time::timeout(client, stream.peek(&mut first));
                    let spoke = stopping.run_until_cancelled(first_bytes).await;
                    if !matches!(spoke, Some(Ok(Ok(n))) if n > 0) {
                        tracing::debug!(client.addr = %peer, "connection closed: nothing sent in time");
                        return;
                    }
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    Box::pin(watcher.watch(conn.into_owned())).await
                }
                Some(tls) => {
                    let handshake = tokio::time::timeout(client, tls.accept(stream));
                    let stream = match stopping.run_until_cancelled(handshake).await {
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
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    Box::pin(watcher.watch(conn.into_owned())).await
                }
            };
            if let Err(e) = served {
                tracing::debug!(client.addr = %peer, error = %e, "connection ended with an error");
            }
        }));
    }
    drop(listener);
    stopping.cancel();
    tracing::info!("data plane stopped accepting; draining in-flight requests");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("data plane drained"),
        () = tokio::time::sleep(grace) => tracing::warn!(grace = ?grace, "grace period over; abandoning in-flight requests"),
    }
    // Dropping what is left records each cut stream with the usage it counted.
    abandon.cancel();
    connections.close();
    connections.wait().await;
}
