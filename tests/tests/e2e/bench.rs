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
    assert_eq!(report.closed_loop.len(), 1);
    assert!(report.closed_loop[0].gateway.throughput_rps > 0.0);
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
