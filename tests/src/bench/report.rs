//! The figures of one benchmark run, side by side, as a text table or JSON.

use serde::Serialize;

use super::load::Run;
use super::Options;

mod text;

/// Latency percentiles of one run, in microseconds.
#[derive(Serialize, Clone, Copy, Default)]
pub struct Percentiles {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

/// One path (direct or through the gateway) of one scenario.
#[derive(Serialize)]
pub struct Side {
    pub latency_us: Percentiles,
    pub ttfb_us: Percentiles,
    pub ok: u64,
    pub errors: u64,
    pub throughput_rps: f64,
}

/// `a - b` at each percentile, in microseconds: negative where `a` was the faster.
#[derive(Serialize, Clone, Copy, Default)]
pub struct Difference {
    pub p50: i64,
    pub p90: i64,
    pub p99: i64,
    pub p999: i64,
    pub max: i64,
}

/// Fixed-rate run: every path and what the gateway added at each percentile, over
/// direct and over the reference proxy (nginx, when it is installed).
#[derive(Serialize)]
pub struct OpenLoop {
    pub workload: String,
    pub rate_rps: u64,
    pub direct: Side,
    pub reference: Option<Side>,
    pub gateway: Side,
    pub added_latency_us: Percentiles,
    pub added_ttfb_us: Percentiles,
    /// What the reference proxy added over direct.
    pub reference_added_latency_us: Option<Percentiles>,
    pub reference_added_ttfb_us: Option<Percentiles>,
    /// The gateway against the reference proxy.
    pub over_reference_latency_us: Option<Difference>,
    pub over_reference_ttfb_us: Option<Difference>,
}

/// Closed-loop run at one concurrency.
#[derive(Serialize)]
pub struct ClosedLoop {
    pub workload: String,
    pub concurrency: usize,
    pub direct: Side,
    pub reference: Option<Side>,
    pub gateway: Side,
    /// gatewayd user+system CPU per 1,000 requests, in milliseconds.
    pub gateway_cpu_ms_per_1k: f64,
    /// The reference proxy's, doing the same hop.
    pub reference_cpu_ms_per_1k: Option<f64>,
    /// Context switches of every gatewayd (or nginx) thread per 1,000 requests.
    pub gateway_switches_per_1k: f64,
    pub reference_switches_per_1k: Option<f64>,
}

/// One closed-loop path: what it served and the CPU its proxy used (none for direct).
pub struct Served {
    pub run: Run,
    pub cpu: std::time::Duration,
    pub switches: u64,
}

impl Served {
    fn cpu_ms_per_1k(&self) -> f64 {
        self.cpu.as_secs_f64() * 1000.0 / (self.run.ok.max(1) as f64 / 1000.0)
    }

