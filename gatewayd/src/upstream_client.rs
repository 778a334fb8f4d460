//! The pooled HTTP clients that talk to upstreams: hyper's client for the data plane
//! (requests built from pre-validated parts, no per-request URL parsing), and reqwest for
//! accounts behind their own proxy, for token refreshes and for probes.

mod body;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

pub use body::{BoxError, UpstreamBody};

use crate::config::UpstreamConfig;

/// How long an idle pooled connection is kept: 30 s, as load balancers commonly do (a
/// connection kept longer than the far side keeps it risks a request on a socket being
/// closed). Each pooled HTTP/1.1 connection holds ~45 KB (hyper's dispatch queue and
/// buffers), so a burst's 64 connections held 3 MB for 90 s before.
const POOL_IDLE: Duration = Duration::from_secs(30);

/// Idle connections kept per upstream host: enough for steady traffic to reuse warm
/// (TLS) connections, while a burst's extra connections close once it is over instead of
/// holding their buffers for `POOL_IDLE`.
const POOL_MAX_IDLE_PER_HOST: usize = 256;

/// The read buffer of an upstream HTTP/1.1 connection.
const UPSTREAM_READ_BUF: usize = 8 * 1024;

/// The upstream HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the upstream HTTP client: {0}")]
pub struct ClientError(#[source] reqwest::Error);

/// The daemon's HTTP clients, built once at start with the same settings (timeouts, no
/// redirects, no proxy from the environment) and shared: the data plane's pooled
/// client, and one reqwest client for token refreshes, logins, probes, health checks and
/// alerts. Accounts behind their own proxy get a client from [`build`] too.
#[derive(Clone)]
pub struct Clients {
    pub shared: reqwest::Client,
    pub direct: Direct,
}

impl Clients {
    pub fn new(cfg: &UpstreamConfig) -> Result<Self, ClientError> {
        Ok(Self {
            shared: build(cfg, None)?,
            direct: Direct::new(cfg),
        })
    }
}

/// A client with the configured timeouts, optionally through `proxy`.
pub fn build(cfg: &UpstreamConfig, proxy: Option<&str>) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(cfg.connect_timeout)
        .read_timeout(cfg.idle_timeout)
        .pool_idle_timeout(POOL_IDLE)
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none());
    builder = match proxy {
        Some(url) => builder.proxy(reqwest::Proxy::all(url).map_err(ClientError)?),
        None => builder.no_proxy(),
    };
    builder.build().map_err(ClientError)
}

/// The data plane's pooled client for accounts without a proxy: HTTP/1.1 or HTTP/2 (by
/// ALPN) over TLS with the web PKI roots, or plain HTTP.
#[derive(Clone)]
pub struct Direct {
    client: hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    idle_timeout: Duration,
}

impl Direct {
    pub fn new(cfg: &UpstreamConfig) -> Self {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(cfg.connect_timeout));
        http.set_nodelay(true);
        http.enforce_http(false);
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
            // Answers stream through a fixed 8 KiB buffer instead of one that grows with
            // the largest answer and stays that size while the connection lives.
            .http1_read_buf_exact_size(UPSTREAM_READ_BUF)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Self {
            client,
            idle_timeout: cfg.idle_timeout,
        }
    }

    /// Sends `request`; the answer's body fails after the idle timeout without data.
    pub async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<UpstreamBody>, SendError> {
        match self.client.request(request.map(Full::new)).await {
            Ok(response) => Ok(response.map(|body| UpstreamBody::direct(body, self.idle_timeout))),
            Err(e) if e.is_connect() => Err(SendError::Connect),
            Err(_) => Err(SendError::Failed),
        }
    }
}

/// Sends `request` through a proxied reqwest client.
pub async fn send_proxied(
    client: &reqwest::Client,
    request: http::Request<Bytes>,
) -> Result<http::Response<UpstreamBody>, SendError> {
    let request = reqwest::Request::try_from(request).map_err(|_| SendError::Failed)?;
    match client.execute(request).await {
        Ok(response) => Ok(http::Response::from(response).map(UpstreamBody::Proxied)),
        Err(e) if e.is_connect() => Err(SendError::Connect),
        Err(_) => Err(SendError::Failed),
    }
}

/// Why no answer came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// No connection could be made.
    Connect,
    /// The connection failed or the request could not be sent.
    Failed,
}

/// The proxy URL without its user and password, for display.
pub fn redact_proxy(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string().trim_end_matches('/').to_owned()
        }
        Err(_) => "<invalid>".to_owned(),
    }
}
