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
    let mut baseline: Option<PathBuf> = None;
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
            "--check" => baseline = Some(PathBuf::from(value())),
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
    // Read before the run, so a bad path fails in a second, not after the benchmark.
    let baseline = baseline.map(|path| read_baseline(&path));
    let report = match runtime.block_on(bench::run(options)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("gateway-bench: {e}");
            std::process::exit(1);
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report JSON")
        );
    } else {
        print!("{}", report.text());
    }
    if let Some(baseline) = baseline {
        let now = serde_json::to_value(&report).expect("report JSON");
        match bench::check::compare(&baseline, &now) {
            Ok(compared) => {
                eprint!("{}", bench::check::text(&compared));
                if compared.iter().any(|c| c.regressed()) {
                    eprintln!("gateway-bench: worse than the baseline");
                    std::process::exit(1);
                }
            }
            Err(e) => {
                eprintln!("gateway-bench: {e}");
                std::process::exit(2);
            }
        }
    }
}

/// The baseline report `--check` compares with (an earlier run's `--json`).
fn read_baseline(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("gateway-bench: cannot read {}: {e}", path.display());
        std::process::exit(2);
    });
    serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!(
            "gateway-bench: {} is not a gateway-bench --json report: {e}",
            path.display()
        );
        std::process::exit(2);
    })
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("gateway-bench: {problem}");
    }
    eprintln!("usage: gateway-bench [--quick | --smoke] [--json] [--pin] [--static] [--accounts N] [--upstream-latency-ms N] [--only open,closed,streams,soak,cluster] [--bin-dir DIR] [--check BASELINE.json]");
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}
