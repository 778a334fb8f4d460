//! gateway-bench: what gatewayd adds on top of the upstream. It starts `mock-upstream`
//! and a `gatewayd` (pinned to separate cores with `--pin`), then drives each workload
//! twice in one run — straight at the mock and through the gateway — and reports both
//! side by side: open-loop latency at fixed rates (measured from the scheduled send time,
//! so there is no coordinated omission), closed-loop throughput, gatewayd's RSS idle and
//! with many open streams, and its CPU time per 1,000 requests. `--only soak` adds the
//! long run: p99.9 at a fixed rate and RSS through minutes at saturation.

pub mod check;
mod cluster;
mod load;
mod nginx;
mod procs;
mod report;
mod soak;
mod workload;

use std::path::PathBuf;
use std::time::Duration;

pub use report::Report;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where gatewayd, gatewayctl and mock-upstream are.
    pub bin_dir: PathBuf,
    /// Short runs that finish in under a minute.
    pub quick: bool,
    /// Tiny runs that only prove every part works (for the test suite).
    pub smoke: bool,
    /// Accounts in the pool (all on the one mock).
    pub accounts: usize,
    /// Fixed upstream time to first byte, in milliseconds.
    pub upstream_latency_ms: u64,
    /// gatewayd on CPU 0; the mock and this load generator on CPU 1.
    pub pin: bool,
    /// The mock answers canned replies without parsing requests (for saturation runs).
    pub static_upstream: bool,
    /// Only these parts (`open`, `closed`, `streams`, `soak`, `cluster`); all but the
    /// soak and the cluster when empty. For profiling one phase at a time.
    pub only: Vec<String>,
}

impl Options {
    fn runs(&self, part: &str) -> bool {
        (self.only.is_empty() && !matches!(part, "soak" | "cluster"))
            || self.only.iter().any(|p| p == part)
    }

    fn run_time(&self) -> Duration {
        match (self.smoke, self.quick) {
            (true, _) => Duration::from_secs(1),
            (_, true) => Duration::from_secs(2),
            _ => Duration::from_secs(5),
        }
    }

    fn rates(&self) -> Vec<u64> {
        if self.smoke {
            vec![20]
        } else if self.quick {
            vec![100, 1000]
        } else {
            vec![100, 1000, 5000]
        }
    }

    fn concurrencies(&self) -> Vec<usize> {
        if self.smoke {
            vec![2]
        } else if self.quick {
            vec![1, 64]
        } else {
            vec![1, 64, 512]
        }
    }

    fn open_streams(&self) -> usize {
        if self.smoke {
            10
        } else if self.quick {
            200
        } else {
            1000
        }
    }
}

/// Pins the calling thread, and so the threads it spawns afterwards, to CPU 1 (`--pin`):
/// call it before building the load generator's runtime.
pub fn pin_load_generator() -> Result<(), String> {
    procs::pin_self(1)
}

/// Runs the whole benchmark.
pub async fn run(options: Options) -> Result<Report, String> {
    procs::raise_fd_limit();
    let mock = procs::Mock::start(&options)?;
    let gateway = procs::Gateway::start(&options, &mock)?;
    let reference = nginx::Nginx::start(&options, &mock)?;
    if reference.is_none() {
        eprintln!("gateway-bench: nginx is not installed (Debian: apt-get install nginx-light); running without the reference proxy");
    }
    let client = load::client();
    let mut report = Report::new(&options, gateway.rss_kib());
    let idle_anon_kib = gateway.anon_kib();
    report.body_bytes = workload::anthropic_json().body_len();

    let open_parts = if options.runs("open") {
        workload::all()
    } else {
        Vec::new()
    };
    for work in open_parts {
        for &rate in &options.rates() {
            let time = options.run_time();
            let direct = load::open_loop(&client, &work.direct(&mock), rate, time).await;
            let via = match &reference {
                Some(nginx) => Some(load::open_loop(&client, &work.via(nginx), rate, time).await),
                None => None,
            };
            let through = load::open_loop(&client, &work.through(&gateway), rate, time).await;
            report.open_loop(work.name, rate, [Some(direct), via, Some(through)]);
        }
    }
    let concurrencies = match options.runs("closed") {
        true => options.concurrencies(),
        false => Vec::new(),
    };
    let proxies = Proxies {
        mock: &mock,
        reference: reference.as_ref(),
        gateway: &gateway,
    };
    for &concurrency in &concurrencies {
        let work = workload::anthropic_json();
        let served = proxies
            .closed_loop(&client, &work, concurrency, &options)
            .await;
        report.closed_loop(work.name, concurrency, served);
    }
    // Streams at the busiest concurrency: each answer is ten events, so this is where
    // what the relay does per event (a write, a wake-up) shows.
    if let Some(&concurrency) = concurrencies.iter().max() {
        let work = workload::anthropic_stream();
        let served = proxies
            .closed_loop(&client, &work, concurrency, &options)
            .await;
        report.closed_loop(work.name, concurrency, served);
    }
    if options.runs("streams") {
        // The load runs' idle keep-alive connections are closed first, so the figure is
        // the streams' own memory, not theirs plus a thousand parked connections.
        drop(client);
        let client = load::client();
        let streams = options.open_streams();
        let opened = load::hold_streams(
            &client,
            &workload::long_stream().through(&gateway),
            streams,
            || gateway.rss_kib(),
        )
        .await;
        report.streams(streams, opened);
    }
    if options.runs("cluster") {
        report.cluster = Some(cluster::run(&options, &mock, &load::client()).await?);
    }
    if options.runs("soak") {
        let targets = soak::Targets {
            mock: &mock,
            gateway: &gateway,
            reference: reference.as_ref(),
            idle_rss_kib: report.idle_rss_kib,
            idle_anon_kib,
        };
        report.soak = Some(soak::run(&options, load::client(), targets).await);
    }
    report.peak_rss_kib = gateway.peak_rss_kib();
    gateway.stop();
    Ok(report)
}

/// The three paths a closed-loop workload is driven along, in this order.
struct Proxies<'a> {
    mock: &'a procs::Mock,
    reference: Option<&'a nginx::Nginx>,
    gateway: &'a procs::Gateway,
}

impl Proxies<'_> {
    /// Direct, through nginx (with its CPU time and switches), then through gatewayd.
    async fn closed_loop(
        &self,
        client: &load::Client,
        work: &workload::Work,
        concurrency: usize,
        options: &Options,
    ) -> (load::Run, Option<report::Served>, report::Served) {
        let time = options.run_time();
        let direct = load::closed_loop(client, &work.direct(self.mock), concurrency, time).await;
        let via = match self.reference {
            Some(nginx) => Some(
                served(
                    load::closed_loop(client, &work.via(nginx), concurrency, time),
                    || (nginx.cpu_time(), nginx.switches()),
                )
                .await,
            ),
            None => None,
        };
        let gateway = self.gateway;
        let through = served(
            load::closed_loop(client, &work.through(gateway), concurrency, time),
            || (gateway.cpu_time(), gateway.switches()),
        )
        .await;
        (direct, via, through)
    }
}

/// `run`, with the CPU time and context switches its proxy spent on it (`usage` reads
/// the proxy's totals).
async fn served(
    run: impl std::future::Future<Output = load::Run>,
    usage: impl Fn() -> (Duration, u64),
) -> report::Served {
    let (cpu, switches) = usage();
    let run = run.await;
    let (cpu_after, switches_after) = usage();
    report::Served {
        run,
        cpu: cpu_after.saturating_sub(cpu),
        switches: switches_after.saturating_sub(switches),
    }
}
