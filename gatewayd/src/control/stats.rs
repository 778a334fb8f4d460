//! gateway.v1.Stats.

use std::collections::HashMap;

use gateway_proto::v1 as pb;
use gateway_proto::v1::stats_server::Stats;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::model::UsageScope;

#[tonic::async_trait]
impl Stats for Control {
    async fn get_usage(
        &self,
        request: Request<pb::GetUsageRequest>,
    ) -> Result<Response<pb::GetUsageResponse>, Status> {
        let by = request.into_inner().by;
        let scope =
            UsageScope::parse(if by.is_empty() { "key" } else { &by }).ok_or_else(|| {
                Status::invalid_argument(format!(
                    "cannot group usage by {by:?}; use key, account or model"
                ))
            })?;
        self.recorder.flush().await;
        let names = self.names(scope)?;
        let rows = self
            .gateway
            .usage(scope)?
            .into_iter()
            .map(|(id, counters)| pb::UsageRow {
                scope: scope.as_str().to_owned(),
                name: names.get(&id).cloned().unwrap_or_default(),
                id,
                usage: Some(convert::usage(counters)),
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
