//! Each strategy's order on a hand-made group, the way `plan` calls it.

use std::sync::Arc;

use super::fastest::Fastest;
use super::least_connections::LeastConnections;
use super::round_robin::RoundRobin;
use super::weighted::Weighted;
use super::Strategy;
use crate::config::BalanceConfig;
use crate::state::testing::account;
use crate::state::Account;

/// The first choice of `n` orderings of `accounts`.
fn firsts(
    strategy: &dyn Strategy,
    accounts: &[Arc<Account>],
    n: usize,
    cfg: &BalanceConfig,
) -> Vec<String> {
    (0..n)
        .map(|_| {
            let mut group: Vec<&Arc<Account>> = accounts.iter().collect();
            strategy.order(&mut group, 0, cfg, super::Turn::Take);
            group[0].id.clone()
        })
        .collect()
}

#[test]
fn round_robin_starts_one_further_each_time() {
    let accounts = [account("a", 1), account("b", 1), account("c", 1)];
    let order = firsts(
        &RoundRobin::default(),
        &accounts,
        4,
        &BalanceConfig::default(),
    );
    assert_eq!(order, ["a", "b", "c", "a"]);
}

#[test]
fn weighted_round_robin_honours_weights_smoothly() {
    let accounts = [account("heavy", 3), account("light", 1)];
    let order = firsts(
        &Weighted::default(),
        &accounts,
        8,
        &BalanceConfig::default(),
    );
    assert_eq!(order.iter().filter(|id| *id == "heavy").count(), 6);
    assert_ne!(
        order[..4],
        ["heavy", "heavy", "heavy", "heavy"],
        "interleaved, not in runs"
    );
}

#[test]
fn least_connections_prefers_the_idlest() {
    let accounts = [account("busy", 1), account("idle", 1)];
    let _held = (accounts[0].runtime.enter(), accounts[0].runtime.enter());
    let order = firsts(
        &LeastConnections::default(),
        &accounts,
        3,
        &BalanceConfig::default(),
    );
    assert_eq!(order, ["idle", "idle", "idle"]);
}

#[test]
fn fastest_response_prefers_the_quickest_and_explores_the_stalest() {
    let accounts = [account("slow", 1), account("quick", 1)];
    accounts[0].runtime.observe_latency(90_000, 1);
    accounts[1].runtime.observe_latency(10_000, 2);
    let cfg = BalanceConfig {
        explore_every: 4,
        ..BalanceConfig::default()
    };
    // Turn 0 explores (the account measured longest ago), the next three exploit.
    let order = firsts(&Fastest::default(), &accounts, 4, &cfg);
    assert_eq!(order, ["slow", "quick", "quick", "quick"]);
}
