//! The pooled HTTP client that talks to upstreams, built the same way for the data
//! plane, for accounts behind their own proxy, and for probes.

use crate::config::UpstreamConfig;

/// The upstream HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the upstream HTTP client: {0}")]
pub struct ClientError(#[source] reqwest::Error);

/// A client with the configured timeouts, optionally through `proxy`.
pub fn build(cfg: &UpstreamConfig, proxy: Option<&str>) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(cfg.connect_timeout)
        .read_timeout(cfg.idle_timeout)
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none());
    builder = match proxy {
        Some(url) => builder.proxy(reqwest::Proxy::all(url).map_err(ClientError)?),
        None => builder.no_proxy(),
    };
    builder.build().map_err(ClientError)
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
