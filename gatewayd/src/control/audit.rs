//! Who did what on the control plane: one log line per call with the RPC and the
//! caller's uid — `info` for changes, `debug` for reads.

use std::task::{Context, Poll};

use tonic::transport::server::UdsConnectInfo;
use tower::{Layer, Service};

/// Logs every control-plane call.
#[derive(Clone, Copy)]
pub struct AuditLayer;

impl<S> Layer<S> for AuditLayer {
    type Service = Audit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Audit { inner }
    }
}

/// The service [`AuditLayer`] wraps around each gRPC service.
#[derive(Clone)]
pub struct Audit<S> {
    inner: S,
}

const READS: [&str; 3] = ["/List", "/Get", "/Test"];

impl<S, B> Service<http::Request<B>> for Audit<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let rpc = request.uri().path();
        let uid = request
            .extensions()
            .get::<UdsConnectInfo>()
            .and_then(|info| info.peer_cred)
            .map_or(-1, |cred| i64::from(cred.uid()));
        if READS.iter().any(|verb| rpc.contains(verb)) {
            tracing::debug!(audit.rpc = rpc, audit.actor_uid = uid, "control read");
        } else {
            tracing::info!(audit.rpc = rpc, audit.actor_uid = uid, "control call");
        }
        self.inner.call(request)
    }
}
