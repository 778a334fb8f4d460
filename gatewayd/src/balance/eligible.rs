//! Which accounts may take a request, and why the others may not: the checks a plan
//! filters by, in one order, so `route explain` names the same reason a request meets.

use std::fmt;

use super::Want;
use crate::model::AccountStatus;
use crate::state::Account;

/// Why an account is left out of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Exclusion {
    /// Its model patterns do not cover the model.
    ModelNotServed,
    /// It serves other clients only (a Claude subscription: Claude Code).
    ClientNotServed,
    Disabled,
    /// In `error` (a refused credential, a ban), until an operator acts.
    Failed,
    Draining,
    /// Cooling down until this Unix ms.
    CoolingDown(u64),
    /// The model's family is rate-limited on it until this Unix ms.
    FamilyBenched(u64),
    /// At its cap of requests in flight.
    Full,
    /// Its binding window is past its pause threshold: no new sessions.
    Paused {
        window: String,
        used: f64,
        at: u8,
    },
}

/// Everything but the pause threshold (which pinned conversations pass).
pub fn check(a: &Account, want: &Want<'_>, now_ms: u64) -> Result<(), Exclusion> {
    if !a.serves(want.model) {
        return Err(Exclusion::ModelNotServed);
    }
    if !a.clients.admit(want.client) {
        return Err(Exclusion::ClientNotServed);
    }
    match a.status {
        AccountStatus::Active => {}
        AccountStatus::Inactive => return Err(Exclusion::Disabled),
        AccountStatus::Error => return Err(Exclusion::Failed),
    }
    if a.draining {
        return Err(Exclusion::Draining);
    }
    if a.runtime.failed() {
        return Err(Exclusion::Failed);
    }
    if let Some(until) = a.runtime.cooling_until(now_ms) {
        return Err(Exclusion::CoolingDown(until));
    }
    if a.max_concurrency != 0 && a.runtime.in_flight() >= a.max_concurrency {
        return Err(Exclusion::Full);
    }
    if let Some(until) = a.runtime.benched_until(want.model, now_ms) {
        return Err(Exclusion::FamilyBenched(until));
    }
    Ok(())
}

/// The pause, when the account has a threshold and its binding window is past it.
pub fn paused(a: &Account) -> Option<Exclusion> {
    let at = a.pause_at?;
    let binding = super::binding(a)?;
    let used = binding.used;
    (used * 100.0 >= f64::from(at)).then_some(Exclusion::Paused {
        window: binding.window,
        used,
        at,
    })
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |ms: u64| {
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms),
            )
        };
        match self {
            Exclusion::ModelNotServed => f.write_str("does not serve the model"),
            Exclusion::ClientNotServed => f.write_str("serves Claude Code traffic only"),
            Exclusion::Disabled => f.write_str("disabled"),
            Exclusion::Failed => f.write_str("in error until an operator acts"),
            Exclusion::Draining => f.write_str("draining"),
            Exclusion::CoolingDown(until) => write!(f, "cooling down until {}", at(*until)),
            Exclusion::FamilyBenched(until) => {
                write!(f, "the model's family is rate-limited until {}", at(*until))
            }
            Exclusion::Full => f.write_str("at its cap of requests in flight"),
            Exclusion::Paused { window, used, at } => write!(
                f,
                "paused for new sessions: {window} {:.0}% used (pause at {at}%)",
                used * 100.0
            ),
        }
    }
}