    fn switches_per_1k(&self) -> f64 {
        self.switches as f64 * 1000.0 / self.run.ok.max(1) as f64
    }
}

/// Everything one run measured.
#[derive(Serialize)]
pub struct Report {
    pub quick: bool,
    pub pinned: bool,
    pub accounts: usize,
    pub upstream_latency_ms: u64,
    pub static_upstream: bool,
    /// Size of the Claude Code style request body.
    pub body_bytes: usize,
    pub idle_rss_kib: u64,
    pub open_streams: usize,
    pub open_streams_held: usize,
    pub rss_with_streams_kib: u64,
    pub peak_rss_kib: u64,
    pub open_loop: Vec<OpenLoop>,
    pub closed_loop: Vec<ClosedLoop>,
    pub soak: Option<super::soak::Soak>,
    pub cluster: Option<super::cluster::ClusterReport>,
}

pub fn percentiles(h: &hdrhistogram::Histogram<u64>) -> Percentiles {
    Percentiles {
        p50: h.value_at_quantile(0.50),
        p90: h.value_at_quantile(0.90),
        p99: h.value_at_quantile(0.99),
        p999: h.value_at_quantile(0.999),
        max: h.max(),
    }
}

pub(super) fn side(run: &Run) -> Side {
    Side {
        latency_us: percentiles(&run.latency),
        ttfb_us: percentiles(&run.ttfb),
        ok: run.ok,
        errors: run.errors,
        throughput_rps: run.throughput(),
    }
}

pub(super) fn minus(a: Percentiles, b: Percentiles) -> Percentiles {
    // Saturating: noise can make the gateway path faster at a percentile.
    Percentiles {
        p50: a.p50.saturating_sub(b.p50),
        p90: a.p90.saturating_sub(b.p90),
        p99: a.p99.saturating_sub(b.p99),
        p999: a.p999.saturating_sub(b.p999),
        max: a.max.saturating_sub(b.max),
    }
}

pub(super) fn difference(a: Percentiles, b: Percentiles) -> Difference {
    let d = |a: u64, b: u64| a as i64 - b as i64;
    Difference {
        p50: d(a.p50, b.p50),
        p90: d(a.p90, b.p90),
        p99: d(a.p99, b.p99),
        p999: d(a.p999, b.p999),
        max: d(a.max, b.max),
    }
}

impl Report {
    pub fn new(options: &Options, idle_rss_kib: u64) -> Self {
        Self {
            quick: options.quick,
            pinned: options.pin,
            accounts: options.accounts,
            upstream_latency_ms: options.upstream_latency_ms,
            static_upstream: options.static_upstream,
            body_bytes: 0,
            idle_rss_kib,
            open_streams: 0,
            open_streams_held: 0,
            rss_with_streams_kib: 0,
            peak_rss_kib: 0,
            open_loop: Vec::new(),
            closed_loop: Vec::new(),
            soak: None,
            cluster: None,
        }
    }

    pub fn open_loop(&mut self, workload: &str, rate: u64, runs: [Option<Run>; 3]) {
        let [direct, reference, gateway] = runs.map(|run| run.as_ref().map(side));
        let (Some(direct), Some(gateway)) = (direct, gateway) else {
            return;
        };
        let over = |of: fn(&Side) -> Percentiles, base: &Side| {
            reference
                .as_ref()
                .map(|r| (minus(of(r), of(base)), difference(of(&gateway), of(r))))
        };
        let latency = over(|s| s.latency_us, &direct);
        let ttfb = over(|s| s.ttfb_us, &direct);
        self.open_loop.push(OpenLoop {
            workload: workload.to_owned(),
            rate_rps: rate,
            added_latency_us: minus(gateway.latency_us, direct.latency_us),
            added_ttfb_us: minus(gateway.ttfb_us, direct.ttfb_us),
            reference_added_latency_us: latency.map(|l| l.0),
            reference_added_ttfb_us: ttfb.map(|t| t.0),
            over_reference_latency_us: latency.map(|l| l.1),
            over_reference_ttfb_us: ttfb.map(|t| t.1),
            direct,
            reference,
            gateway,
        });
    }

    pub fn closed_loop(
        &mut self,
        workload: &str,
        concurrency: usize,
        (direct, reference, gateway): (Run, Option<Served>, Served),
    ) {
        self.closed_loop.push(ClosedLoop {
            workload: workload.to_owned(),
            concurrency,
            direct: side(&direct),
            reference_cpu_ms_per_1k: reference.as_ref().map(Served::cpu_ms_per_1k),
            reference_switches_per_1k: reference.as_ref().map(Served::switches_per_1k),
            gateway_switches_per_1k: gateway.switches_per_1k(),
            reference: reference.as_ref().map(|r| side(&r.run)),
            gateway_cpu_ms_per_1k: gateway.cpu_ms_per_1k(),
            gateway: side(&gateway.run),
        });
    }

    pub fn streams(&mut self, wanted: usize, (held, rss_kib): (usize, u64)) {
        self.open_streams = wanted;
        self.open_streams_held = held;
        self.rss_with_streams_kib = rss_kib;
    }
}
