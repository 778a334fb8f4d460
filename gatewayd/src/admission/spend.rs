//! Spend budgets: what a key may cost in US dollars per calendar day, week (from
//! Monday) and month, in UTC, and in total. The cost is the one the price table gives
//! each answer. Like the token budgets, an admitted answer reserves the key's usual cost
//! until its real cost settles, so parallel requests see each other; a key whose cost is
//! unknown measures one answer at a time. Each period alerts once when its spend crosses
//! the alert fraction.

use serde::{Deserialize, Serialize};
use time::{Date, Duration as Days, Month, OffsetDateTime};

use super::Refusal;
use crate::model::{Failure, SpendBudgets};

/// A budget's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Total,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::Total];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Total => "total",
        }
    }

    /// The field the cluster's Redis counts this period's spend under, for the period
    /// that began at `start_ms`.
    pub fn field(self, start_ms: u64) -> String {
        let letter = match self {
            Period::Day => 'd',
            Period::Week => 'w',
            Period::Month => 'm',
            Period::Total => 't',
        };
        format!("{letter}:{start_ms}")
    }

    /// The budget of this period, micro-dollars (0 = none).
    pub fn limit(self, b: &SpendBudgets) -> u64 {
        match self {
            Period::Day => b.day,
            Period::Week => b.week,
            Period::Month => b.month,
            Period::Total => b.total,
        }
    }

    /// When the period holding `now_ms` began and when it ends (Unix ms); the total
    /// began at 0 and never ends.
    pub fn bounds(self, now_ms: u64) -> (u64, Option<u64>) {
        let today = OffsetDateTime::from_unix_timestamp((now_ms / 1000) as i64)
            .map_or(Date::MIN, OffsetDateTime::date);
        let (start, end) = match self {
            Period::Total => return (0, None),
            Period::Day => (today, today.next_day()),
            Period::Week => {
                let monday =
                    today - Days::days(i64::from(today.weekday().number_days_from_monday()));
                (monday, Some(monday + Days::days(7)))
            }
            Period::Month => {
                let first = today.replace_day(1).unwrap_or(today);
                let next = match first.month() {
                    Month::December => {
                        Date::from_calendar_date(first.year() + 1, Month::January, 1)
                    }
                    m => Date::from_calendar_date(first.year(), m.next(), 1),
                };
                (first, next.ok())
            }
        };
        let ms = |d: Date| (d.midnight().assume_utc().unix_timestamp().max(0) as u64) * 1000;
        (ms(start), end.map(ms))
    }
}

/// Spent in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spent {
    /// The period's start, Unix ms: a spend from an earlier period counts as nothing.
    pub since_ms: u64,
    pub micros: u64,
    /// The fraction alert for this period went out.
    #[serde(default)]
    pub alerted: bool,
}

/// A key's spend; saved with its windows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpendWindows {
    pub day: Spent,
    pub week: Spent,
    pub month: Spent,
    pub total: Spent,
    /// What one of the key's answers usually costs, micro-dollars.
    pub estimate: Option<u64>,
}

/// One budget as it stands: micro-dollars, and when its period ends (Unix ms).
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetUse {
    pub period: Period,
    pub limit: u64,
    pub spent: u64,
    pub reserved: u64,
    pub resets_at_ms: Option<u64>,
}

/// A period whose spend just crossed the alert fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossed {
    pub period: Period,
    pub micros: u64,
    pub limit: u64,
}

impl SpendWindows {
    fn slot(&mut self, period: Period) -> &mut Spent {
        match period {
            Period::Day => &mut self.day,
            Period::Week => &mut self.week,
            Period::Month => &mut self.month,
            Period::Total => &mut self.total,
        }
    }

    /// Raises what `period` (begun at `since_ms`) counts to at least `micros`: the
    /// ledger's sum, which a restart after a kill has even when the last save of these
    /// windows came before some answers.
    pub fn at_least(&mut self, period: Period, since_ms: u64, micros: u64) {
        let slot = self.slot(period);
        if slot.since_ms != since_ms {
            *slot = Spent {
                since_ms,
                micros: 0,
                alerted: false,
            };
        }
        slot.micros = slot.micros.max(micros);
    }

    /// Spent in `period` as of `now_ms` (0 once a new period began).
    pub fn spent(&self, period: Period, now_ms: u64) -> u64 {
        let slot = match period {
            Period::Day => &self.day,
            Period::Week => &self.week,
            Period::Month => &self.month,
            Period::Total => &self.total,
        };
        match slot.since_ms == period.bounds(now_ms).0 {
            true => slot.micros,
            false => 0,
        }
    }

    /// Refuses when a budget has no room for `reserved` more (answers in flight) plus one
    /// more answer; `measuring` when an unmeasured answer is already out.
    pub fn check(
        &self,
        b: &SpendBudgets,
        reserved: u64,
        measuring: bool,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        for period in Period::ALL {
            let limit = period.limit(b);
            if limit == 0 {
                continue;
            }
            let spent = self.spent(period, now_ms) + reserved;
            if spent < limit && !measuring {
                continue;
            }
            let (_, end) = period.bounds(now_ms);
            let wait = match end {
                _ if measuring && spent < limit => 1_000,
                Some(end) => end.saturating_sub(now_ms),
                None => 0,
            };
            return Err(refusal(period, limit, wait, end));
        }
        Ok(())
    }

