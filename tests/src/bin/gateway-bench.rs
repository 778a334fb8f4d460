//! `gateway-bench`: measures what gatewayd adds over a direct call to the mock upstream.
//! Run it on release builds: `cargo build --release && target/release/gateway-bench --pin`.

use std::path::PathBuf;

use gateway_tests::bench::{self, Options};

fn main() {
    let mut options = Options {
        bin_dir: std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(PathBuf::from))
            .unwrap_or_default(),
        quick: false,
        smoke: false,
        accounts: 4,
        upstream_latency_ms: 0,
        pin: false,
        static_upstream: false,
        only: Vec::new(),
    };
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--quick" => options.quick = true,
            "--smoke" => options.smoke = true,
            "--json" => json = true,
            "--pin" => options.pin = true,
            "--static" => options.static_upstream = true,
            "--accounts" => {
                options.accounts = value().parse().unwrap_or_else(|_| usage("bad --accounts"))
            }
            "--upstream-latency-ms" => {
                options.upstream_latency_ms = value()
                    .parse()
                    .unwrap_or_else(|_| usage("bad --upstream-latency-ms"))
            }
            "--only" => options.only = value().split(',').map(str::to_owned).collect(),
            "--bin-dir" => options.bin_dir = PathBuf::from(value()),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    // Pinned before the runtime exists: affinity is per thread, and the workers inherit
    // the thread that spawns them.
    if options.pin {
        if let Err(e) = bench::pin_load_generator() {
            eprintln!("gateway-bench: {e}");
            std::process::exit(1);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(if options.pin { 1 } else { 2 })
        .enable_all()
        .build()
        .expect("runtime");
    match runtime.block_on(bench::run(options)) {
        Ok(report) if json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report JSON")
        ),
        Ok(report) => print!("{}", report.text()),
        Err(e) => {
            eprintln!("gateway-bench: {e}");
            std::process::exit(1);
        }
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("gateway-bench: {problem}");
    }
    eprintln!("usage: gateway-bench [--quick | --smoke] [--json] [--pin] [--static] [--accounts N] [--upstream-latency-ms N] [--only open,closed,streams,soak,cluster] [--bin-dir DIR]");
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}
