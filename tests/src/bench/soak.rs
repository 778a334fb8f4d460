//! The soak (`--soak`): what the request path looks like while the recorder and the
//! housekeeping work behind it. A fixed 1,000 req/s for a minute, direct and through the
//! gateway, compared at p99.9 and at the slowest request; then two minutes at saturation
//! (64 connections back to back) with gatewayd's RSS sampled twice a second.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use serde::Serialize;

use super::load::{self, Client, Run};
use super::nginx::Nginx;
use super::procs::{status_at, Gateway, Mock};
use super::report::{percentiles, Percentiles};
use super::workload::Shot;
use super::{workload, Options};

/// What the soak measured.
#[derive(Serialize)]
pub struct Soak {
    pub rate_rps: u64,
    pub fixed_rate_seconds: u64,
    pub direct_latency_us: Percentiles,
    pub gateway_latency_us: Percentiles,
    pub gateway_errors: u64,
    /// Time the hypervisor took CPU 0 and CPU 1 away from this VM (steal, from
    /// `/proc/stat`) during each fixed-rate run: stalls it causes are not the gateway's.
    pub direct_steal_ms: [u64; 2],
    pub gateway_steal_ms: [u64; 2],
    /// The same run through nginx as a plain reverse proxy, when it is installed.
    pub reference_latency_us: Option<Percentiles>,
    pub reference_steal_ms: Option<[u64; 2]>,
    pub saturation_seconds: u64,
    pub saturation_rps: f64,
    pub saturation_errors: u64,
    pub saturation_max_rss_kib: u64,
    /// gatewayd's RSS before the benchmark's first request, and once the saturation
    /// stopped: the lowest of samples twice a second for up to [`SETTLE`] (sampling ends
    /// early when it is back within 10% of idle), and how long that took.
    pub idle_rss_kib: u64,
    pub rss_after_saturation_kib: u64,
    pub rss_settled_ms: u64,
    /// How long the RSS was watched at most ([`SETTLE`]; two seconds in a smoke run).
    pub settle_window_seconds: u64,
    /// The same without the executable's code pages (file-backed, shared, reclaimable;
    /// the request path's code is paged in by the first requests and stays mapped).
    pub idle_anon_kib: u64,
    pub anon_after_saturation_kib: u64,
    /// Records the recorder's queue dropped over the whole run (gatewayctl status).
    pub records_dropped: u64,
    /// `gatewayctl status` calls made during the saturation, and their latency (the
    /// whole command, process start included): the control plane must not wait on the
    /// data plane.
    pub status_calls: usize,
    pub status_latency_us: Percentiles,
}

impl Options {
    fn soak_times(&self) -> (Duration, Duration) {
        if self.smoke {
            (Duration::from_secs(1), Duration::from_secs(1))
        } else if self.quick {
            (Duration::from_secs(10), Duration::from_secs(30))
        } else {
            (Duration::from_secs(60), Duration::from_secs(120))
        }
    }

    fn settle_window(&self) -> Duration {
        if self.smoke {
            Duration::from_secs(2)
        } else {
            SETTLE
        }
    }
}

/// What the soak drives, all already started.
pub struct Targets<'a> {
    pub mock: &'a Mock,
    pub gateway: &'a Gateway,
    pub reference: Option<&'a Nginx>,
    pub idle_rss_kib: u64,
    pub idle_anon_kib: u64,
}

/// How long the RSS is watched once the saturation stops: past the upstream pool's idle
/// timeout (30 s, and its reaper's round of as long again), when the burst's pooled
/// connections close.
const SETTLE: Duration = Duration::from_secs(75);

