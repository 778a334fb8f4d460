//! Spend budgets on the command line: `--budget-usd day=5,week=20,month=60,total=500`
//! in, and each budget as it stands out (`$1.20 of $5.00, resets …`).

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::output::time;

/// The periods, in the order the wire and the patch list them.
const PERIODS: [&str; 4] = ["day", "week", "month", "total"];

/// `day=5,total=500` as micro-dollars per period (unset periods stay as they are; 0
/// removes a budget).
pub fn parse(text: &str) -> Result<[Option<u64>; 4], String> {
    let mut out = [None; 4];
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            format!("{part:?} is not PERIOD=DOLLARS (periods: day, week, month, total; e.g. day=5,month=60)")
        };
        let (period, dollars) = part.split_once('=').ok_or_else(bad)?;
        let at = PERIODS
            .iter()
            .position(|p| *p == period.trim())
            .ok_or_else(bad)?;
        let dollars: f64 = dollars
            .trim()
            .trim_start_matches('$')
            .parse()
            .map_err(|_| bad())?;
        if !(0.0..=1e9).contains(&dollars) {
            return Err(bad());
        }
        out[at] = Some((dollars * 1_000_000.0).round() as u64);
    }
    Ok(out)
}

/// The budgets a key's limits set, as `day $5.00, total $500.00`; `none` without.
pub fn limits(l: &pb::Limits) -> String {
    let set: Vec<String> = [
        l.budget_usd_micros_day,
        l.budget_usd_micros_week,
        l.budget_usd_micros_month,
        l.budget_usd_micros_total,
    ]
    .iter()
    .zip(PERIODS)
    .filter_map(|(micros, period)| {
        micros
            .filter(|m| *m > 0)
            .map(|m| format!("{period} {}", usd(m)))
    })
    .collect();
    match set.is_empty() {
        true => "none".to_owned(),
        false => set.join(", "),
    }
}

/// One budget as it stands: `day: $1.20 of $5.00 (24%), resets 2026-12-04 00:00`.
pub fn shown(b: &pb::BudgetUse) -> String {
    let percent = match b.limit_micros {
        0 => 0.0,
        limit => 100.0 * b.spent_micros as f64 / limit as f64,
    };
    let resets = b.resets_at.map_or_else(
        || "never resets".to_owned(),
        |at| format!("resets {}", time(Some(at))),
    );
    let held = match b.reserved_micros {
        0 => String::new(),
        r => format!(", {} held in flight", usd(r)),
    };
    format!(
        "{}: {} of {} ({percent:.0}%){held}, {resets}",
        b.period,
        usd(b.spent_micros),
        usd(b.limit_micros)
    )
}

pub fn json(budgets: &[pb::BudgetUse]) -> Value {
    budgets
        .iter()
        .map(|b| {
            json!({"period": b.period, "limit_usd": b.limit_micros as f64 / 1e6,
                   "spent_usd": b.spent_micros as f64 / 1e6,
                   "reserved_usd": b.reserved_micros as f64 / 1e6, "resets_at": b.resets_at})
        })
        .collect()
}

fn usd(micros: u64) -> String {
    format!("${:.2}", micros as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn budgets_parse_per_period_in_dollars() {
        assert_eq!(
            parse("day=5,total=500.50").unwrap(),
            [Some(5_000_000), None, None, Some(500_500_000)]
        );
        assert_eq!(parse("week=$0").unwrap(), [None, Some(0), None, None]);
        assert!(parse("year=5").is_err());
        assert!(parse("day=-1").is_err());
        assert!(parse("day").is_err());
    }
}
