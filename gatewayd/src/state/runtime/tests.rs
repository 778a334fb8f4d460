//! An account's live health with time given explicitly: cool-downs, the circuit breaker
//! and its half-open trial.

use super::*;

const T0: u64 = 1_000_000;

fn policy() -> CircuitPolicy {
    CircuitPolicy {
        failures: 3,
        cooldown_ms: 1_000,
        max_cooldown_ms: 3_000,
    }
}

#[test]
fn a_cool_down_is_never_shortened_and_keeps_the_reason_of_the_longest() {
    let runtime = AccountRuntime::default();
    assert!(
        runtime.cool_until(T0 + 5_000, T0, CoolReason::RateLimited),
        "started"
    );
    assert!(!runtime.cool_until(T0 + 1_000, T0 + 1, CoolReason::Overloaded));
    assert_eq!(runtime.cooling_until(T0 + 2), Some(T0 + 5_000));
    assert_eq!(runtime.cooling_reason(), Some(CoolReason::RateLimited));
    assert!(!runtime.usable(T0 + 4_999));
    assert!(runtime.usable(T0 + 5_000));
}

#[test]
fn the_circuit_opens_after_its_failures_and_backs_off_doubling_up_to_the_cap() {
    let runtime = AccountRuntime::default();
    assert_eq!(runtime.failed_once(policy(), T0), None);
    assert_eq!(runtime.failed_once(policy(), T0), None);
    assert_eq!(
        runtime.failed_once(policy(), T0),
        Some(T0 + 1_000),
        "third failure"
    );
    assert!(runtime.circuit_open());
    assert_eq!(runtime.cooling_reason(), Some(CoolReason::CircuitOpen));
    // Half-open: one trial at a time; its failure reopens for twice as long, then the cap.
    assert!(runtime.admit(T0 + 1_000));
    assert!(!runtime.admit(T0 + 1_001), "the trial is out");
    assert_eq!(runtime.failed_once(policy(), T0 + 1_100), Some(T0 + 3_100));
    assert!(runtime.admit(T0 + 3_100));
    assert_eq!(
        runtime.failed_once(policy(), T0 + 3_200),
        Some(T0 + 6_200),
        "capped"
    );
    // A trial that succeeds closes it.
    assert!(runtime.admit(T0 + 6_200));
    assert!(runtime.succeeded());
    assert!(!runtime.circuit_open());
    assert!(runtime.admit(T0 + 6_201));
}

#[test]
fn a_trial_that_never_reports_back_expires() {
    let runtime = AccountRuntime::default();
    for _ in 0..3 {
        runtime.failed_once(policy(), T0);
    }
    assert!(runtime.admit(T0 + 1_000));
    assert!(!runtime.admit(T0 + 1_000 + TRIAL_EXPIRES_MS - 1));
    assert!(runtime.admit(T0 + 1_000 + TRIAL_EXPIRES_MS));
}

#[test]
fn only_the_probe_heals_what_a_probe_can_disprove() {
    assert!(CoolReason::Unreachable.healed_by_probe());
    assert!(CoolReason::CircuitOpen.healed_by_probe());
    assert!(!CoolReason::RateLimited.healed_by_probe());
    assert!(!CoolReason::WindowExhausted.healed_by_probe());
}
