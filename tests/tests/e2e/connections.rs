//! Connections: every phase has a deadline (first bytes, request head, body pace, idle
//! keep-alive on HTTP/1.1 and HTTP/2), one address cannot hold every connection, and
//! past the total cap `/healthz` still answers while everything else gets a 503.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use gateway_tests::harness::Daemon;

/// How long until the daemon closes a connection that sends `sent` and then nothing.
async fn closed_after(daemon: &Daemon, sent: &[u8]) -> std::time::Duration {
    let address = daemon.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let started = std::time::Instant::now();
    let mut sink = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut sink)).await;
    assert!(read.is_ok(), "the connection was still open after 10 s");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_say_nothing_or_stall_their_head_are_closed() {
    let daemon = Daemon::start_with_config("client_timeout = \"300ms\"\n");
    let silent = closed_after(&daemon, b"").await;
    assert!(silent < Duration::from_secs(3), "silent: {silent:?}");
    let stalled = closed_after(&daemon, b"POST /v1/messages HTTP/1.1\r\nhost: gw\r\n").await;
    assert!(
        stalled < Duration::from_secs(3),
        "stalled head: {stalled:?}"
    );
    let health = reqwest::get(format!("{}/healthz", daemon.url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "a client that speaks is served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_has_said_nothing_does_not_hold_up_a_shutdown() {
    let daemon = Daemon::start_with_config("client_timeout = \"20s\"\n");
    let address = daemon.url.trim_start_matches("http://").to_owned();
    let _silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    let health = reqwest::get(format!("{}/healthz", daemon.url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let started = std::time::Instant::now();
    let (_, status) = tokio::task::spawn_blocking(move || daemon.stop())
        .await
        .unwrap();
    assert!(status.success());
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");
}

/// A connection to the daemon from source address `from`.
async fn connect_from(daemon: &Daemon, from: [u8; 4]) -> tokio::net::TcpStream {
    let to: std::net::SocketAddr = daemon.url.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind((std::net::Ipv4Addr::from(from), 0).into())
        .unwrap();
    socket.connect(to).await.unwrap()
}

async fn healthz_over(mut stream: tokio::net::TcpStream) -> String {
    let request = b"GET /healthz HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n";
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_every_connection() {
    let daemon =
        Daemon::start_with_config("client_timeout = \"20s\"\nmax_connections_per_ip = 3\n");
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from(&daemon, [127, 0, 0, 1]).await);
    }
    let refused = healthz_over(connect_from(&daemon, [127, 0, 0, 1]).await).await;
    assert!(
        refused.is_empty(),
        "a fourth connection from the address is closed: {refused}"
    );
    let other = healthz_over(connect_from(&daemon, [127, 0, 0, 2]).await).await;
    assert!(
        other.starts_with("HTTP/1.1 200"),
        "another address is served: {other}"
    );
    held.pop();
    // The daemon sees the close asynchronously; the slot is free once it has.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let again = healthz_over(connect_from(&daemon, [127, 0, 0, 1]).await).await;
        if again.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the freed slot never came back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http1_connection_is_closed_after_its_answer() {
    let daemon = Daemon::start_with_config("client_timeout = \"300ms\"\n");
    let idle = closed_after(&daemon, b"GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n").await;
    assert!(idle < Duration::from_secs(3), "idle keep-alive: {idle:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_sent_away() {
    let daemon = Daemon::start_with_config("client_timeout = \"300ms\"\n");
    let address = daemon.url.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    let conn = tokio::spawn(conn);
    let request = http::Request::get(format!("{}/healthz", daemon.url))
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let answer = send.send_request(request).await.unwrap();
    assert_eq!(answer.status(), 200);
    drop(answer);
    let started = std::time::Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(10), conn).await;
    assert!(
        ended.is_ok(),
        "the idle HTTP/2 connection was still open after 10 s"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_is_refused_with_a_408_in_the_dialect() {
    let daemon = Daemon::start_with_config("client_timeout = \"300ms\"\nmin_body_rate = 1000\n");
    let (_, secret) = daemon.create_key("dev", &[]);
    let address = daemon.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: gw\r\nx-api-key: {secret}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{{\"model\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the trickling body was still being waited for after 10 s"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"timeout_error\""), "{text}");
    daemon.settle();
    let log = daemon.ctl_json(&["log", "tail"]);
    assert_eq!(log[0]["error"], "slow_body", "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_healthz_answers_and_the_rest_get_a_503() {
    let daemon = Daemon::start_with_config("client_timeout = \"20s\"\nmax_connections = 2\n");
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(connect_from(&daemon, [127, 0, 0, 1]).await);
    }
    let health = healthz_over(connect_from(&daemon, [127, 0, 0, 1]).await).await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let mut stream = connect_from(&daemon, [127, 0, 0, 1]).await;
    let body = "{}";
    let request = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "an overflow connection is closed after its answer"
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("connection limit"), "{text}");
    assert!(text.contains("retry-after: 1"), "{text}");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_client_that_stops_answering_pings_is_dropped() {
    let daemon =
        Daemon::start_with_config("client_timeout = \"20s\"\nhttp2_keepalive = \"300ms\"\n");
    // The HTTP/2 preface and an empty SETTINGS frame, then silence: no SETTINGS ack, no
    // PING ack.
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
    let dropped = closed_after(&daemon, &hello).await;
    assert!(
        dropped < Duration::from_secs(3),
        "an unanswered ping ends the connection long before client_timeout: {dropped:?}"
    );
}
