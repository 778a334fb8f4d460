//! The lease's bookkeeping: what is asked for, handed out and given back.

use super::*;

fn leased(admissions: u32) -> Leased {
    Leased {
        admissions,
        incarnation: Arc::new("node-1".into()),
        minute_slot: Some(60_000),
        hour_slot: None,
        slots: true,
    }
}

#[test]
fn only_keys_limited_by_windows_and_in_flight_are_leased_and_never_small_shares() {
    let rpm = |n| RateLimit {
        requests_per_minute: n,
        ..RateLimit::default()
    };
    assert_eq!(largest(&rpm(6_000)), 100);
    assert_eq!(
        largest(&rpm(10)),
        0,
        "a tenth a second: decided per request"
    );
    let both = RateLimit {
        max_concurrent: 40,
        ..rpm(600_000)
    };
    assert_eq!(largest(&both), 10);
    let bucket = RateLimit {
        requests_per_second: 50,
        ..rpm(6_000)
    };
    assert_eq!(largest(&bucket), 0);
    let tokens = RateLimit {
        tokens_per_day: 1_000_000,
        ..rpm(6_000)
    };
    assert_eq!(largest(&tokens), 0);
}

#[test]
fn a_busy_key_asks_once_hands_out_what_came_and_gives_back_the_rest() {
    let mut lease = Lease::default();
    let start = Instant::now();
    assert!(lease.take(start).is_none(), "nothing leased yet");
    assert_eq!(lease.wanted(start, 100), None, "one request is not busy");
    assert!(lease.take(start).is_none());
    assert_eq!(lease.wanted(start, 100), Some(2));
    assert_eq!(lease.wanted(start, 100), None, "one lease at a time");
    let (id, until) = lease.granted(Some(leased(2)), start).unwrap();
    assert_eq!(until, start + TERM);
    assert!(lease.take(start).is_some());
    // Three requests this term: the next lease is for three.
    assert_eq!(lease.wanted(start, 100), Some(3));
    assert!(lease.granted(None, start).is_none(), "Redis granted none");
    assert!(lease.take(start).is_some());
    assert_eq!(
        lease.wanted(start, 100),
        None,
        "none asked for right after none came"
    );
    assert!(lease.take(start).is_none(), "both handed out");
    let back = lease.end(id).unwrap();
    assert_eq!(back.admissions, 0);
    assert!(!lease.holds());
    assert_eq!(
        lease.wanted(start + TERM / 4, 100),
        Some(5),
        "asked again later"
    );
}

#[test]
fn admissions_are_not_handed_out_after_their_term() {
    let mut lease = Lease::default();
    let start = Instant::now();
    let (id, until) = lease.granted(Some(leased(5)), start).unwrap();
    assert!(lease.take(until - Duration::from_millis(1)).is_some());
    assert!(lease.take(until).is_none(), "the term is over");
    assert_eq!(lease.end(id).unwrap().admissions, 4);
    assert!(lease.end(id).is_none(), "given back once");
}

#[test]
fn a_node_that_stops_ends_every_term_at_once() {
    let mut lease = Lease::default();
    let start = Instant::now();
    let (first, _) = lease.granted(Some(leased(3)), start).unwrap();
    lease.granted(Some(leased(6)), start);
    assert!(lease.take(start).is_some());
    let unused: Vec<u32> = lease.end_all().iter().map(|l| l.admissions).collect();
    assert_eq!(unused, [2, 6]);
    assert!(lease.end(first).is_none(), "not given back twice");
    assert!(!lease.holds());
}

#[test]
fn a_lease_is_renewed_before_its_term_ends() {
    let mut lease = Lease::default();
    let start = Instant::now();
    for _ in 0..4 {
        lease.take(start);
    }
    assert_eq!(lease.wanted(start, 100), Some(4));
    lease.granted(Some(leased(4)), start);
    assert_eq!(lease.wanted(start, 100), None, "four left for four a term");
    let late = start + TERM / 2 + Duration::from_millis(1);
    assert_eq!(lease.wanted(late, 100), Some(4), "half the term is gone");
}
