//! Admission: key limits that hold exactly under parallel load, token budgets and windows
//! that survive a restart, concurrency caps, address rules (global, per key, behind a
//! trusted proxy), browser origins, and the lock-out after repeated bad keys.

use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use serde_json::Value;

use crate::support::{claude_body, gemini_body, World};

struct Gate {
    mock: MockHandle,
    daemon: Daemon,
    /// Keys issued so far, for unique names.
    keys: std::sync::atomic::AtomicUsize,
}

/// A daemon under `config` with one Claude and one Gemini account.
fn gate(config: &str) -> Gate {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(config);
    daemon.add_account("claude", "claude-code", "sk-up", &mock.url(), &[]);
    daemon.add_account("gemini", "gemini-cli", "AIza-up", &mock.url(), &[]);
    Gate {
        mock,
        daemon,
        keys: Default::default(),
    }
}

impl Gate {
    fn key(&self, flags: &[&str]) -> String {
        let name = format!(
            "k{}",
            self.keys.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        self.daemon.create_key(&name, flags).1
    }

    fn claude(&self, secret: &str, text: &str) -> reqwest::RequestBuilder {
        World::client()
            .post(format!("{}/v1/messages", self.daemon.url))
            .header("x-api-key", secret)
            .json(&claude_body(false, text))
    }
}

/// Sends `n` requests at once; returns the statuses and the first refusal.
async fn burst(
    n: usize,
    make: impl Fn(usize) -> reqwest::RequestBuilder,
) -> (Vec<u16>, Option<(reqwest::header::HeaderMap, Value)>) {
    let answers = futures_util::future::join_all((0..n).map(|i| make(i).send())).await;
    let mut statuses = Vec::new();
    let mut refusal = None;
    for answer in answers {
        let answer = answer.unwrap();
        statuses.push(answer.status().as_u16());
        if answer.status() == 429 && refusal.is_none() {
            let headers = answer.headers().clone();
            refusal = Some((headers, answer.json().await.unwrap()));
        } else {
            let _ = answer.bytes().await;
        }
    }
    (statuses, refusal)
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_requests_never_get_past_a_key_limit() {
    let g = gate("");
    let secret = g.key(&["--rpm", "10"]);
    let (statuses, refusal) = burst(40, |i| g.claude(&secret, &format!("p {i}"))).await;
    assert_eq!(
        (count(&statuses, 200), count(&statuses, 429)),
        (10, 30),
        "{statuses:?}"
    );
    let (headers, body) = refusal.unwrap();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("10 requests per minute"));
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=120).contains(&retry), "{retry}");
    assert_eq!(headers["x-ratelimit-limit"], "10");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(headers.contains_key("x-ratelimit-reset"));
    assert_eq!(g.mock.requests().len(), 10, "refusals never went upstream");
    g.daemon.settle();
    let stats = g.daemon.ctl_json(&["stats", "--by", "key"]);
    let row = &stats.as_array().unwrap()[0];
    assert_eq!(
        (row["requests"].as_u64(), row["errors"].as_u64()),
        (Some(40), Some(30))
    );

    // The token bucket: a burst of five, then the sustained rate (one a second).
    let gemini = g.key(&["--rps", "1", "--burst", "5"]);
    let url = format!(
        "{}/v1beta/models/gemini-2.5-pro:generateContent",
        g.daemon.url
    );
    let (statuses, refusal) = burst(12, |i| {
        World::client()
            .post(&url)
            .header("x-goog-api-key", &gemini)
            .json(&gemini_body(&format!("b {i}")))
    })
    .await;
    assert_eq!(count(&statuses, 200), 5, "{statuses:?}");
    let (_, body) = refusal.unwrap();
    assert_eq!(
        body["error"]["status"], "RESOURCE_EXHAUSTED",
        "Google's dialect"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_limit_and_a_refusal_storm() {
    let g = gate("[limits]\nip_requests_per_minute = 6\nrefusal_storm_per_minute = 3\n");
    let open = g.key(&[]);
    let (statuses, _) = burst(10, |i| g.claude(&open, &format!("ip {i}"))).await;
    assert_eq!(count(&statuses, 200), 6, "{statuses:?}");

    let g = gate("[limits]\nrefusal_storm_per_minute = 3\n");
    let tight = g.key(&["--rpm", "1"]);
    let (statuses, _) = burst(6, |i| g.claude(&tight, &format!("s {i}"))).await;
    assert_eq!(count(&statuses, 429), 5);
    let audit = g.daemon.ctl_json(&["audit", "list"]);
    let storms: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "security/rate_limit_storm")
        .collect();
    assert_eq!(storms.len(), 1, "one event per storm: {audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_holds_only_so_many_requests_in_flight() {
    let g = gate("");
    let secret = g.key(&["--max-concurrent", "2"]);
    let slow = "slow [[mock:ok ttfb_ms=400]]";
    let (statuses, refusal) = burst(5, |_| g.claude(&secret, slow)).await;
    assert_eq!(count(&statuses, 200), 2, "{statuses:?}");
    assert!(refusal.unwrap().1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2 requests in flight"));
    // The slots come back when the answers end.
    let (statuses, _) = burst(2, |_| g.claude(&secret, "again")).await;
    assert_eq!(statuses, vec![200, 200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_and_windows_survive_a_restart() {
    let g = gate("");
    let budget = g.key(&["--tpd", "1"]);
    let hourly = g.key(&["--rph", "2"]);
    // One answer spends the whole day's budget (it is checked before, charged after).
    assert_eq!(g.claude(&budget, "one").send().await.unwrap().status(), 200);
    g.daemon.ctl_json(&["key", "list"]); // waits for the recorder to count the answer
    let refused = g.claude(&budget, "two").send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("tokens per day"));
    for _ in 0..2 {
        assert_eq!(g.claude(&hourly, "h").send().await.unwrap().status(), 200);
    }
    assert_eq!(g.claude(&hourly, "h").send().await.unwrap().status(), 429);

    let Gate { mock, daemon, keys } = g;
    let (dir, _) = daemon.stop();
    let daemon = Daemon::start_in(dir, &[]);
    let g = Gate { mock, daemon, keys };
    assert_eq!(
        g.claude(&budget, "after").send().await.unwrap().status(),
        429,
        "the day budget is still spent"
    );
    assert_eq!(
        g.claude(&hourly, "after").send().await.unwrap().status(),
        429,
        "the hour window still counts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn address_rules_global_per_key_and_behind_a_trusted_proxy() {
    let g = gate("[security]\ndeny = [\"192.0.2.0/24\"]\ntrusted_proxies = [\"127.0.0.1\"]\nallowed_origins = [\"https://console.example\"]\n");
    let office = g.key(&["--allow-ip", "10.0.0.0/8,2001:db8::/32"]);
    let anywhere = g.key(&[]);
    let from = |secret: &str, forwarded: Option<&str>| {
        let mut request = g.claude(secret, "ip");
        if let Some(ip) = forwarded {
            request = request.header("x-forwarded-for", ip);
        }
        request.send()
    };
    // The peer is loopback, a trusted proxy: the forwarded address counts.
    assert_eq!(from(&office, Some("10.1.2.3")).await.unwrap().status(), 200);
    assert_eq!(
        from(&office, Some("2001:db8::7")).await.unwrap().status(),
        200
    );
    let outside = from(&office, Some("198.51.100.9")).await.unwrap();
    assert_eq!(outside.status(), 403);
    let body: Value = outside.json().await.unwrap();
    assert_eq!(body["error"]["type"], "permission_error");
    assert_eq!(
        from(&office, None).await.unwrap().status(),
        403,
        "loopback itself is not in 10/8"
    );
    assert_eq!(
        from(&anywhere, Some("192.0.2.50")).await.unwrap().status(),
        403,
        "globally denied"
    );
    assert_eq!(
        from(&anywhere, Some("203.0.113.1")).await.unwrap().status(),
        200
    );

    let origin = |o: &str| g.claude(&anywhere, "cors").header("origin", o).send();
    assert_eq!(
        origin("https://console.example").await.unwrap().status(),
        200
    );
    assert_eq!(origin("https://evil.example").await.unwrap().status(), 403);

    let audit = g.daemon.ctl_json(&["audit", "list"]);
    let denied = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "security/ip_denied")
        .count();
    assert!(denied >= 2, "denied addresses are security events: {audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_bad_keys_lock_the_address_out() {
    let g = gate("[limits]\nfailed_auth_per_minute = 3\n");
    let good = g.key(&[]);
    for i in 0..3 {
        let bad = g
            .claude(&format!("gwk_wrong{i}"), "x")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 401);
    }
    let locked = g.claude(&good, "x").send().await.unwrap();
    assert_eq!(
        locked.status(),
        429,
        "even a good key from that address waits"
    );
    assert!(locked.headers().contains_key("retry-after"));
    let audit = g.daemon.ctl_json(&["audit", "list"]);
    let storm = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "security/auth_failure_storm")
        .unwrap_or_else(|| panic!("no storm event: {audit}"));
    assert!(storm["detail"]["event"]
        .as_str()
        .unwrap()
        .contains("127.0.0.1"));
    assert_eq!(storm["actor"], "gatewayd");
}
