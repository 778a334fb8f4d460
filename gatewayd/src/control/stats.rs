//! gateway.v1.Stats: all-time totals, or a window, per key, account, model or dialect,
//! with latency and time-to-first-byte percentiles from the rollups' histograms.

use std::collections::HashMap;

use gateway_proto::v1 as pb;
use gateway_proto::v1::stats_server::Stats;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::model::UsageScope;
use crate::state::OpError;

#[tonic::async_trait]
impl Stats for Control {
    async fn get_usage(
        &self,
        request: Request<pb::GetUsageRequest>,
    ) -> Result<Response<pb::GetUsageResponse>, Status> {
        let r = request.into_inner();
        let scope =
            UsageScope::parse(if r.by.is_empty() { "key" } else { &r.by }).ok_or_else(|| {
                OpError::invalid(format!(
                    "cannot group usage by {:?}; use key, account, model or dialect",
                    r.by
                ))
            })?;
        let since = match r.since_seconds {
            0 => None,
            secs => Some((self.gateway.clock().now_millis() / 1000).saturating_sub(secs)),
        };
        let (groups, start) = self.gateway.usage_stats(scope, since).await?;
        let names = self.names(scope)?;
        let mut budgets = match scope {
            UsageScope::Key => self.key_budgets().await?,
            _ => HashMap::new(),
        };
        let mut rows: Vec<pb::UsageRow> = groups
            .into_iter()
            .map(|(id, g)| pb::UsageRow {
                scope: scope.as_str().to_owned(),
                name: names.get(&id).cloned().unwrap_or_default(),
                usage: Some(convert::usage(g.counters)),
                latency_p50_ms: g.latency.quantile(0.50),
                latency_p95_ms: g.latency.quantile(0.95),
                latency_p99_ms: g.latency.quantile(0.99),
                ttfb_p50_ms: g.ttfb.quantile(0.50),
                ttfb_p95_ms: g.ttfb.quantile(0.95),
                ttfb_p99_ms: g.ttfb.quantile(0.99),
                budgets: budgets.remove(&id).unwrap_or_default(),
                id,
            })
            .collect();
        // A stable order: the busiest first, then by name and id.
        rows.sort_by(|a, b| {
            let requests = |r: &pb::UsageRow| r.usage.as_ref().map_or(0, |u| u.requests);
            requests(b)
                .cmp(&requests(a))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(Response::new(pb::GetUsageResponse {
            rows,
            since_ms: start.map(|secs| secs * 1000),
        }))
    }
}

impl Control {
    /// Each key's spend budgets as they stand, for keys that have any.
    async fn key_budgets(&self) -> Result<HashMap<String, Vec<pb::BudgetUse>>, Status> {
        let now = self.gateway.clock().now_millis();
        let mut out = HashMap::new();
        for k in self.gateway.list_keys(true)? {
            if k.rate_limit.budget_usd.is_none() {
                continue;
            }
            let uses = self
                .admission
                .budgets_now(&k.id, &k.rate_limit.budget_usd, now)
                .await;
            out.insert(k.id, convert::budgets(uses));
        }
        Ok(out)
    }

    fn names(&self, scope: UsageScope) -> Result<HashMap<String, String>, Status> {
        Ok(match scope {
            UsageScope::Key => self
                .gateway
                .list_keys(true)?
                .into_iter()
                .map(|k| (k.id, k.name))
                .collect(),
            UsageScope::Account => self
                .gateway
                .list_accounts()?
                .into_iter()
                .map(|v| (v.record.id, v.record.name))
                .collect(),
            UsageScope::Model | UsageScope::Dialect => HashMap::new(),
        })
    }
}
