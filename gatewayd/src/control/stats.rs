//! gateway.v1.Stats: all-time totals from the rollups, or a window from the request log;
//! latency percentiles from the request log either way.

use std::collections::HashMap;

use gateway_proto::v1 as pb;
use gateway_proto::v1::stats_server::Stats;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::model::{now_millis, UsageScope};

#[tonic::async_trait]
impl Stats for Control {
    async fn get_usage(
        &self,
        request: Request<pb::GetUsageRequest>,
    ) -> Result<Response<pb::GetUsageResponse>, Status> {
        let r = request.into_inner();
        let scope =
            UsageScope::parse(if r.by.is_empty() { "key" } else { &r.by }).ok_or_else(|| {
                Status::invalid_argument(format!(
                    "cannot group usage by {:?}; use key, account or model",
                    r.by
                ))
            })?;
        self.recorder.flush().await;
        let since_ms = match r.since_seconds {
            0 => 0,
            secs => now_millis().saturating_sub(secs.saturating_mul(1000)),
        };
        let window = self.gateway.usage_window(scope, since_ms)?;
        let totals = if r.since_seconds == 0 {
            self.gateway.usage(scope)?
        } else {
            window
                .iter()
                .map(|(id, row)| (id.clone(), row.counters))
                .collect()
        };
        let names = self.names(scope)?;
        let rows = totals
            .into_iter()
            .map(|(id, counters)| {
                let l = window.get(&id).map(|w| w.latencies).unwrap_or_default();
                pb::UsageRow {
                    scope: scope.as_str().to_owned(),
                    name: names.get(&id).cloned().unwrap_or_default(),
                    id,
                    usage: Some(convert::usage(counters)),
                    latency_p50_ms: l.p50,
                    latency_p95_ms: l.p95,
                    latency_p99_ms: l.p99,
                    ttfb_p50_ms: l.ttfb_p50,
                    ttfb_p99_ms: l.ttfb_p99,
                }
            })
            .collect();
        Ok(Response::new(pb::GetUsageResponse { rows }))
    }
}

impl Control {
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
            UsageScope::Model => HashMap::new(),
        })
    }
}
