//! The dashboard on its own address (`[dashboard] listen`), plain HTTP/1.1, so operators
//! can keep it off the port clients use (on loopback, or behind their own TLS proxy).

use std::convert::Infallible;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::Dashboard;

/// Serves until aborted; every path outside `/ui/` is a 404 page.
pub async fn serve(listener: TcpListener, dashboard: Arc<Dashboard>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let dashboard = Arc::clone(&dashboard);
        let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let dashboard = Arc::clone(&dashboard);
            async move {
                let client = dashboard
                    .live
                    .load()
                    .ip_rules
                    .client_ip(peer.ip(), request.headers());
                Ok::<_, Infallible>(dashboard.handle(request, client).await)
            }
        });
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            let _ = conn.await;
        });
    }
}