/// Runs the soak.
pub async fn run(options: &Options, client: Client, targets: Targets<'_>) -> Soak {
    const RATE: u64 = 1_000;
    let Targets {
        mock,
        gateway,
        reference,
        idle_rss_kib,
        idle_anon_kib,
    } = targets;
    let (fixed, saturated) = options.soak_times();
    let work = workload::anthropic_json();
    let stolen = Steal::now();
    let direct = load::open_loop(&client, &work.direct(mock), RATE, fixed).await;
    let direct_steal_ms = stolen.since();
    let mut reference_run = None;
    if let Some(nginx) = reference {
        let stolen = Steal::now();
        let run = load::open_loop(&client, &work.via(nginx), RATE, fixed).await;
        reference_run = Some((percentiles(&run.latency), stolen.since()));
    }
    let stolen = Steal::now();
    let through = load::open_loop(&client, &work.through(gateway), RATE, fixed).await;
    let gateway_steal_ms = stolen.since();
    let shot = work.through(gateway);
    let prober = probe_status(gateway, saturated);
    let (busy, max_rss) = saturate(&client, &shot, saturated, gateway).await;
    let status = prober.join().unwrap_or_else(|_| super::load::histogram());
    let saturation_max_rss_kib = max_rss.max(gateway.rss_kib());
    // Traffic stops: the load generator's keep-alive connections close too.
    drop(client);
    let window = options.settle_window();
    let (rss_after_saturation_kib, settled) = settle(gateway, idle_rss_kib, window).await;
    Soak {
        status_calls: status.len() as usize,
        status_latency_us: percentiles(&status),
        rate_rps: RATE,
        fixed_rate_seconds: fixed.as_secs(),
        direct_latency_us: percentiles(&direct.latency),
        gateway_latency_us: percentiles(&through.latency),
        gateway_errors: through.errors,
        direct_steal_ms,
        gateway_steal_ms,
        reference_steal_ms: reference_run.as_ref().map(|(_, steal)| *steal),
        reference_latency_us: reference_run.map(|(latency, _)| latency),
        saturation_seconds: saturated.as_secs(),
        saturation_rps: busy.throughput(),
        saturation_errors: busy.errors,
        saturation_max_rss_kib,
        idle_rss_kib,
        rss_after_saturation_kib,
        rss_settled_ms: settled.as_millis() as u64,
        settle_window_seconds: window.as_secs(),
        idle_anon_kib,
        anon_after_saturation_kib: gateway.anon_kib(),
        records_dropped: gateway
            .status()
            .ok()
            .and_then(|s| s["records_dropped"].as_u64())
            .unwrap_or(0),
    }
}

/// 64 connections back to back for `during`, gatewayd's RSS sampled twice a second: what
/// they got through, and the highest RSS seen.
async fn saturate(client: &Client, shot: &Shot, during: Duration, gateway: &Gateway) -> (Run, u64) {
    let closed = load::closed_loop(client, shot, 64, during);
    tokio::pin!(closed);
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut max_rss = 0;
    loop {
        tokio::select! {
            run = &mut closed => return (run, max_rss),
            _ = tick.tick() => max_rss = max_rss.max(gateway.rss_kib()),
        }
    }
}

/// Watches gatewayd's RSS once traffic stopped: the lowest seen, and when.
async fn settle(gateway: &Gateway, idle_kib: u64, window: Duration) -> (u64, Duration) {
    let started = Instant::now();
    let mut lowest = gateway.rss_kib();
    let mut at = Duration::ZERO;
    while lowest > idle_kib + idle_kib / 10 && started.elapsed() < window {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = gateway.rss_kib();
        if now < lowest {
            (lowest, at) = (now, started.elapsed());
        }
    }
    (lowest, at)
}

/// Calls `gatewayctl status` 100 times, spread over `during`, from its own thread.
fn probe_status(gateway: &Gateway, during: Duration) -> std::thread::JoinHandle<Histogram<u64>> {
    const CALLS: u32 = 100;
    let (bin, socket) = gateway.ctl_paths();
    std::thread::spawn(move || {
        let mut took = super::load::histogram();
        // Start once the load is up, finish before it ends.
        let spacing = during / (CALLS + 2);
        std::thread::sleep(spacing);
        for _ in 0..CALLS {
            let started = Instant::now();
            if status_at(&bin, &socket).is_ok() {
                let _ = took.record(started.elapsed().as_micros() as u64);
            }
            std::thread::sleep(spacing.saturating_sub(started.elapsed()));
        }
        took
    })
}

/// `a - b` microseconds as signed milliseconds.
fn signed_ms(a: u64, b: u64) -> String {
    format!("{:+.3}", (a as f64 - b as f64) / 1000.0)
}

