//! Admission at its boundaries, with time given explicitly: sliding windows, token
//! budgets and their reservations, in-flight caps, refusal storms and the failed-key
//! lock-out.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use super::*;

const T0: u64 = 1_800_000_000_000 - 1_800_000_000_000 % HOUR;

fn key() -> Arc<str> {
    Arc::from("key_test")
}

fn limits(f: impl FnOnce(&mut RateLimit)) -> RateLimit {
    let mut l = RateLimit::default();
    f(&mut l);
    l
}

#[test]
fn a_window_admits_exactly_its_limit_and_slides() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.requests_per_minute = 3);
    for i in 0..3 {
        assert!(
            admission.admit_key(&key(), &l, T0 + i, (0, 0.8)).is_ok(),
            "request {i}"
        );
    }
    let refused = admission
        .admit_key(&key(), &l, T0 + 10, (0, 0.8))
        .err()
        .unwrap();
    assert_eq!((refused.kind, refused.status), (Failure::RateLimited, 429));
    assert_eq!((refused.limit, refused.remaining), (Some(3), Some(0)));
    // The three leave when their second is a minute old: no rolling minute holds four.
    assert_eq!(refused.retry_after_secs, Some(61));
    assert!(admission
        .admit_key(&key(), &l, T0 + MINUTE, (0, 0.8))
        .is_err());
    for i in 0..3 {
        assert!(admission
            .admit_key(&key(), &l, T0 + MINUTE + 1_000 + i, (0, 0.8))
            .is_ok());
    }
}

/// A key with a budget of `limit` tokens a minute whose first answer cost `cost`.
fn measured(limit: u64, cost: u64) -> (Arc<Admission>, RateLimit) {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.tokens_per_minute = limit);
    let first = admission
        .admit_key(&key(), &l, T0, (0, 0.8))
        .unwrap()
        .unwrap();
    first.settle(cost, 0, T0);
    (admission, l)
}

#[test]
fn a_token_budget_refuses_once_spent_and_not_before() {
    let (admission, l) = measured(1_000, 999);
    let second = admission.admit_key(&key(), &l, T0 + 1, (0, 0.8)).unwrap();
    assert!(second.is_some(), "999 of 1,000 spent");
    second.unwrap().settle(1, 0, T0 + 1);
    let refused = admission
        .admit_key(&key(), &l, T0 + 2, (0, 0.8))
        .err()
        .unwrap();
    assert_eq!(refused.kind, Failure::TokenBudget);
    assert_eq!(refused.retry_after_secs, Some(61));
    assert!(admission
        .admit_key(&key(), &l, T0 + MINUTE + 1_000, (0, 0.8))
        .is_ok());
}

#[test]
fn parallel_answers_pass_a_budget_by_at_most_one_reservation() {
    let (admission, l) = measured(1_000, 100);
    // 64 arrive together; each reserves the usual cost, so only what fits is admitted.
    let admitted: Vec<Permit> = (0..64)
        .filter_map(|i| admission.admit_key(&key(), &l, T0 + 1 + i, (0, 0.8)).ok())
        .map(Option::unwrap)
        .collect();
    assert_eq!(admitted.len(), 9, "900 tokens left, 100 reserved each");
    for permit in admitted {
        permit.settle(100, 0, T0 + 100);
    }
    let windows = &admission.export()[0].1;
    assert_eq!(windows.tokens_minute.clone().used(T0 + 100, MINUTE), 1_000);
}

#[test]
fn an_unmeasured_key_measures_one_answer_at_a_time() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.tokens_per_day = 1_000_000);
    let first = admission
        .admit_key(&key(), &l, T0, (0, 0.8))
        .unwrap()
        .unwrap();
    let refused = admission.admit_key(&key(), &l, T0, (0, 0.8)).err().unwrap();
    assert_eq!(
        (refused.kind, refused.retry_after_secs),
        (Failure::TokenBudget, Some(1))
    );
    drop(first); // failed before any count: released, nothing learned
    let first = admission
        .admit_key(&key(), &l, T0, (0, 0.8))
        .unwrap()
        .unwrap();
    first.settle(50, 0, T0);
    let both = [0, 1].map(|_| admission.admit_key(&key(), &l, T0, (0, 0.8)));
    assert!(both.iter().all(Result::is_ok), "measured: in parallel");
}

#[test]
fn the_estimate_rises_at_once_and_falls_slowly() {
    let (admission, l) = measured(1_000_000, 800);
    let settle = |tokens| {
        let permit = admission
            .admit_key(&key(), &l, T0, (0, 0.8))
            .unwrap()
            .unwrap();
        permit.settle(tokens, 0, T0);
        admission.export()[0].1.estimate
    };
    assert_eq!(settle(0), Some(700), "an eighth of the gap");
    assert_eq!(settle(2_000), Some(2_000));
}