    /// Counts `micros` spent at `now_ms` and folds them into the estimate; the periods
    /// whose spend crossed `alert_at` (a fraction of their budget) with it.
    pub fn spend(
        &mut self,
        b: &SpendBudgets,
        micros: u64,
        now_ms: u64,
        alert_at: f64,
    ) -> Vec<Crossed> {
        self.estimate = Some(match self.estimate {
            Some(e) if micros < e => e - (e - micros) / 8,
            _ => micros,
        });
        let mut crossed = Vec::new();
        for period in Period::ALL {
            let since = period.bounds(now_ms).0;
            let slot = self.slot(period);
            if slot.since_ms != since {
                *slot = Spent {
                    since_ms: since,
                    micros: 0,
                    alerted: false,
                };
            }
            slot.micros += micros;
            let limit = period.limit(b);
            let over = limit > 0 && alert_at > 0.0 && slot.micros as f64 >= alert_at * limit as f64;
            if over && !slot.alerted {
                slot.alerted = true;
                crossed.push(Crossed {
                    period,
                    micros: slot.micros,
                    limit,
                });
            }
        }
        crossed
    }
}

/// A budget with no room: 429 until the period ends (a total budget never resets).
pub(super) fn refusal(period: Period, limit: u64, wait_ms: u64, end: Option<u64>) -> Refusal {
    let dollars = usd(limit);
    let message = match end {
        Some(end) => format!(
            "this key's budget of {dollars} per {} is used up; it resets at {}",
            period.as_str(),
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(end)
            )
        ),
        None => {
            format!("this key's total budget of {dollars} is used up; ask the operator to raise it")
        }
    };
    match end {
        Some(_) => Refusal::limited(Failure::SpendBudget, message, wait_ms, limit),
        None => Refusal {
            retry_after_secs: None,
            reset_secs: None,
            ..Refusal::limited(Failure::SpendBudget, message, 0, limit)
        },
    }
}

/// Micro-dollars as `$1.23`.
pub fn usd(micros: u64) -> String {
    format!("${:.2}", micros as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400_000;
    /// 2026-12-03 (a Thursday) 12:00 UTC.
    const NOON: u64 = 1_796_299_200_000;

    #[test]
    fn periods_are_calendar_days_weeks_from_monday_and_months_in_utc() {
        let (day, day_end) = Period::Day.bounds(NOON);
        assert_eq!((day, day_end), (NOON - DAY / 2, Some(NOON + DAY / 2)));
        let (week, week_end) = Period::Week.bounds(NOON);
        assert_eq!(week, day - 3 * DAY, "Monday 2026-11-30");
        assert_eq!(week_end, Some(week + 7 * DAY));
        let (month, month_end) = Period::Month.bounds(NOON);
        assert_eq!(month, day - 2 * DAY, "2026-12-01");
        assert_eq!(month_end, Some(month + 31 * DAY), "2027-01-01");
        assert_eq!(Period::Total.bounds(NOON), (0, None));
    }

    #[test]
    fn a_budget_refuses_until_its_period_ends_and_alerts_once() {
        let budgets = SpendBudgets {
            day: 5_000_000,
            total: 8_000_000,
            ..Default::default()
        };
        let mut w = SpendWindows::default();
        assert!(w.check(&budgets, 0, false, NOON).is_ok());
        let crossed = w.spend(&budgets, 4_000_000, NOON, 0.8);
        assert_eq!(
            crossed,
            vec![Crossed {
                period: Period::Day,
                micros: 4_000_000,
                limit: 5_000_000
            }]
        );
        assert!(w.check(&budgets, 0, false, NOON).is_ok());
        assert!(
            w.check(&budgets, 1_000_000, false, NOON).is_err(),
            "reservations count"
        );
        assert!(
            w.spend(&budgets, 1_000_000, NOON, 0.8).is_empty(),
            "once a period"
        );
        let refused = w.check(&budgets, 0, false, NOON).unwrap_err();
        assert_eq!(refused.kind, Failure::SpendBudget);
        assert_eq!(refused.retry_after_secs, Some(DAY / 2 / 1000));
        assert!(
            refused.message.contains("$5.00 per day"),
            "{}",
            refused.message
        );
        // The next day the day budget has room; the total does not, and never resets.
        let tomorrow = NOON + DAY;
        assert!(w.check(&budgets, 0, false, tomorrow).is_ok());
        w.spend(&budgets, 3_000_000, tomorrow, 0.8);
        let refused = w.check(&budgets, 0, false, tomorrow).unwrap_err();
        assert_eq!(refused.retry_after_secs, None);
        assert!(
            refused.message.contains("total budget of $8.00"),
            "{}",
            refused.message
        );
    }
}
