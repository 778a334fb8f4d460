//! Observability: stats that add up to what the mock served, percentiles from known
//! latencies, cost from the price table, the request log's JSON-lines mirror and
//! retention, Prometheus metrics, and alert webhooks.

use std::sync::{Arc, Mutex};

use gateway_tests::harness::{eventually, Daemon};
use gateway_tests::mock::{input_tokens, Action, Fault, MockConfig, MockHandle};
use serde_json::{json, Value};

use crate::support::World;

fn claude(stream: bool, text: &str) -> Value {
    json!({"model": "claude-sonnet-mock", "max_tokens": 100, "stream": stream,
           "messages": [{"role": "user", "content": text}]})
}

fn gemini(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

struct Run {
    mock: MockHandle,
    daemon: Daemon,
    secret: String,
}

fn run(config: &str) -> Run {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(config);
    let (_, secret) = daemon.create_key("obs", &[]);
    for (name, kind) in [
        ("c1", "claude-code"),
        ("c2", "claude-code"),
        ("g1", "gemini-cli"),
    ] {
        daemon.add_account(
            name,
            kind,
            &format!("{name}-upstream-key"),
            &mock.url(),
            &[],
        );
    }
    Run {
        mock,
        daemon,
        secret,
    }
}

impl Run {
    async fn claude(&self, body: &Value) -> reqwest::Response {
        World::client()
            .post(format!("{}/v1/messages", self.daemon.url))
            .header("x-api-key", &self.secret)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn gemini(&self, action: &str, body: &Value) -> reqwest::Response {
        World::client()
            .post(format!(
                "{}/v1beta/models/gemini-mock-pro:{action}",
                self.daemon.url
            ))
            .header("x-goog-api-key", &self.secret)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    fn row(&self, by: &str, id: &str, since: Option<&str>) -> Value {
        let mut args = vec!["stats", "--by", by];
        if let Some(since) = since {
            args.extend(["--since", since]);
        }
        self.daemon.settle();
        let rows = self.daemon.ctl_json(&args);
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {by} row {id}: {rows}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_add_up_to_what_the_mock_served() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("requests.jsonl");
    let r = run(&format!(
        "[record]\nlog_file = \"{}\"\n[balance]\nsticky_sessions = false\n\
         [[prices]]\nmodel = \"claude-sonnet-mock\"\ninput = 3.0\noutput = 15.0\n",
        mirror.display()
    ));
    // One failed-over attempt: c1 answers 500 once, c2 serves the request.
    r.mock.fault(Fault::for_account(
        "c1-upstream-key",
        Action::Status {
            code: 500,
            retry_after: None,
        },
        1,
    ));
    let mut ids = Vec::new();
    let (mut input, mut claude_ok) = (0, 0);
    for (i, stream) in [false, false, false, true, true, false]
        .into_iter()
        .enumerate()
    {
        let body = claude(stream, &format!("question number {i}"));
        let answer = r.claude(&body).await;
        assert_eq!(answer.status(), 200);
        ids.push(
            answer.headers()["x-gateway-request-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
        let _ = answer.bytes().await.unwrap();
        input += input_tokens(&body);
        claude_ok += 1;
    }
    let mut gemini_input = 0;
    for (i, action) in [
        "streamGenerateContent?alt=sse",
        "streamGenerateContent?alt=sse",
        "generateContent",
    ]
    .into_iter()
    .enumerate()
    {
        let body = gemini(&format!("gemini question {i}"));
        let answer = r.gemini(action, &body).await;
        assert_eq!(answer.status(), 200);
        let _ = answer.bytes().await.unwrap();
        gemini_input += input_tokens(&body);
    }
    let refused = r
        .gemini("generateContent", &gemini("bad [[mock:400]]"))
        .await;
    assert_eq!(refused.status(), 400, "the client's own error is relayed");

    let anthropic = r.row("dialect", "anthropic", None);
    assert_eq!(
        (anthropic["requests"].as_u64(), anthropic["errors"].as_u64()),
        (Some(6), Some(0))
    );
    assert_eq!(anthropic["input_tokens"], input);
    assert_eq!(anthropic["output_tokens"], 16 * claude_ok);
    let expected_cost = (input * 3 + 16 * claude_ok * 15) as f64 / 1e6;
    assert!((anthropic["cost_usd"].as_f64().unwrap() - expected_cost).abs() < 1e-9);
    let google = r.row("dialect", "gemini", Some("1h"));
    assert_eq!(
        (google["requests"].as_u64(), google["errors"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(google["input_tokens"], gemini_input);
    assert_eq!(google["output_tokens"], 48);
    let c1 = r.row("account", &r.account_id("c1"), None);
    assert_eq!(
        c1["errors"].as_u64(),
        Some(1),
        "the failed-over attempt counts against c1"
    );
    let model = r.row("model", "claude-sonnet-mock", Some("24h"));
    assert_eq!(model["requests"], 6);

    // The mirror has one JSON line per client request, with the ids the clients saw.
    let lines: Vec<Value> = std::fs::read_to_string(&mirror)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10);
    for id in &ids {
        assert!(lines.iter().any(|l| l["request_id"] == id.as_str()), "{id}");
    }
    let text = std::fs::read_to_string(&mirror).unwrap();
    assert!(
        !text.contains("question number") && !text.contains(&r.secret),
        "redacted"
    );
}

impl Run {
    /// The id of the account named `name`.
    fn account_id(&self, name: &str) -> String {
        let list = self.daemon.ctl_json(&["account", "list"]);
        let found = list.as_array().unwrap().iter().find(|a| a["name"] == name);
        found.unwrap()["id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn percentiles_come_from_known_latencies() {
    let r = run("");
    for i in 0..20 {
        let ttfb = if i < 10 { 100 } else { 300 };
        let body = claude(false, &format!("slow {i} [[mock:ok ttfb_ms={ttfb}]]"));
        assert_eq!(r.claude(&body).await.status(), 200);
    }
    for since in [None, Some("1h")] {
        let row = r.row("model", "claude-sonnet-mock", since);
        let p = |k: &str| row[k].as_u64().unwrap();
        // Bounds wide enough for a loaded machine, narrow enough to tell the two groups.
        assert!((100..200).contains(&p("latency_p50_ms")), "{row}");
        assert!((300..400).contains(&p("latency_p99_ms")), "{row}");
        assert!((100..200).contains(&p("ttfb_p50_ms")), "{row}");
        assert!(p("latency_p95_ms") >= 300, "{row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_cut_to_its_entry_cap_and_totals_outlive_it() {
    let r = run("[record]\nlog_max_entries = 3\nhousekeeping_interval = \"100ms\"\n");
    for i in 0..6 {
        assert_eq!(
            r.claude(&claude(false, &format!("r {i}"))).await.status(),
            200
        );
    }
    eventually("the log to be cut to 3 entries", || {
        let tail = r.daemon.ctl_json(&["log", "tail", "--limit", "100"]);
        (tail.as_array().unwrap().len() == 3).then_some(())
    });
    r.daemon.settle();
    let totals = r.row("dialect", "anthropic", None);
    assert_eq!(totals["requests"], 6, "totals outlive the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_metrics_parse_and_carry_the_series() {
    let r = run("[[prices]]\nmodel = \"claude-*\"\ninput = 3.0\noutput = 15.0\n");
    let limited = r.daemon.create_key("tight", &["--rpm", "1"]).1;
    assert_eq!(r.claude(&claude(false, "m")).await.status(), 200);
    for _ in 0..2 {
        let _ = World::client()
            .post(format!("{}/v1/messages", r.daemon.url))
            .header("x-api-key", &limited)
            .json(&claude(false, "x"))
            .send()
            .await
            .unwrap();
    }
    r.daemon.settle(); // the recorder has counted everything
    let text = reqwest::get(format!("{}/metrics", r.daemon.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid exposition");
    let value = |name: &str, labels: &[(&str, &str)]| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v) => v,
                prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    let ok = [
        ("dialect", "anthropic"),
        ("model", "claude-sonnet-mock"),
        ("status", "200"),
    ];
    assert_eq!(value("gateway_requests_total", &ok), Some(2.0), "{text}");
    assert_eq!(
        value("gateway_refusals_total", &[("kind", "rate_limited")]),
        Some(1.0)
    );
    assert_eq!(
        value(
            "gateway_tokens_total",
            &[("kind", "output"), ("model", "claude-sonnet-mock")]
        ),
        Some(32.0)
    );
    let c1 = r.account_id("c1");
    assert_eq!(
        value(
            "gateway_account_state",
            &[("account", &c1), ("state", "active")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value("gateway_account_in_flight", &[("account", &c1)]),
        Some(0.0)
    );
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "gateway_request_duration_seconds"),
        "{text}"
    );

    // The Grafana dashboard reads only series that exist.
    let dashboard = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../gatewayd/dashboards/llm-gateway.json"
    ))
    .unwrap();
    let dashboard: Value = serde_json::from_str(&dashboard).unwrap();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            for name in expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("gateway_"))
            {
                assert!(text.contains(name), "dashboard uses {name}, not exported");
            }
        }
    }

    // On its own address: there, and no longer on the data port.
    let separate = Daemon::start_with(&["--metrics-listen", "127.0.0.1:0"]);
    let status = reqwest::get(format!("{}/metrics", separate.url))
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
}

/// A webhook receiver on loopback: every JSON body POSTed to it.
pub(crate) fn receiver(fail: bool) -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/hook/secret-path", listener.local_addr().unwrap());
    let seen = Arc::clone(&got);
    tokio::spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let seen = Arc::clone(&seen);
            let service =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let seen = Arc::clone(&seen);
                    async move {
                        use http_body_util::BodyExt;
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        seen.lock()
                            .unwrap()
                            .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                        let status = if fail { 500 } else { 200 };
                        let mut response =
                            http::Response::new(http_body_util::Full::new(bytes::Bytes::new()));
                        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    (url, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_hear_about_failing_accounts() {
    let (url, got) = receiver(false);
    let r = run(&format!(
        "[alerts]\nwebhooks = [\"{url}\"]\nerror_rate = 0.5\nerror_rate_min_requests = 3\n\
         [balance]\nsticky_sessions = false\n"
    ));
    let out = r.daemon.ctl(&["alerts", "test"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the test alert", || {
        got.lock()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "test")
            .then_some(())
    });

    // c2 starts answering 500s, then refuses its key: an error-rate alert, then an
    // account-error alert.
    let error = Action::Status {
        code: 500,
        retry_after: None,
    };
    r.mock
        .fault(Fault::for_account("c2-upstream-key", error, 3));
    for i in 0..6 {
        assert_eq!(
            r.claude(&claude(false, &format!("e {i}"))).await.status(),
            200
        );
    }
    let refused = Action::Status {
        code: 401,
        retry_after: None,
    };
    r.mock
        .fault(Fault::for_account("c2-upstream-key", refused, 1));
    for i in 0..4 {
        assert_eq!(
            r.claude(&claude(false, &format!("f {i}"))).await.status(),
            200
        );
    }
    let c2 = r.account_id("c2");
    let alerts = eventually("both alerts", || {
        let all = got.lock().unwrap().clone();
        let has = |kind: &str| all.iter().any(|a| a["kind"] == kind && a["account"] == c2);
        (has("error_rate") && has("account_error")).then_some(all)
    });
    let error = alerts
        .iter()
        .find(|a| a["kind"] == "account_error")
        .unwrap();
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("invalid credentials"));

    // A webhook that fails makes the test fail, naming it without its path.
    let (bad, _) = receiver(true);
    let r = run(&format!("[alerts]\nwebhooks = [\"{bad}\"]\nattempts = 2\n"));
    let out = r.daemon.ctl(&["alerts", "test"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("500") && !stderr.contains("secret-path"),
        "{stderr}"
    );
}

#[test]
fn prices_lists_the_table_in_the_order_it_is_tried() {
    let daemon = gateway_tests::harness::Daemon::start_with_config(
        "[[prices]]\nmodel = \"claude-opus-4-8*\"\ninput = 4.0\noutput = 20.0\n",
    );
    let table = daemon.ctl_json(&["prices"]);
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows[0]["model"], "claude-opus-4-8*");
    assert_eq!(rows[0]["source"], "config");
    let opus = rows
        .iter()
        .find(|r| r["model"] == "claude-opus-4*")
        .expect("the shipped Opus row");
    assert_eq!(
        (opus["input"].as_f64(), opus["source"].as_str()),
        (Some(5.0), Some("shipped"))
    );
    assert!(table["shipped_as_of"].as_str().unwrap().starts_with("20"));
}
