//! `mock-upstream`: the test upstream as a process, for the README demo and the benchmark.
//! Prints `mock-upstream listening on http://ADDR` once it is ready.

use std::net::SocketAddr;

use gateway_tests::mock::MockConfig;

fn main() {
    let mut config = MockConfig {
        record: false,
        ..MockConfig::default()
    };
    let mut listen: SocketAddr = "127.0.0.1:9000".parse().expect("default address");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--listen" => {
                listen = value()
                    .parse()
                    .unwrap_or_else(|_| usage("bad --listen address"))
            }
            "--tokens" => config.tokens = number(&value()),
            "--chunk-tokens" => config.chunk_tokens = number(&value()),
            "--ttfb-ms" => config.ttfb_ms = number(&value()),
            "--interval-ms" => config.interval_ms = number(&value()),
            "--record" => config.record = true,
            "--static" => config.static_answers = true,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .unwrap_or_else(|e| usage(&format!("cannot bind {listen}: {e}")));
        let addr = listener.local_addr().expect("bound address");
        println!("mock-upstream listening on http://{addr}");
        gateway_tests::mock::serve(listener, config).await;
    });
}

fn number(s: &str) -> u64 {
    s.parse()
        .unwrap_or_else(|_| usage(&format!("{s:?} is not a number")))
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("mock-upstream: {problem}");
    }
    eprintln!("usage: mock-upstream [--listen ADDR] [--tokens N] [--chunk-tokens N] [--ttfb-ms N] [--interval-ms N] [--record] [--static]");
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}
