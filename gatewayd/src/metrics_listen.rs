//! `/metrics` on its own address (`[metrics] listen`), so scrapers need no access to the
//! data-plane port. HTTP/1.1, any other path is a 404.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::metrics::Metrics;
use crate::state::Gateway;

/// Serves until aborted.
pub async fn serve(listener: TcpListener, metrics: Metrics, gateway: Gateway) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (metrics, gateway) = (metrics.clone(), gateway.clone());
        let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let response = if request.uri().path() == "/metrics" {
                let text = metrics.render(&gateway.snapshot(), gateway.clock().now_millis());
                http::Response::builder()
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )
                    .body(Full::new(Bytes::from(text)))
            } else {
                http::Response::builder()
                    .status(http::StatusCode::NOT_FOUND)
                    .body(Full::new(Bytes::from_static(b"not found\n")))
            };
            async move { Ok::<_, Infallible>(response.unwrap_or_default()) }
        });
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            let _ = conn.await;
        });
    }
}
