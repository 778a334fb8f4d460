//! What operators send to create or change a key, and the checks it must pass.

use gateway_shared::provider::Provider;

use super::OpError;
use crate::model::{Permission, RateLimit, UnixSecs};

/// A new key.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub name: String,
    /// Empty = read and write.
    pub permissions: Vec<String>,
    /// Empty = every provider.
    pub providers: Vec<String>,
    /// Empty = every model.
    pub models: Vec<String>,
    pub expires_at: Option<UnixSecs>,
    pub rate_limit: RateLimit,
    pub note: String,
    /// CIDRs the key may be used from; empty = anywhere.
    pub allowed_ips: Vec<String>,
    /// CIDRs the key is refused from.
    pub denied_ips: Vec<String>,
}

/// Changes to a key; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct KeyUpdate {
    pub name: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub providers: Option<Vec<String>>,
    pub models: Option<Vec<String>>,
    /// `Some(None)` removes the expiry.
    pub expires_at: Option<Option<UnixSecs>>,
    pub limits: LimitsPatch,
    pub allowed_ips: Option<Vec<String>>,
    pub denied_ips: Option<Vec<String>>,
    pub note: Option<String>,
}

/// Limits to set; `None` leaves a limit as it is (or, for a new key, 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitsPatch {
    pub requests_per_minute: Option<u32>,
    pub requests_per_hour: Option<u32>,
    pub tokens_per_minute: Option<u64>,
    pub tokens_per_day: Option<u64>,
    pub requests_per_second: Option<u32>,
    pub burst: Option<u32>,
    pub max_concurrent: Option<u32>,
    /// Spend budgets in micro-dollars per day, week, month and in total.
    pub budget_usd: [Option<u64>; 4],
}

impl LimitsPatch {
    /// Sets what the patch sets.
    pub fn apply(&self, limits: &mut RateLimit) {
        let set = |to: &mut u32, value: Option<u32>| *to = value.unwrap_or(*to);
        set(&mut limits.requests_per_minute, self.requests_per_minute);
        set(&mut limits.requests_per_hour, self.requests_per_hour);
        set(&mut limits.requests_per_second, self.requests_per_second);
        set(&mut limits.burst, self.burst);
        set(&mut limits.max_concurrent, self.max_concurrent);
        limits.tokens_per_minute = self.tokens_per_minute.unwrap_or(limits.tokens_per_minute);
        limits.tokens_per_day = self.tokens_per_day.unwrap_or(limits.tokens_per_day);
        let b = &mut limits.budget_usd;
        for (to, value) in [&mut b.day, &mut b.week, &mut b.month, &mut b.total]
            .into_iter()
            .zip(self.budget_usd)
        {
            *to = value.unwrap_or(*to);
        }
    }

    /// A new key's limits: what is set, 0 elsewhere.
    pub fn to_limits(self) -> RateLimit {
        let mut limits = RateLimit::default();
        self.apply(&mut limits);
        limits
    }

    /// Every limit of `limits`, set.
    pub fn of(limits: &RateLimit) -> Self {
        Self {
            requests_per_minute: Some(limits.requests_per_minute),
            requests_per_hour: Some(limits.requests_per_hour),
            tokens_per_minute: Some(limits.tokens_per_minute),
            tokens_per_day: Some(limits.tokens_per_day),
            requests_per_second: Some(limits.requests_per_second),
            burst: Some(limits.burst),
            max_concurrent: Some(limits.max_concurrent),
            budget_usd: {
                let b = &limits.budget_usd;
                [b.day, b.week, b.month, b.total].map(Some)
            },
        }
    }
}

pub(super) fn name(name: &str) -> Result<String, OpError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(OpError::invalid("a key needs a name"));
    }
    text("a key name", name, MAX_NAME)
}

/// The longest name of a key or an account, in characters.
pub(super) const MAX_NAME: usize = 64;
/// The longest note or model pattern.
const MAX_TEXT: usize = 1_024;

