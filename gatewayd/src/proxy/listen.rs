//! Listen: the accept loop on the data-plane port. Serves HTTP/1.1 and HTTP/2 (h2c, or
//! over TLS by ALPN), and on shutdown stops accepting and gives in-flight requests —
//! streams included — a grace period to finish. What is still open then is dropped, and
//! every connection task has ended (its streams recorded with what they counted) before
//! `serve` returns. Each connection runs in its own task (`connection`), so a slow client
//! never holds up the accept loop; the caps (`connections`) decide which are served.

use std::future::Future;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::connection;
use super::connections::Admit;
use super::Proxy;

/// Largest read buffer of a client connection, and so the largest request head (Node's
/// default limit, which Claude Code and Gemini CLI run under). Bodies stream through it in
/// pieces: without the cap, hyper grows the buffer towards the size of the biggest
/// request seen and keeps it for the connection's life — for a long-running stream after
/// a 500 KB conversation, 512 KB held idle per connection.
const MAX_READ_BUF: usize = 16 * 1024;

/// The serving deadlines and the connection caps.
pub struct Timing {
    /// How long in-flight requests may run after the shutdown signal.
    pub grace: Duration,
    /// For a TLS handshake, a connection's first bytes, each request head, and idling.
    pub client: Duration,
    /// HTTP/2 ping interval and answer timeout; zero = no pings.
    pub http2_keepalive: Duration,
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
        http2_keepalive,
        caps,
    } = timing;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // A timer enables hyper's header-read timeout: a request head must arrive whole in
    // time, and (from the end of an answer) the next one must start in time.
    builder.http1().timer(TokioTimer::new());
    builder.http1().header_read_timeout(client);
    builder.http1().max_buf_size(MAX_READ_BUF);
    builder.http2().timer(TokioTimer::new());
    if !http2_keepalive.is_zero() {
        builder.http2().keep_alive_interval(http2_keepalive);
        builder.http2().keep_alive_timeout(http2_keepalive);
    }
    // Connections still in their handshake or first-bytes wait give up as soon as the
    // daemon stops; served ones are asked to close gracefully.
    let stopping = CancellationToken::new();
    let settings = connection::Settings {
        builder,
        tls,
        client_timeout: client,
        stopping: stopping.clone(),
    };
    let connections = TaskTracker::new();
    let abandon = CancellationToken::new();
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
        let (slot, overflow) = match caps.admit(peer.ip()) {
            Admit::Serve(slot) => (slot, false),
            Admit::Overflow(slot) => (slot, true),
            Admit::Refuse => {
                tracing::debug!(client.addr = %peer, "connection refused: over the connection caps");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        // Boxed before it is spawned: tokio copies a task's future several times on the
        // way into its cell (and its whole size again when it finishes); a boxed one is
        // written once, to the heap.
        let serve = Box::pin(connection::serve(
            stream,
            peer,
            proxy.clone(),
            settings.clone(),
            slot,
            overflow,
        ));
        connections.spawn(abandon.clone().run_until_cancelled_owned(serve));
    }
    drop(listener);
    stopping.cancel();
    connections.close();
    tracing::info!("data plane stopped accepting; draining in-flight requests");
    tokio::select! {
        () = connections.wait() => tracing::info!("data plane drained"),
        () = tokio::time::sleep(grace) => tracing::warn!(grace = ?grace, "grace period over; abandoning in-flight requests"),
    }
    // Dropping what is left records each cut stream with the usage it counted.
    abandon.cancel();
    connections.wait().await;
}
