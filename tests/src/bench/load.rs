//! The load generator: hyper's pooled client, an open-loop fixed-rate driver (latency
//! counted from each request's scheduled send time), a closed-loop driver for maximum
//! throughput, and a holder of many concurrently open streams.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hdrhistogram::Histogram;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::Instant;

use super::workload::Shot;

/// The pooled HTTP/1.1 client every driver shares.
pub type Client = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

pub fn client() -> Client {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(4096)
        .build(connector)
}

/// What one run measured, in microseconds.
pub struct Run {
    pub latency: Histogram<u64>,
    pub ttfb: Histogram<u64>,
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
}

/// Microseconds, 1 µs to two minutes, three significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

impl Run {
    fn new() -> Self {
        Self {
            latency: histogram(),
            ttfb: histogram(),
            ok: 0,
            errors: 0,
            elapsed: Duration::ZERO,
        }
    }

    fn add(&mut self, since: Instant, outcome: Result<(Instant, Instant), ()>) {
        match outcome {
            Ok((first, end)) => {
                self.ok += 1;
                let _ = self.ttfb.record(micros(first - since));
                let _ = self.latency.record(micros(end - since));
            }
            Err(()) => self.errors += 1,
        }
    }

    /// Two runs as one (histograms added, times summed).
    pub fn merged(mut self, other: Run) -> Run {
        let _ = self.latency.add(&other.latency);
        let _ = self.ttfb.add(&other.ttfb);
        self.ok += other.ok;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self
    }

    /// Completed requests per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).max(1)
}

fn request(shot: &Shot) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(shot.body.clone()));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = shot.uri.clone();
    *request.headers_mut() = shot.headers.clone();
    request
}

/// Sends one request and reads the whole answer: (first body byte, end) on a 2xx.
async fn send(client: &Client, shot: &Shot) -> Result<(Instant, Instant), ()> {
    let response = client.request(request(shot)).await.map_err(|_| ())?;
    let ok = response.status().is_success();
    let mut body = response.into_body();
    let mut first = None;
    while let Some(frame) = body.frame().await {
        frame.map_err(|_| ())?;
        first.get_or_insert_with(Instant::now);
    }
    let end = Instant::now();
    if ok {
        Ok((first.unwrap_or(end), end))
    } else {
        Err(())
    }
}

/// Whether one request gets a 2xx answer.
pub async fn succeeds(client: &Client, shot: &Shot) -> bool {
    send(client, shot).await.is_ok()
}

async fn warm_up(client: &Client, shot: &Shot) {
    for _ in 0..20 {
        let _ = send(client, shot).await;
    }
}

/// Requests an open-loop run keeps in flight at most; past it the path is saturated and
/// further sends are counted as errors instead of piling up sockets without bound.
const MAX_IN_FLIGHT: usize = 1024;

/// `rate` requests per second for `duration`, each timed from its scheduled start.
pub async fn open_loop(client: &Client, shot: &Shot, rate: u64, duration: Duration) -> Run {
    warm_up(client, shot).await;
    let in_flight = Arc::new(AtomicUsize::new(0));
    let total = rate * duration.as_secs().max(1);
    let period = Duration::from_nanos(1_000_000_000 / rate.max(1));
    let results = Arc::new(Mutex::new(Run::new()));
    let mut tasks = tokio::task::JoinSet::new();
    let start = Instant::now() + Duration::from_millis(10);
    for i in 0..total {
        let at = start + period * i as u32;
        tokio::time::sleep_until(at).await;
        if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            results.lock().expect("results lock").errors += 1;
            continue;
        }
        in_flight.fetch_add(1, Ordering::Relaxed);
        let (client, shot, results, in_flight) = (
            client.clone(),
            shot.clone(),
            Arc::clone(&results),
            Arc::clone(&in_flight),
        );
        tasks.spawn(async move {
            let outcome = send(&client, &shot).await;
            in_flight.fetch_sub(1, Ordering::Relaxed);
            results.lock().expect("results lock").add(at, outcome);
        });
    }
    finish(tasks, results, start).await
}

/// Waits for every task, then hands back the shared results with the elapsed time.
async fn finish(
    mut tasks: tokio::task::JoinSet<()>,
    results: Arc<Mutex<Run>>,
    start: Instant,
) -> Run {
    while tasks.join_next().await.is_some() {}
    let mut run = Arc::try_unwrap(results)
        .ok()
        .expect("all tasks done")
        .into_inner()
        .expect("results lock");
    run.elapsed = start.elapsed();
    run
}

/// `concurrency` workers sending back to back for `duration`.
pub async fn closed_loop(
    client: &Client,
    shot: &Shot,
    concurrency: usize,
    duration: Duration,
) -> Run {
    warm_up(client, shot).await;
    let results = Arc::new(Mutex::new(Run::new()));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, shot, results) = (client.clone(), shot.clone(), Arc::clone(&results));
        tasks.spawn(async move {
            let mut mine = Run::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                mine.add(sent, send(&client, &shot).await);
            }
            let mut all = results.lock().expect("results lock");
            all.ok += mine.ok;
            all.errors += mine.errors;
            let _ = all.latency.add(&mine.latency);
            let _ = all.ttfb.add(&mine.ttfb);
        });
    }
    finish(tasks, results, start).await
}

/// Opens `count` streams, waits until each has delivered its first byte, samples RSS
/// with them all open, then drops them. Returns (streams open at the sample, RSS KiB).
pub async fn hold_streams(
    client: &Client,
    shot: &Shot,
    count: usize,
    rss_kib: impl Fn() -> u64,
) -> (usize, u64) {
    let open = Arc::new(AtomicUsize::new(0));
    let (release, released) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let (client, shot, open, mut released) = (
            client.clone(),
            shot.clone(),
            Arc::clone(&open),
            released.clone(),
        );
        tasks.spawn(async move {
            let Ok(response) = client.request(request(&shot)).await else {
                return;
            };
            let mut body = response.into_body();
            if matches!(body.frame().await, Some(Ok(_))) {
                open.fetch_add(1, Ordering::Relaxed);
                let _ = released.wait_for(|r| *r).await;
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while open.load(Ordering::Relaxed) < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sample = (open.load(Ordering::Relaxed), rss_kib());
    let _ = release.send(true);
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    sample
}
