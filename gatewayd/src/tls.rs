//! TLS for the data-plane port (rustls): a certificate chain and key from PEM files,
//! HTTP/2 and HTTP/1.1 by ALPN, and optionally client certificates checked against a CA
//! (mutual TLS). Also the guard that refuses plain HTTP on a non-loopback address.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use serde::Deserialize;
use tokio_rustls::TlsAcceptor;

/// `[tls]` in the config, or `--tls-cert` / `--tls-key` / `--tls-client-ca`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// PEM CA certificates; when set, clients must present a certificate it signed.
    pub client_ca: Option<PathBuf>,
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS needs both a certificate and a key (tls.cert and tls.key)")]
    Incomplete,
    #[error("cannot read {what} from {path}: {reason}")]
    Read {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("invalid TLS setup: {0}")]
    Invalid(String),
    #[error("refusing to serve plain HTTP on {0}, which is not a loopback address: configure TLS (--tls-cert/--tls-key) or set security.allow_plain_http = true")]
    PlainHttp(SocketAddr),
}

fn read_err<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(rustls::pki_types::pem::Error) -> TlsError + 'a {
    move |e| TlsError::Read {
        what,
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// The acceptor, or `None` for plain HTTP (allowed on loopback, or when configured).
pub fn acceptor(
    cfg: &TlsConfig,
    listen: SocketAddr,
    allow_plain_http: bool,
) -> Result<Option<TlsAcceptor>, TlsError> {
    let (cert, key) = match (&cfg.cert, &cfg.key) {
        (None, None) => {
            if !listen.ip().is_loopback() && !allow_plain_http {
                return Err(TlsError::PlainHttp(listen));
            }
            return Ok(None);
        }
        (Some(cert), Some(key)) => (cert, key),
        _ => return Err(TlsError::Incomplete),
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(read_err("certificates", cert))?
        .collect::<Result<_, _>>()
        .map_err(read_err("certificates", cert))?;
    if chain.is_empty() {
        return Err(TlsError::Invalid(format!(
            "no certificate in {}",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(read_err("the private key", key))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Invalid(e.to_string()))?;
    let builder = match &cfg.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(ca).map_err(read_err("client CA", ca))? {
                roots
                    .add(cert.map_err(read_err("client CA", ca))?)
                    .map_err(|e| TlsError::Invalid(e.to_string()))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::Invalid(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Invalid(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}
