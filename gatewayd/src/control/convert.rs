//! Records to their wire shapes. Secrets never appear in these messages.

use gateway_proto::v1 as pb;

use crate::model::{KeyRecord, UsageCounters};
use crate::state::{AccountView, LimitsPatch};

pub fn key(k: KeyRecord) -> pb::Key {
    pb::Key {
        id: k.id,
        name: k.name,
        permissions: k
            .permissions
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        providers: k.providers,
        expires_at: k.expires_at,
        created_at: k.created_at,
        last_used: k.last_used,
        revoked_at: k.revoked_at,
        hint: k.hint,
        limits: Some(limits(LimitsPatch::of(&k.rate_limit))),
        allowed_ips: k.allowed_ips,
        denied_ips: k.denied_ips,
        previous_valid_until: k.previous.as_ref().map(|p| p.valid_until),
        models: k.models,
        note: k.note,
        rotated_at: k.rotated_at,
    }
}

/// Limits to the wire, field by field.
fn limits(p: LimitsPatch) -> pb::Limits {
    pb::Limits {
        requests_per_minute: p.requests_per_minute,
        requests_per_hour: p.requests_per_hour,
        tokens_per_minute: p.tokens_per_minute,
        tokens_per_day: p.tokens_per_day,
        requests_per_second: p.requests_per_second,
        burst: p.burst,
        max_concurrent: p.max_concurrent,
        budget_usd_micros_day: p.budget_usd[0],
        budget_usd_micros_week: p.budget_usd[1],
        budget_usd_micros_month: p.budget_usd[2],
        budget_usd_micros_total: p.budget_usd[3],
    }
}

/// Limits from the wire: what the caller set.
pub fn limits_patch(l: Option<pb::Limits>) -> LimitsPatch {
    let l = l.unwrap_or_default();
    LimitsPatch {
        requests_per_minute: l.requests_per_minute,
        requests_per_hour: l.requests_per_hour,
        tokens_per_minute: l.tokens_per_minute,
        tokens_per_day: l.tokens_per_day,
        requests_per_second: l.requests_per_second,
        burst: l.burst,
        max_concurrent: l.max_concurrent,
        budget_usd: [
            l.budget_usd_micros_day,
            l.budget_usd_micros_week,
            l.budget_usd_micros_month,
            l.budget_usd_micros_total,
        ],
    }
}

pub fn account(view: AccountView) -> pb::Account {
    let r = view.record;
    let serves = r.serves().as_str().to_owned();
    let quota = view.quota.as_deref();
    let windows = quota
        .map(|q| {
            q.windows
                .iter()
                .map(|(name, status, utilization, reset)| pb::QuotaWindow {
                    name: name.clone(),
                    status: status.clone(),
                    utilization: *utilization,
                    reset: reset.map(|s| s as i64),
                })
                .collect()
        })
        .unwrap_or_default();
    pb::Account {
        id: r.id,
        name: r.name,
        r#type: r.provider,
        auth: r.auth,
        status: r.status.as_str().to_owned(),
        status_reason: r.status_reason,
        base_url: r.base_url,
        weight: r.weight,
        priority: r.priority,
        created_at: r.created_at,
        updated_at: r.updated_at,
        last_health_check: r.last_health_check,
        quota: Some(pb::Quota {
            used: r.quota.used,
            reset_time: r.quota.reset_time,
        }),
        cooling_until: view.cooling_until_ms.map(|ms| ms as i64),
        cooling_reason: match view.cooling_until_ms {
            Some(_) => view.cooling_reason.to_owned(),
            None => String::new(),
        },
        benched: view
            .benched
            .into_iter()
            .map(|(family, until)| pb::BenchedFamily {
                family,
                until_ms: until as i64,
            })
            .collect(),
        latency_ms: view.latency_us.map(|us| us as f64 / 1000.0),
        circuit_open: view.circuit_open,
        state: view.state.as_str().to_owned(),
        last_check: view.last_check.map(|c| pb::HealthCheck {
            at_ms: c.at_ms as i64,
            ok: c.ok,
            latency_ms: c.latency_ms,
            message: c.message.clone(),
        }),
        quota_check: view.quota_check.map(|c| pb::QuotaCheck {
            at_ms: c.at_ms as i64,
            finding: c.finding.as_str().to_owned(),
            message: match &c.finding {
                crate::state::QuotaFinding::Unreadable(why) => why.clone(),
                _ => String::new(),
            },
            next_ms: view.next_quota_check_ms.map(|ms| ms as i64),
        }),
        history: view
            .history
            .into_iter()
            .map(|e| pb::AccountEvent {
                at_ms: e.at_ms as i64,
                state: e.state.as_str().to_owned(),
                reason: e.reason,
                until_ms: e.until_ms.map(|u| u as i64),
            })
            .collect(),
        in_flight: view.in_flight,
        serves,
        pause_at: r.pause_at.map_or(0, u32::from),
        models: r.models,
        max_concurrency: r.max_concurrency,
        draining: r.draining,
        proxy: r.proxy.unwrap_or_default(),
        project: r.project.unwrap_or_default(),
        limit_status: quota.map(|q| q.status.clone()).unwrap_or_default(),
        limit_claim: quota
            .map(|q| q.representative_claim.clone())
            .unwrap_or_default(),
        windows,
    }
}

pub fn usage(c: UsageCounters) -> pb::Usage {
    pb::Usage {
        requests: c.requests,
        errors: c.errors,
        input_tokens: c.tokens.input_tokens,
        output_tokens: c.tokens.output_tokens,
        cache_creation_tokens: c.tokens.cache_creation_tokens,
        cache_read_tokens: c.tokens.cache_read_tokens,
        thoughts_tokens: c.tokens.thoughts_tokens,
        cost_usd: c.cost_micros as f64 / 1_000_000.0,
    }
}

/// Spend budgets as they stand, to the wire.
pub fn budgets(uses: Vec<crate::admission::spend::BudgetUse>) -> Vec<pb::BudgetUse> {
    uses.into_iter()
        .map(|u| pb::BudgetUse {
            period: u.period.as_str().to_owned(),
            limit_micros: u.limit,
            spent_micros: u.spent,
            reserved_micros: u.reserved,
            resets_at: u.resets_at_ms.map(|ms| (ms / 1000) as i64),
        })
        .collect()
}
