//! Passive health: what one attempt's outcome does to its account. A rate limit or an
//! overload cools it down; a refused credential takes it out; server errors and
//! unreachable upstreams count toward its circuit breaker, and any answer resets them.
//! Each transition is applied in memory at once and reported once to the recorder.

use std::sync::Arc;

use super::upstream::Effect;
use crate::config::HealthConfig;
use crate::model::{AccountEvent, AccountState, CoolReason};
use crate::recorder::Recorder;
use crate::state::{model_family, Account, CircuitPolicy};

/// How an attempt ended, for the account's health.
pub enum Outcome {
    /// The upstream answered (a success, or the client's own error).
    Answered,
    /// It failed; the effect says how.
    Failed(Effect),
}

/// What judging an attempt needs: where transitions go, the breaker's settings and
/// the time of the verdict.
pub struct Judge<'a> {
    pub recorder: &'a Recorder,
    pub health: &'a HealthConfig,
    /// Unix milliseconds.
    pub now: u64,
}

impl Judge<'_> {
    /// Applies `outcome` to `account`.
    pub fn apply(&self, account: &Account, outcome: Outcome, model: Option<&str>) {
        apply(self, account, outcome, model);
    }
}

fn apply(judge: &Judge<'_>, account: &Account, outcome: Outcome, model: Option<&str>) {
    let Judge {
        recorder,
        health,
        now,
    } = *judge;
    let event = match outcome {
        Outcome::Answered => account.runtime.succeeded().then(|| {
            AccountEvent::new(
                now,
                AccountState::Active,
                "circuit closed: the trial request succeeded",
                None,
            )
        }),
        Outcome::Failed(effect) => {
            let counts = match &effect {
                Effect::None => true,
                Effect::CoolUntil(_, why) => why.is_failure(),
                _ => false,
            };
            let event = effect_event(recorder, account, effect, model, now);
            let opened = counts
                .then(|| account.runtime.failed_once(policy(health), now))
                .flatten();
            match opened {
                Some(until) => Some(AccountEvent::new(
                    now,
                    AccountState::CircuitOpen,
                    format!("circuit open after {} failures", health.circuit_failures),
                    Some(until),
                )),
                None => {
                    if !counts {
                        account.runtime.settled();
                    }
                    event
                }
            }
        }
    };
    if let Some(event) = event {
        recorder.account_event(Arc::from(account.id.as_str()), event);
    }
}

/// Failures that may be the request's own doing (a server error, a connection cut after
/// the request went out), held until the request is over: if another account served it,
/// they were the accounts' faults and count as such; if none did, the request is the
/// likelier cause, and one poisonous request must not bench the pool.
#[derive(Default)]
pub struct Undecided(Vec<(Arc<Account>, Effect)>);

impl Undecided {
    pub fn hold(&mut self, account: &Arc<Account>, effect: Effect) {
        self.0.push((Arc::clone(account), effect));
    }

    /// Settles the held failures once the request is over; `served` when an account
    /// answered it successfully.
    pub fn judge(self, served: bool, judge: &Judge<'_>, model: Option<&str>) {
        if self.0.is_empty() {
            return;
        }
        if served {
            for (account, effect) in self.0 {
                judge.apply(&account, Outcome::Failed(effect), model);
            }
            return;
        }
        for (account, _) in &self.0 {
            // A half-open circuit's trial ends without a verdict.
            account.runtime.settled();
        }
        tracing::info!(
            accounts = self.0.len(),
            "the request failed on every account tried; not held against them"
        );
    }
}

fn policy(health: &HealthConfig) -> CircuitPolicy {
    CircuitPolicy {
        failures: health.circuit_failures,
        cooldown_ms: health.circuit_cooldown.as_millis() as u64,
        max_cooldown_ms: health.circuit_max_cooldown.as_millis() as u64,
    }
}

/// The transition a failure's own effect causes, if any.
fn effect_event(
    recorder: &Recorder,
    account: &Account,
    effect: Effect,
    model: Option<&str>,
    now: u64,
) -> Option<AccountEvent> {
    let cool = |until, why: CoolReason| {
        account
            .runtime
            .cool_until(until, now, why)
            .then(|| AccountEvent::new(now, AccountState::CoolingDown, why.as_str(), Some(until)))
    };
    match effect {
        Effect::None => None,
        Effect::CoolUntil(until, why) => cool(until, why),
        Effect::BenchModel(until, why) => match model {
            Some(model) => account.runtime.bench_model(model, until, now).then(|| {
                let family = model_family(model);
                AccountEvent::new(
                    now,
                    AccountState::RateLimited,
                    format!("{family}: {why}"),
                    Some(until),
                )
            }),
            None => cool(until, why),
        },
        Effect::Fail(reason) => {
            if account.runtime.fail() {
                tracing::warn!(account = %account.id, %reason, "account taken out of rotation");
                recorder.account_failed(Arc::from(account.id.as_str()), reason);
            }
            None
        }
    }
}
