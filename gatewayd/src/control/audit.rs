//! Who did what on the control plane: each call runs with its caller (`uid:N`, from
//! SO_PEERCRED) as the audit actor, so every change it makes is recorded under that name
//! in the audit chain; one log line per call too — `info` for changes, `debug` for reads.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tonic::transport::server::UdsConnectInfo;
use tower::{Layer, Service};

/// Wraps every gRPC service.
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

const READS: [&str; 4] = ["/List", "/Get", "/Test", "/Verify"];

impl<S, B> Service<http::Request<B>> for Audit<S>
where
    S: Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let rpc = request.uri().path().to_owned();
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
        let call = self.inner.call(request);
        Box::pin(crate::state::ACTOR.scope(format!("uid:{uid}"), call))
    }
}
