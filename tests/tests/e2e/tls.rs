//! TLS on the data-plane port: HTTPS with HTTP/2 by ALPN, mutual TLS with a client CA,
//! and the refusal to serve plain HTTP on a non-loopback address.

use std::path::Path;

use gateway_tests::harness::{bin, Daemon};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};

/// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, as PEM
/// files in `dir`; returns (ca, client identity) PEMs.
fn certificates(dir: &Path) -> (String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "gateway test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf = |names: Vec<String>, usage| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &ca_cert, &ca_key).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    let (server, server_key) = leaf(
        vec!["localhost".into(), "127.0.0.1".into()],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client, client_key) = leaf(
        vec!["ci-client".into()],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), server).unwrap();
    std::fs::write(dir.join("server.key"), server_key).unwrap();
    (ca_cert.pem(), format!("{client}{client_key}"))
}

fn client(ca: &str, identity: Option<&str>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .tls_built_in_root_certs(false);
    if let Some(pem) = identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

fn https(daemon: &Daemon, path: &str) -> String {
    format!("{}{path}", daemon.url.replacen("http://", "https://", 1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_http2_and_mutual_tls() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, identity) = certificates(certs.path());
    let file = |name: &str| certs.path().join(name).to_str().unwrap().to_owned();
    let (cert, key, client_ca) = (file("server.pem"), file("server.key"), file("ca.pem"));

    let daemon = Daemon::start_with(&["--tls-cert", &cert, "--tls-key", &key]);
    let answer = client(&ca, None)
        .get(https(&daemon, "/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.version(), reqwest::Version::HTTP_2, "h2 by ALPN");
    let refused = client(&ca, None)
        .post(https(&daemon, "/v1/messages"))
        .header("x-api-key", "gwk_wrong")
        .json(&serde_json::json!({"model": "m"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        401,
        "the data plane works as usual over TLS"
    );
    assert!(
        reqwest::get(format!("{}/healthz", daemon.url))
            .await
            .is_err(),
        "no plain HTTP on the TLS port"
    );
    drop(daemon);

    let mutual = Daemon::start_with(&[
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--tls-client-ca",
        &client_ca,
    ]);
    assert!(
        client(&ca, None)
            .get(https(&mutual, "/healthz"))
            .send()
            .await
            .is_err(),
        "a client without a certificate is turned away"
    );
    let answer = client(&ca, Some(&identity))
        .get(https(&mutual, "/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[test]
fn plain_http_on_a_public_address_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        std::process::Command::new(bin("gatewayd"))
            .args(["--listen", "0.0.0.0:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .arg("--socket")
            .arg(dir.path().join("ctl.sock"))
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to serve plain HTTP on 0.0.0.0"),
        "{stderr}"
    );
    let config = dir.path().join("gw.toml");
    std::fs::write(&config, "[tls]\ncert = \"/nonexistent.pem\"\n").unwrap();
    let out = run(&["--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both a certificate and a key"));

    // Explicitly allowed: it starts.
    std::fs::write(&config, "[security]\nallow_plain_http = true\n").unwrap();
    let mut child = std::process::Command::new(bin("gatewayd"))
        .args(["--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--socket")
        .arg(dir.path().join("ctl.sock"))
        .args(["--config", config.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    gateway_tests::harness::eventually("gatewayd to start", || {
        assert!(child.try_wait().unwrap().is_none(), "gatewayd exited");
        dir.path().join("ctl.sock").exists().then_some(())
    });
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_handshake_that_stalls_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let certs = tempfile::tempdir().unwrap();
    let _ = certificates(certs.path());
    let file = |name: &str| certs.path().join(name).to_str().unwrap().to_owned();
    let daemon = Daemon::start_with_config(&format!(
        "client_timeout = \"300ms\"\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n",
        file("server.pem"),
        file("server.key")
    ));
    let address = daemon.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // The first bytes of a ClientHello, then nothing.
    stream
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00])
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut sink = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut sink),
    )
    .await;
    assert!(
        read.is_ok(),
        "the stalled handshake was still open after 10 s"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}
