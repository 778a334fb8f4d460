//! Time-dependent behaviour, with time moved by the clock rather than waited for.

use std::time::Duration;

use gateway_proto::v1 as pb;
use gateway_tests::mock::{Action, Fault, MockConfig, MockHandle};

use crate::harness::{eventually, tokens_of, InProcess};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3_600);
const DAY: Duration = Duration::from_secs(86_400);

/// A daemon with `toml`, a preferred account `first` and a fallback `second` on one mock.
async fn two_accounts(toml: &str) -> (InProcess, MockHandle, String) {
    let mock = MockHandle::start(MockConfig::default());
    let gw = InProcess::start(toml).await;
    gw.account("first", "first", &mock.url(), 0).await;
    gw.account("second", "second", &mock.url(), 1).await;
    let secret = gw.key("dev", pb::Limits::default(), None).await;
    (gw, mock, secret)
}

/// How many requests the mock answered for `account`.
fn served(mock: &MockHandle, account: &str) -> usize {
    mock.requests_for(account).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circuit_stays_open_for_its_cooldown_then_one_trial_closes_it() {
    let toml = "[balance]\nsticky_sessions = false\n[health]\ncircuit_failures = 3\ncircuit_cooldown = \"60s\"\n";
    let (gw, mock, secret) = two_accounts(toml).await;
    let error = Action::Status {
        code: 500,
        retry_after: None,
    };
    mock.fault(Fault::for_account("first", error, 3));
    for i in 0..3 {
        assert_eq!(gw.claude(&secret, &format!("fail {i}")).await.0, 200);
    }
    let opened_at = gw.clock.now_millis();
    let first = gw.show("first").await;
    assert!(first.circuit_open, "{first:?}");
    assert_eq!(first.state, "circuit_open");
    assert_eq!(first.cooling_until, Some(opened_at as i64 + 60_000));
    let opened = eventually("the opening in the history", || async {
        let history = gw.show("first").await.history;
        history.into_iter().find(|e| e.state == "circuit_open")
    })
    .await;
    assert_eq!(opened.reason, "circuit open after 3 failures");
    assert_eq!(
        opened.at_ms, opened_at as i64,
        "stamped by the daemon's clock"
    );

    gw.clock.advance(MINUTE / 2);
    assert_eq!(gw.claude(&secret, "half way").await.0, 200);
    assert_eq!(
        served(&mock, "first"),
        3,
        "nothing while the circuit is open"
    );

    gw.clock.advance(MINUTE / 2 + Duration::from_secs(1));
    assert_eq!(gw.claude(&secret, "trial").await.0, 200);
    assert_eq!(served(&mock, "first"), 4, "one trial after the cool-down");
    let first = gw.show("first").await;
    assert!(!first.circuit_open, "the healed trial closes it: {first:?}");
    assert_eq!(first.state, "active");
    eventually("the closing in the history", || async {
        let history = gw.show("first").await.history;
        let last = history.last()?;
        (last.state == "active" && last.reason.starts_with("circuit closed")).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_window_benches_its_account_until_the_reset_and_no_longer() {
    let (gw, mock, secret) = two_accounts("").await;
    let exhausted = Action::Exhausted {
        reset_in: 3_600,
        model_scoped: false,
    };
    mock.fault(Fault::for_account("first", exhausted, 1));
    assert_eq!(gw.claude(&secret, "exhausts first").await.0, 200);
    assert_eq!(gw.show("first").await.state, "cooling_down");

    gw.clock.advance(HOUR / 2);
    assert_eq!(gw.claude(&secret, "still benched").await.0, 200);
    assert_eq!(served(&mock, "first"), 1);

    gw.clock.advance(HOUR / 2 + MINUTE);
    assert_eq!(gw.claude(&secret, "reset").await.0, 200);
    assert_eq!(served(&mock, "first"), 2, "back once its window reset");
    assert_eq!(gw.show("first").await.state, "active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requests_per_minute_limit_reopens_when_the_minute_has_passed() {
    let (gw, _mock, _) = two_accounts("").await;
    let limits = pb::Limits {
        requests_per_minute: Some(2),
        ..Default::default()
    };
    let secret = gw.key("two a minute", limits, None).await;
    for i in 0..2 {
        assert_eq!(gw.claude(&secret, &format!("r {i}")).await.0, 200);
    }
    let (status, headers) = gw.claude(&secret, "one too many").await;
    assert_eq!(status, 429);
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (1..=61).contains(&retry),
        "retry-after {retry}: the exact minute"
    );

    gw.clock.advance(MINUTE / 2);
    assert_eq!(gw.claude(&secret, "still limited").await.0, 429);
    gw.clock.advance(2 * MINUTE);
    assert_eq!(gw.claude(&secret, "a new minute").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_stops_working_at_its_expiry() {
    let (gw, _mock, _) = two_accounts("").await;
    let expires_at = gw.clock.now_secs() + 3_600;
    let secret = gw
        .key("an hour", pb::Limits::default(), Some(expires_at))
        .await;
    assert_eq!(gw.claude(&secret, "in time").await.0, 200);
    gw.clock.advance(HOUR - MINUTE);
    assert_eq!(gw.claude(&secret, "just in time").await.0, 200);
    gw.clock.advance(2 * MINUTE);
    assert_eq!(gw.claude(&secret, "too late").await.0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_entries_age_out_by_the_clock() {
    let toml = "[record]\nlog_max_age = \"7d\"\nflush_interval = \"50ms\"\nhousekeeping_interval = \"50ms\"\n";
    let (gw, _mock, secret) = two_accounts(toml).await;
    assert_eq!(gw.claude(&secret, "old news").await.0, 200);
    eventually("the entry in the log", || async {
        (gw.log().await.len() == 1).then_some(())
    })
    .await;
    gw.clock.advance(6 * DAY);
    assert_eq!(gw.claude(&secret, "recent").await.0, 200);
    eventually("both entries in the log", || async {
        (gw.log().await.len() == 2).then_some(())
    })
    .await;
    gw.clock.advance(2 * DAY);
    let kept = eventually("the week-old entry to age out", || async {
        let log = gw.log().await;
        (log.len() == 1).then_some(log)
    })
    .await;
    assert!(
        kept[0].at_ms + 7 * 86_400_000 > gw.clock.now_millis(),
        "the younger one stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_token_budget_reopens_a_day_later() {
    let (gw, _mock, _) = two_accounts("").await;
    let limits = pb::Limits {
        tokens_per_day: Some(1),
        ..Default::default()
    };
    let secret = gw.key("frugal", limits, None).await;
    assert_eq!(gw.claude(&secret, "spends the day").await.0, 200);
    assert_eq!(gw.claude(&secret, "over budget").await.0, 429);
    gw.clock.advance(DAY / 2);
    assert_eq!(gw.claude(&secret, "half a day on").await.0, 429);
    // A day is counted in 24-minute sixtieths: the spend leaves within one of a day.
    gw.clock.advance(DAY / 2 + 25 * MINUTE);
    assert_eq!(gw.claude(&secret, "a day on").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_requests_pass_a_token_budget_by_at_most_one_answer() {
    let (gw, _mock, free) = two_accounts("").await;
    let cost = tokens_of(gw.send(&free, "the same question").await).await;
    let limits = pb::Limits {
        tokens_per_minute: Some(10 * cost + cost / 2),
        ..Default::default()
    };
    let secret = gw.key("budgeted", limits, None).await;
    // The first answer measures what this key's answers cost.
    assert_eq!(gw.claude(&secret, "the same question").await.0, 200);
    let burst = (0..64).map(|_| gw.claude(&secret, "the same question"));
    let statuses: Vec<u16> = futures_util::future::join_all(burst)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    let served = statuses.iter().filter(|&&s| s == 200).count() as u64;
    assert_eq!(
        served + statuses.iter().filter(|&&s| s == 429).count() as u64,
        64
    );
    // 9.5 answers' worth was left: ten fit (the tenth is the one allowed overshoot).
    assert_eq!(served, 10, "{statuses:?}");
    assert!((1 + served) * cost <= 10 * cost + cost / 2 + cost);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_trickle_never_gets_more_than_the_limit_into_any_minute() {
    let (gw, _mock, _) = two_accounts("").await;
    let limits = pb::Limits {
        requests_per_minute: Some(10),
        ..Default::default()
    };
    let secret = gw.key("ten a minute", limits, None).await;
    let mut admitted = Vec::new();
    // One request every 2.5 s of the clock for four minutes.
    for i in 0..96 {
        if gw.claude(&secret, &format!("drip {i}")).await.0 == 200 {
            admitted.push(gw.clock.now_millis());
        }
        gw.clock.advance(Duration::from_millis(2_500));
    }
    for (i, &from) in admitted.iter().enumerate() {
        let within = admitted[i..]
            .iter()
            .take_while(|&&t| t < from + 60_000)
            .count();
        assert!(within <= 10, "{within} admitted in the minute from {from}");
    }
    assert!(admitted.len() >= 36, "{} admitted", admitted.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_windows_count_by_the_minute_and_rows_come_busiest_first() {
    let toml = "[record]\nflush_interval = \"50ms\"\n";
    let (gw, _mock, _) = two_accounts(toml).await;
    let busy = gw.key("busy", pb::Limits::default(), None).await;
    let quiet = gw.key("quiet", pb::Limits::default(), None).await;
    assert_eq!(gw.claude(&busy, "long ago").await.0, 200);
    gw.clock.advance(30 * MINUTE);
    for i in 0..3 {
        assert_eq!(gw.claude(&busy, &format!("now {i}")).await.0, 200);
    }
    assert_eq!(gw.claude(&quiet, "now").await.0, 200);
    let all = eventually("every request counted", || async {
        let all = gw.usage("key", 0).await;
        let total: u64 = all.rows.iter().map(|r| r.usage.unwrap().requests).sum();
        (total == 5).then_some(all)
    })
    .await;
    let names: Vec<&str> = all.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["busy", "quiet"], "the busiest first");
    let recent = gw.usage("key", 10 * 60).await;
    let busy_recent = recent.rows.iter().find(|r| r.name == "busy").unwrap();
    assert_eq!(
        busy_recent.usage.unwrap().requests,
        3,
        "the request 30 minutes ago is outside a 10-minute window"
    );
    let start = recent.since_ms.expect("the window's start");
    assert!(
        gw.clock.now_millis() - start <= 11 * 60_000,
        "whole minutes"
    );
}