/// `/proc/stat` counts in USER_HZ ticks, 100 a second on Linux whatever the kernel's HZ.
const USER_HZ: u64 = 100;

/// The steal time of CPUs 0 and 1 at one moment, in milliseconds.
struct Steal([u64; 2]);

impl Steal {
    fn now() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let mut ms = [0; 2];
        for (cpu, slot) in ms.iter_mut().enumerate() {
            let label = format!("cpu{cpu} ");
            // Fields after the label: user nice system idle iowait irq softirq steal.
            *slot = stat
                .lines()
                .find_map(|line| line.strip_prefix(&label))
                .and_then(|rest| rest.split_whitespace().nth(7))
                .and_then(|ticks| ticks.parse::<u64>().ok())
                .map_or(0, |ticks| ticks * 1000 / USER_HZ);
        }
        Self(ms)
    }

    fn since(&self) -> [u64; 2] {
        let now = Self::now().0;
        [
            now[0].saturating_sub(self.0[0]),
            now[1].saturating_sub(self.0[1]),
        ]
    }
}

impl Soak {
    /// The human-readable lines.
    pub fn text(&self) -> String {
        let ms = |us: u64| format!("{:.3}", us as f64 / 1000.0);
        let row = |label: &str, p: &Percentiles| {
            format!(
                "{label:<8} {:>8} {:>8} {:>8} {:>8}\n",
                ms(p.p50),
                ms(p.p99),
                ms(p.p999),
                ms(p.max)
            )
        };
        let mut out = format!(
            "\nSoak: {} req/s for {} s (open loop, ms)\n{:<8} {:>8} {:>8} {:>8} {:>8}\n",
            self.rate_rps, self.fixed_rate_seconds, "path", "p50", "p99", "p99.9", "max"
        );
        out.push_str(&row("direct", &self.direct_latency_us));
        if let Some(reference) = &self.reference_latency_us {
            out.push_str(&row("nginx", reference));
        }
        out.push_str(&row("gateway", &self.gateway_latency_us));
        let steal = |label: &str, ms: &[u64; 2]| format!(" {label} {}/{} ms", ms[0], ms[1]);
        out.push_str("VM steal (cpu0/cpu1):");
        out.push_str(&steal("direct", &self.direct_steal_ms));
        if let Some(ms) = &self.reference_steal_ms {
            out.push_str(&steal("nginx", ms));
        }
        out.push_str(&steal("gateway", &self.gateway_steal_ms));
        out.push('\n');
        if let Some(reference) = &self.reference_latency_us {
            out.push_str(&format!(
                "added over nginx: p99.9 {} ms, max {} ms\n",
                signed_ms(self.gateway_latency_us.p999, reference.p999),
                signed_ms(self.gateway_latency_us.max, reference.max)
            ));
        }
        out.push_str(&format!(
            "added p99.9 {} ms, gateway errors {}\nSaturation for {} s (64 connections): {:.0} req/s, {} errors, gatewayd RSS at most {:.1} MB, {} records dropped\n",
            ms(self
                .gateway_latency_us
                .p999
                .saturating_sub(self.direct_latency_us.p999)),
            self.gateway_errors,
            self.saturation_seconds,
            self.saturation_rps,
            self.saturation_errors,
            self.saturation_max_rss_kib as f64 / 1024.0,
            self.records_dropped
        ));
        out.push_str(&format!(
            "gatewayd RSS idle {:.1} MB; after the saturation stopped {:.1} MB (lowest within {} s, reached after {:.1} s); without code pages {:.1} MB idle, {:.1} MB after\n",
            self.idle_rss_kib as f64 / 1024.0,
            self.rss_after_saturation_kib as f64 / 1024.0,
            self.settle_window_seconds,
            self.rss_settled_ms as f64 / 1000.0,
            self.idle_anon_kib as f64 / 1024.0,
            self.anon_after_saturation_kib as f64 / 1024.0
        ));
        out.push_str(&format!(
            "gatewayctl status during the saturation: {} calls, p50 {} ms, p99 {} ms, max {} ms\n",
            self.status_calls,
            ms(self.status_latency_us.p50),
            ms(self.status_latency_us.p99),
            ms(self.status_latency_us.max)
        ));
        out
    }
}
