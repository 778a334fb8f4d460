//! Admission at its boundaries, with time given explicitly: sliding windows, token
//! budgets, in-flight caps, refusal storms and the failed-key lock-out.

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
            admission.admit_key(&key(), &l, T0 + i, 0).is_ok(),
            "request {i}"
        );
    }
    let refused = admission.admit_key(&key(), &l, T0 + 10, 0).err().unwrap();
    assert_eq!((refused.kind, refused.status), (Failure::RateLimited, 429));
    assert_eq!((refused.limit, refused.remaining), (Some(3), Some(0)));
    // The earliest time the weighted window has room: 20 s into the next minute here
    // (3 requests at its start weigh 3 × 2/3 = 2 by then).
    assert_eq!(refused.retry_after_secs, Some(80));
    // Half a minute into the next window, half of the previous one still counts (1.5 of
    // 3): one more fits, a second does not.
    let later = T0 + MINUTE + MINUTE / 2;
    assert!(admission.admit_key(&key(), &l, later, 0).is_ok());
    assert!(admission.admit_key(&key(), &l, later + 1, 0).is_err());
    // Two windows on, the old requests have faded entirely.
    for i in 0..3 {
        assert!(admission
            .admit_key(&key(), &l, T0 + 3 * MINUTE + i, 0)
            .is_ok());
    }
}

#[test]
fn a_token_budget_refuses_once_spent_and_not_before() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.tokens_per_minute = 1_000);
    assert!(admission.admit_key(&key(), &l, T0, 0).is_ok());
    admission.charge(&key(), 999, T0);
    assert!(
        admission.admit_key(&key(), &l, T0 + 1, 0).is_ok(),
        "999 of 1,000 spent"
    );
    admission.charge(&key(), 1, T0 + 1);
    let refused = admission.admit_key(&key(), &l, T0 + 2, 0).err().unwrap();
    assert_eq!(refused.kind, Failure::TokenBudget);
    assert!(admission.admit_key(&key(), &l, T0 + 2 * MINUTE, 0).is_ok());
}

#[test]
fn the_in_flight_cap_frees_a_slot_when_a_permit_drops() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.max_concurrent = 2);
    let first = admission.admit_key(&key(), &l, T0, 0).unwrap();
    let second = admission.admit_key(&key(), &l, T0, 0).unwrap();
    let refused = admission.admit_key(&key(), &l, T0, 0).err().unwrap();
    assert_eq!(refused.kind, Failure::Concurrency);
    drop(first);
    let third = admission.admit_key(&key(), &l, T0, 0).unwrap();
    drop((second, third));
    assert!(admission.admit_key(&key(), &l, T0, 0).is_ok());
}

#[test]
fn a_storm_is_flagged_once_when_refusals_reach_the_threshold() {
    let admission = Arc::new(Admission::default());
    let l = limits(|l| l.requests_per_minute = 1);
    assert!(admission.admit_key(&key(), &l, T0, 3).is_ok());
    let storms: Vec<bool> = (1..=5)
        .map(|i| {
            admission
                .admit_key(&key(), &l, T0 + i, 3)
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
    assert!(admission.admit_key(&key(), &l, T0, 0).is_ok());
    let saved = admission.export();
    let restarted = Arc::new(Admission::default());
    restarted.import(saved, T0 + 5);
    assert!(
        restarted.admit_key(&key(), &l, T0 + 6, 0).is_err(),
        "the count survived"
    );
    restarted.sweep(T0 + DAY + 10);
    assert!(restarted.export().is_empty());
}