#[test]
fn the_in_flight_cap_frees_a_slot_when_a_permit_drops() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.max_concurrent = 2);
    let first = admission.admit_key(&key(), &l, T0, (0, 0.8)).unwrap();
    let second = admission.admit_key(&key(), &l, T0, (0, 0.8)).unwrap();
    let refused = admission.admit_key(&key(), &l, T0, (0, 0.8)).err().unwrap();
    assert_eq!(refused.kind, Failure::Concurrency);
    drop(first);
    let third = admission.admit_key(&key(), &l, T0, (0, 0.8)).unwrap();
    drop((second, third));
    assert!(admission.admit_key(&key(), &l, T0, (0, 0.8)).is_ok());
}

#[test]
fn a_storm_is_flagged_once_when_refusals_reach_the_threshold() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.requests_per_minute = 1);
    assert!(admission.admit_key(&key(), &l, T0, (3, 0.8)).is_ok());
    let storms: Vec<bool> = (1..=5)
        .map(|i| {
            admission
                .admit_key(&key(), &l, T0 + i, (3, 0.8))
                .err()
                .unwrap()
                .storm
        })
        .collect();
    assert_eq!(storms, [false, false, true, false, false]);
}

#[test]
fn failed_keys_lock_an_address_out_for_the_window() {
    let admission = Admission::default();
    let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    let cfg = LimitsConfig {
        failed_auth_per_minute: 3,
        ..LimitsConfig::default()
    };
    assert!(admission.admit_ip(ip, T0, &cfg).is_ok(), "no state yet");
    let reached: Vec<bool> = (0..4)
        .map(|i| admission.auth_failed(ip, T0 + i, &cfg))
        .collect();
    assert_eq!(reached, [false, false, true, false], "reported once");
    let refused = admission.admit_ip(ip, T0 + 10, &cfg).err().unwrap();
    assert_eq!(refused.kind, Failure::AuthLockout);
    let other = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 8));
    assert!(
        admission.admit_ip(other, T0 + 10, &cfg).is_ok(),
        "only that address"
    );
    assert!(
        admission.admit_ip(ip, T0 + 3 * MINUTE, &cfg).is_ok(),
        "the window passed"
    );
}

#[test]
fn saved_windows_come_back_and_idle_keys_are_swept() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.requests_per_minute = 1);
    assert!(admission.admit_key(&key(), &l, T0, (0, 0.8)).is_ok());
    let saved = admission.export();
    let restarted = Arc::new(Admission::default());
    restarted.import(saved, T0 + 5);
    assert!(
        restarted.admit_key(&key(), &l, T0 + 6, (0, 0.8)).is_err(),
        "the count survived"
    );
    restarted.sweep(T0 + DAY + 10);
    assert!(restarted.export().is_empty());
}

#[test]
fn a_key_holding_a_reservation_is_not_swept() {
    let (admission, l) = measured(1_000, 10);
    let held = admission
        .admit_key(&key(), &l, T0, (0, 0.8))
        .unwrap()
        .unwrap();
    admission.sweep(T0 + 2 * DAY);
    assert_eq!(admission.export().len(), 1);
    drop(held);
    admission.sweep(T0 + 2 * DAY);
    assert!(admission.export().is_empty());
}

#[test]
fn a_spend_budget_reserves_the_usual_cost_for_answers_in_flight() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.budget_usd.day = 1_000_000);
    let first = admission
        .admit_key(&key(), &l, T0, (0, 0.8))
        .unwrap()
        .unwrap();
    assert!(first.wants_cost());
    let measuring = admission.admit_key(&key(), &l, T0, (0, 0.8)).err().unwrap();
    assert_eq!(
        measuring.kind,
        Failure::SpendBudget,
        "one answer at a time until measured"
    );
    first.settle(10, 300_000, T0);
    // $0.30 spent, $0.30 an answer: three more fit in parallel under $1.00, not four.
    let held: Vec<_> = (0..4)
        .filter_map(|_| admission.admit_key(&key(), &l, T0, (0, 0.8)).ok())
        .collect();
    assert_eq!(held.len(), 3);
    let budgets = admission.budgets(&key(), &l.budget_usd, T0);
    assert_eq!((budgets[0].spent, budgets[0].reserved), (300_000, 900_000));
    for permit in held.into_iter().flatten() {
        permit.settle(10, 300_000, T0);
    }
    let alerts = admission.take_budget_alerts();
    assert_eq!(alerts.len(), 1, "crossing 80% alerts once: {alerts:?}");
    assert_eq!(alerts[0].crossed.micros, 900_000);
    let refused = admission.admit_key(&key(), &l, T0, (0, 0.8)).err().unwrap();
    assert!(
        refused.message.contains("$1.00 per day"),
        "{}",
        refused.message
    );
}

#[test]
fn a_month_budget_outlives_a_day_of_idleness() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.budget_usd.month = 1_000_000);
    let first = admission
        .admit_key(&key(), &l, T0, (0, 0.8))
        .unwrap()
        .unwrap();
    first.settle(10, 1_000_000, T0);
    admission.sweep(T0 + 2 * DAY);
    let month = admission.budgets(&key(), &l.budget_usd, T0 + 2 * DAY);
    assert_eq!(month[0].spent, 1_000_000, "kept by the sweep");
    assert!(admission
        .admit_key(&key(), &l, T0 + 2 * DAY, (0, 0.8))
        .is_err());
}
