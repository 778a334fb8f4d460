//! The report as text tables: each fixed-rate run's paths (direct, the reference proxy,
//! the gateway) with what the gateway adds over each, the saturation runs side by side
//! with their CPU per request, and gatewayd's memory.

use super::{ClosedLoop, Difference, OpenLoop, Percentiles, Report, Side};

fn ms(us: u64) -> String {
    format!("{:.3}", us as f64 / 1000.0)
}

fn signed_ms(us: i64) -> String {
    format!("{:+.3}", us as f64 / 1000.0)
}

/// One row of the fixed-rate table: label, p50, p90, p99, p99.9, max, ttfb p50, ttfb p99,
/// errors.
fn row(workload: &str, rate: &str, label: &str, cells: [String; 8]) -> String {
    let [p50, p90, p99, p999, max, t50, t99, errors] = cells;
    format!(
        "{workload:<15} {rate:>6} {label:<9} {p50:>8} {p90:>8} {p99:>8} {p999:>8} {max:>8} {t50:>9} {t99:>9} {errors:>7}\n"
    )
}

fn side_cells(s: &Side) -> [String; 8] {
    let mut cells = added_cells(s.latency_us, s.ttfb_us);
    cells[7] = s.errors.to_string();
    cells
}

fn added_cells(l: Percentiles, t: Percentiles) -> [String; 8] {
    [
        ms(l.p50),
        ms(l.p90),
        ms(l.p99),
        ms(l.p999),
        ms(l.max),
        ms(t.p50),
        ms(t.p99),
        String::new(),
    ]
}

fn difference_cells(l: Difference, t: Difference) -> [String; 8] {
    [
        signed_ms(l.p50),
        signed_ms(l.p90),
        signed_ms(l.p99),
        signed_ms(l.p999),
        signed_ms(l.max),
        signed_ms(t.p50),
        signed_ms(t.p99),
        String::new(),
    ]
}

fn open_loop(r: &OpenLoop) -> String {
    let rate = r.rate_rps.to_string();
    let line = |label: &str, cells| row(&r.workload, &rate, label, cells);
    let mut out = line("direct", side_cells(&r.direct));
    if let Some(reference) = &r.reference {
        out.push_str(&line("nginx", side_cells(reference)));
    }
    out.push_str(&line("gateway", side_cells(&r.gateway)));
    if let (Some(l), Some(t)) = (r.reference_added_latency_us, r.reference_added_ttfb_us) {
        out.push_str(&row("", "", "nginx+", added_cells(l, t)));
    }
    out.push_str(&row(
        "",
        "",
        "gateway+",
        added_cells(r.added_latency_us, r.added_ttfb_us),
    ));
    if let (Some(l), Some(t)) = (r.over_reference_latency_us, r.over_reference_ttfb_us) {
        out.push_str(&row("", "", "gw-nginx", difference_cells(l, t)));
    }
    out
}

fn closed_loop(r: &ClosedLoop) -> String {
    let rps = |s: Option<&Side>| s.map_or("-".to_owned(), |s| format!("{:.0}", s.throughput_rps));
    let ratio = |a: &Side, b: Option<&Side>| {
        b.map_or("-".to_owned(), |b| {
            format!(
                "{:.2}",
                a.throughput_rps / b.throughput_rps.max(f64::EPSILON)
            )
        })
    };
    let cpu = |c: Option<f64>| c.map_or("-".to_owned(), |c| format!("{c:.1}"));
    let switches = |c: Option<f64>| c.map_or("-".to_owned(), |c| format!("{c:.0}"));
    format!(
        "{:<15} {:>5} {:>11} {:>11} {:>11} {:>8} {:>9} {:>11} {:>11} {:>9} {:>9}\n",
        r.workload,
        r.concurrency,
        rps(Some(&r.direct)),
        rps(r.reference.as_ref()),
        rps(Some(&r.gateway)),
        ratio(&r.gateway, Some(&r.direct)),
        ratio(&r.gateway, r.reference.as_ref()),
        cpu(r.reference_cpu_ms_per_1k),
        cpu(Some(r.gateway_cpu_ms_per_1k)),
        switches(r.reference_switches_per_1k),
        switches(Some(r.gateway_switches_per_1k)),
    )
}

impl Report {
    /// The human-readable tables.
    pub fn text(&self) -> String {
        let mut out = format!(
            "gateway-bench: pinned={} accounts={} upstream ttfb={} ms static upstream={} claude body={} bytes\n\nFixed rate (open loop; latency from scheduled send, ms; X+ is what X adds over direct, gw-nginx the gateway's latency minus nginx's)\n",
            self.pinned, self.accounts, self.upstream_latency_ms, self.static_upstream, self.body_bytes
        );
        let header = [
            "p50", "p90", "p99", "p99.9", "max", "ttfb p50", "ttfb p99", "errors",
        ];
        out.push_str(&row("workload", "rate", "path", header.map(str::to_owned)));
        for r in &self.open_loop {
            out.push_str(&open_loop(r));
        }
        out.push_str("\nMaximum throughput (closed loop; per 1,000 requests, cpu: ms of the proxy's CPU, sw: its context switches)\n");
        out.push_str(&format!(
            "{:<15} {:>5} {:>11} {:>11} {:>11} {:>8} {:>9} {:>11} {:>11} {:>9} {:>9}\n",
            "workload",
            "conc",
            "direct rps",
            "nginx rps",
            "gw rps",
            "gw/dir",
            "gw/nginx",
            "nginx cpu",
            "gw cpu",
            "nginx sw",
            "gw sw"
        ));
        for r in &self.closed_loop {
            out.push_str(&closed_loop(r));
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
