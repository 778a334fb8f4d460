//! The figures of one benchmark run, side by side, as a text table or JSON.

use serde::Serialize;

use super::load::Run;
use super::Options;

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

/// Fixed-rate run: both paths and what the gateway added at each percentile.
#[derive(Serialize)]
pub struct OpenLoop {
    pub workload: String,
    pub rate_rps: u64,
    pub direct: Side,
    pub gateway: Side,
    pub added_latency_us: Percentiles,
    pub added_ttfb_us: Percentiles,
}

/// Closed-loop run at one concurrency.
#[derive(Serialize)]
pub struct ClosedLoop {
    pub workload: String,
    pub concurrency: usize,
    pub direct: Side,
    pub gateway: Side,
    /// gatewayd user+system CPU per 1,000 requests, in milliseconds.
    pub gateway_cpu_ms_per_1k: f64,
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

    pub fn open_loop(&mut self, workload: &str, rate: u64, direct: Run, gateway: Run) {
        let (direct, gateway) = (side(&direct), side(&gateway));
        self.open_loop.push(OpenLoop {
            workload: workload.to_owned(),
            rate_rps: rate,
            added_latency_us: minus(gateway.latency_us, direct.latency_us),
            added_ttfb_us: minus(gateway.ttfb_us, direct.ttfb_us),
            direct,
            gateway,
        });
    }

    pub fn closed_loop(
        &mut self,
        workload: &str,
        concurrency: usize,
        direct: Run,
        gateway: Run,
        cpu: std::time::Duration,
    ) {
        let per_1k = cpu.as_secs_f64() * 1000.0 / (gateway.ok.max(1) as f64 / 1000.0);
        self.closed_loop.push(ClosedLoop {
            workload: workload.to_owned(),
            concurrency,
            direct: side(&direct),
            gateway: side(&gateway),
            gateway_cpu_ms_per_1k: per_1k,
        });
    }

    pub fn streams(&mut self, wanted: usize, (held, rss_kib): (usize, u64)) {
        self.open_streams = wanted;
        self.open_streams_held = held;
        self.rss_with_streams_kib = rss_kib;
    }

    /// The human-readable tables.
    pub fn text(&self) -> String {
        let ms = |us: u64| format!("{:.3}", us as f64 / 1000.0);
        let mut out = String::new();
        out.push_str(&format!(
            "gateway-bench: pinned={} accounts={} upstream ttfb={} ms static upstream={} claude body={} bytes\n\nFixed rate (open loop; latency from scheduled send, ms)\n",
            self.pinned, self.accounts, self.upstream_latency_ms, self.static_upstream, self.body_bytes
        ));
        out.push_str(&format!(
            "{:<15} {:>6} {:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>7}\n",
            "workload",
            "rate",
            "path",
            "p50",
            "p90",
            "p99",
            "max",
            "ttfb p50",
            "ttfb p99",
            "errors"
        ));
        for r in &self.open_loop {
            for (label, s) in [("direct", &r.direct), ("gateway", &r.gateway)] {
                out.push_str(&format!(
                    "{:<15} {:>6} {:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>7}\n",
                    r.workload,
                    r.rate_rps,
                    label,
                    ms(s.latency_us.p50),
                    ms(s.latency_us.p90),
                    ms(s.latency_us.p99),
                    ms(s.latency_us.max),
                    ms(s.ttfb_us.p50),
                    ms(s.ttfb_us.p99),
                    s.errors
                ));
            }
            let a = r.added_latency_us;
            out.push_str(&format!(
                "{:<15} {:>6} {:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}\n",
                "",
                "",
                "added",
                ms(a.p50),
                ms(a.p90),
                ms(a.p99),
                ms(a.max),
                ms(r.added_ttfb_us.p50),
                ms(r.added_ttfb_us.p99)
            ));
        }
        out.push_str("\nMaximum throughput (closed loop)\n");
        out.push_str(&format!(
            "{:<15} {:>5} {:>12} {:>12} {:>7} {:>14}\n",
            "workload", "conc", "direct rps", "gateway rps", "ratio", "cpu ms/1k req"
        ));
        for r in &self.closed_loop {
            out.push_str(&format!(
                "{:<15} {:>5} {:>12.0} {:>12.0} {:>7.2} {:>14.1}\n",
                r.workload,
                r.concurrency,
                r.direct.throughput_rps,
                r.gateway.throughput_rps,
                r.gateway.throughput_rps / r.direct.throughput_rps.max(f64::EPSILON),
                r.gateway_cpu_ms_per_1k
            ));
        }
        out.push_str(&format!(
            "\ngatewayd memory: idle RSS {:.1} MB; {} of {} streams open: RSS {:.1} MB; peak {:.1} MB\n",
            self.idle_rss_kib as f64 / 1024.0,
            self.open_streams_held,
            self.open_streams,
            self.rss_with_streams_kib as f64 / 1024.0,
            self.peak_rss_kib as f64 / 1024.0
        ));
        if let Some(cluster) = &self.cluster {
            out.push_str(&cluster.text());
        }
        if let Some(soak) = &self.soak {
            out.push_str(&soak.text());
        }
        out
    }
}