/// `value` when it is at most `max` characters with no control characters (which would
/// reach operators' terminals and logs as they are).
pub(super) fn text(what: &str, value: &str, max: usize) -> Result<String, OpError> {
    if value.chars().count() > max {
        return Err(OpError::invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(OpError::invalid(format!(
            "{what} contains control characters"
        )));
    }
    Ok(value.to_owned())
}

/// A note as stored: trimmed and checked.
pub(super) fn note(note: &str) -> Result<String, OpError> {
    text("the note", note.trim(), MAX_TEXT)
}

/// Refuses limits that cannot mean what was asked: a burst with no rate to refill it.
pub(super) fn limits(limits: RateLimit) -> Result<RateLimit, OpError> {
    if limits.burst > 0 && limits.requests_per_second == 0 {
        return Err(OpError::invalid(
            "a burst needs a requests-per-second rate to refill it (--rps with --burst)",
        ));
    }
    Ok(limits)
}

pub(super) fn expiry(at: Option<UnixSecs>, now: UnixSecs) -> Result<Option<UnixSecs>, OpError> {
    if at.is_some_and(|at| at <= now) {
        return Err(OpError::invalid("expiry must be in the future"));
    }
    if at.is_some_and(|at| at - now > gateway_shared::duration::MAX_EXPIRY_SECS) {
        return Err(OpError::invalid("expiry must be at most 100 years ahead"));
    }
    Ok(at)
}

pub(super) fn permissions(names: &[String]) -> Result<Vec<Permission>, OpError> {
    if names.is_empty() {
        return Ok(vec![Permission::Read, Permission::Write]);
    }
    let mut out = names
        .iter()
        .map(|n| {
            Permission::parse(n.trim()).ok_or_else(|| {
                OpError::invalid(format!(
                    "unknown permission {n:?}; expected read, write or admin"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

pub(super) fn providers(names: &[String]) -> Result<Vec<String>, OpError> {
    let mut out = names
        .iter()
        .map(|n| {
            n.trim()
                .parse::<Provider>()
                .map(|p| p.as_str().to_owned())
                .map_err(|e| OpError::invalid(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

pub(super) fn models(patterns: &[String]) -> Result<Vec<String>, OpError> {
    let mut out: Vec<String> = patterns.iter().map(|p| p.trim().to_owned()).collect();
    if let Some(bad) = out
        .iter()
        .find(|p| p.is_empty() || p.chars().any(char::is_whitespace))
    {
        return Err(OpError::invalid(format!(
            "model pattern {bad:?} is empty or has spaces"
        )));
    }
    for pattern in &out {
        text("a model pattern", pattern, MAX_TEXT)?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Client networks: CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses, normalised.
pub(super) fn networks(list: &[String]) -> Result<Vec<String>, OpError> {
    list.iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            crate::admission::parse_net(n)
                .map(|net| net.to_string())
                .ok_or_else(|| {
                    OpError::invalid(format!("{n:?} is not an IP network (CIDR) or address"))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_what_it_sets() {
        let mut limits = RateLimit {
            requests_per_minute: 10,
            tokens_per_day: 5_000,
            burst: 3,
            ..RateLimit::default()
        };
        let patch = LimitsPatch {
            requests_per_minute: Some(0),
            max_concurrent: Some(2),
            budget_usd: [Some(5_000_000), None, None, Some(1)],
            ..LimitsPatch::default()
        };
        patch.apply(&mut limits);
        assert_eq!(limits.requests_per_minute, 0, "set to unlimited");
        assert_eq!(limits.max_concurrent, 2);
        assert_eq!(
            (limits.budget_usd.day, limits.budget_usd.total),
            (5_000_000, 1)
        );
        assert_eq!((limits.tokens_per_day, limits.burst), (5_000, 3), "kept");
        assert_eq!(LimitsPatch::of(&limits).to_limits(), limits);
        assert_eq!(LimitsPatch::default().to_limits(), RateLimit::default());
    }

    #[test]
    fn networks_are_trimmed_single_addresses_widened_and_bad_ones_refused() {
        let list = vec![" 10.0.0.0/8 ".to_owned(), String::new(), "::1".to_owned()];
        assert_eq!(networks(&list).unwrap(), ["10.0.0.0/8", "::1/128"]);
        assert!(networks(&["10.0.0.0/33".to_owned()]).is_err());
    }
}
