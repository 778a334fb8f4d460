//! The benchmark itself works: a smoke-sized run of every part against the real
//! binaries, with no errors and every stream held. Figures are not asserted.

use gateway_tests::bench::{run, Options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_smoke_sized_benchmark_runs_every_part_without_errors() {
    let gatewayd = gateway_tests::harness::bin("gatewayd");
    let options = Options {
        bin_dir: gatewayd.parent().unwrap().to_owned(),
        quick: false,
        smoke: true,
        accounts: 2,
        upstream_latency_ms: 0,
        pin: false,
        static_upstream: false,
        only: ["open", "closed", "streams", "soak"]
            .map(String::from)
            .to_vec(),
    };
    let report = run(options).await.expect("benchmark runs");
    assert_eq!(report.open_loop.len(), 3, "three workloads at one rate");
    for r in &report.open_loop {
        assert!(
            r.direct.ok > 0 && r.gateway.ok > 0,
            "{}: no answers",
            r.workload
        );
        assert_eq!(
            (r.direct.errors, r.gateway.errors),
            (0, 0),
            "{}: errors",
            r.workload
        );
    }
    let closed: Vec<_> = report
        .closed_loop
        .iter()
        .map(|r| r.workload.as_str())
        .collect();
    assert_eq!(
        closed,
        ["anthropic json", "anthropic sse"],
        "JSON, then streams"
    );
    for r in &report.closed_loop {
        assert!(r.gateway.throughput_rps > 0.0 && r.gateway.errors == 0);
    }
    assert_eq!(
        report.open_streams_held, report.open_streams,
        "every stream was held open"
    );
    assert!(report.idle_rss_kib > 0 && report.peak_rss_kib >= report.idle_rss_kib);
    assert!(report.text().contains("Maximum throughput"));
    let soak = report.soak.as_ref().expect("the soak ran");
    assert_eq!((soak.gateway_errors, soak.saturation_errors), (0, 0));
    assert!(soak.saturation_rps > 0.0 && soak.saturation_max_rss_kib > 0);
    assert!(report.text().contains("Soak: 1000 req/s"));
    assert!(
        soak.status_calls > 0,
        "gatewayctl status answered under load"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nginx (apt install nginx-light); .ci/run runs it"]
async fn nginx_is_measured_in_the_same_run_and_check_fails_only_on_a_worse_ratio() {
    let bench = gateway_tests::harness::bin("gateway-bench");
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&bench)
            .args(["--smoke", "--only", "open,closed"])
            .args(args)
            .output()
            .unwrap()
    };
    let first = run(&["--json"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    for r in report["open_loop"].as_array().unwrap() {
        assert!(
            r["reference"]["ok"].as_u64() > Some(0),
            "nginx answered: {r}"
        );
        assert_eq!(r["reference"]["errors"], 0, "{r}");
        assert!(r["over_reference_latency_us"]["p50"].is_i64(), "{r}");
    }
    let closed = &report["closed_loop"][0];
    assert!(
        closed["reference"]["throughput_rps"].as_f64() > Some(0.0),
        "{closed}"
    );
    assert!(
        closed["reference_cpu_ms_per_1k"].as_f64() >= Some(0.0),
        "{closed}"
    );

    // A baseline in which the gateway was a hundred times better against nginx than any
    // run can be: this run is worse, and says which figures.
    let check = |baseline: serde_json::Value| {
        let path = dir.path().join("baseline.json");
        std::fs::write(&path, baseline.to_string()).unwrap();
        run(&["--check", path.to_str().unwrap()])
    };
    let out = check(scaled(&report, 0.01));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("WORSE") && said.contains("latency p50 / nginx"),
        "{said}"
    );
    // One in which it was a hundred times worse: this run passes.
    let out = check(scaled(&report, 100.0));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A baseline without nginx cannot be compared: a usage error, not a pass.
    let mut bare = report.clone();
    for part in ["open_loop", "closed_loop"] {
        for r in bare[part].as_array_mut().unwrap() {
            r["reference"] = serde_json::Value::Null;
        }
    }
    assert_eq!(check(bare).status.code(), Some(2));
}

/// `report` with the gateway's latencies times `factor` and its throughput divided by it.
fn scaled(report: &serde_json::Value, factor: f64) -> serde_json::Value {
    let mut report = report.clone();
    for r in report["open_loop"].as_array_mut().unwrap() {
        for series in ["latency_us", "ttfb_us"] {
            for p in ["p50", "p99", "p999"] {
                let v = r["gateway"][series][p].as_f64().unwrap();
                r["gateway"][series][p] = serde_json::json!(v * factor + factor);
            }
        }
    }
    for r in report["closed_loop"].as_array_mut().unwrap() {
        let v = r["gateway"]["throughput_rps"].as_f64().unwrap();
        r["gateway"]["throughput_rps"] = serde_json::json!(v / factor);
    }
    report
}
