//! gateway.v1.Keys.

use gateway_proto::v1 as pb;
use gateway_proto::v1::keys_server::Keys;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::state::{KeyUpdate, NewKey};

type Reply<T> = Result<Response<T>, Status>;

fn key(record: crate::model::KeyRecord) -> Option<pb::Key> {
    Some(convert::key(record))
}

#[tonic::async_trait]
impl Keys for Control {
    async fn create_key(
        &self,
        request: Request<pb::CreateKeyRequest>,
    ) -> Reply<pb::CreateKeyResponse> {
        let r = request.into_inner();
        let (record, secret) = self.gateway.create_key(NewKey {
            name: r.name,
            permissions: r.permissions,
            providers: r.providers,
            models: r.models,
            expires_at: r.expires_at,
            rate_limit: convert::limits_patch(r.limits).to_limits(),
            note: r.note,
            allowed_ips: r.allowed_ips,
            denied_ips: r.denied_ips,
        })?;
        Ok(Response::new(pb::CreateKeyResponse {
            key: key(record),
            secret,
        }))
    }

    async fn list_keys(
        &self,
        request: Request<pb::ListKeysRequest>,
    ) -> Reply<pb::ListKeysResponse> {
        // `last_used` is as of the recorder's last write (at most `record.flush_interval`
        // old): the control plane never waits on the data plane's queue.
        let keys = self.gateway.list_keys(request.into_inner().all)?;
        Ok(Response::new(pb::ListKeysResponse {
            keys: keys.into_iter().map(convert::key).collect(),
        }))
    }

    async fn get_key(&self, request: Request<pb::GetKeyRequest>) -> Reply<pb::GetKeyResponse> {
        let record = self.gateway.get_key(&request.into_inner().id)?;
        let client_refusals = self
            .gateway
            .client_refusals(&record.id)
            .await?
            .into_iter()
            .map(|(reason, count)| pb::ReasonCount { reason, count })
            .collect();
        let now = self.gateway.clock().now_millis();
        let budgets = self
            .admission
            .budgets_now(&record.id, &record.rate_limit.budget_usd, now)
            .await;
        Ok(Response::new(pb::GetKeyResponse {
            key: key(record),
            client_refusals,
            budgets: convert::budgets(budgets),
        }))
    }

    async fn update_key(
        &self,
        request: Request<pb::UpdateKeyRequest>,
    ) -> Reply<pb::UpdateKeyResponse> {
        let r = request.into_inner();
        let change = KeyUpdate {
            name: r.name,
            permissions: r.permissions.map(|l| l.values),
            providers: r.providers.map(|l| l.values),
            models: r.models.map(|l| l.values),
            expires_at: if r.clear_expiry {
                Some(None)
            } else {
                r.expires_at.map(Some)
            },
            limits: convert::limits_patch(r.limits),
            allowed_ips: r.allowed_ips.map(|l| l.values),
            denied_ips: r.denied_ips.map(|l| l.values),
            note: r.note,
        };
        let record = self.gateway.update_key(&r.id, change)?;
        if !record.rate_limit.budget_usd.is_none() {
            // The key's spend so far counts against a budget it is given now.
            crate::recorder::periods::seed_budget(&self.gateway, &self.admission, &record.id)
                .await?;
        }
        Ok(Response::new(pb::UpdateKeyResponse { key: key(record) }))
    }

    async fn rotate_key(
        &self,
        request: Request<pb::RotateKeyRequest>,
    ) -> Reply<pb::RotateKeyResponse> {
        let r = request.into_inner();
        let (record, secret) = self.gateway.rotate_key(&r.id, r.grace_seconds)?;
        Ok(Response::new(pb::RotateKeyResponse {
            key: key(record),
            secret,
        }))
    }

    async fn revoke_key(
        &self,
        request: Request<pb::RevokeKeyRequest>,
    ) -> Reply<pb::RevokeKeyResponse> {
        let record = self.gateway.revoke_key(&request.into_inner().id)?;
        Ok(Response::new(pb::RevokeKeyResponse { key: key(record) }))
    }

    async fn delete_key(
        &self,
        request: Request<pb::DeleteKeyRequest>,
    ) -> Reply<pb::DeleteKeyResponse> {
        let record = self.gateway.delete_key(&request.into_inner().id)?;
        Ok(Response::new(pb::DeleteKeyResponse { key: key(record) }))
    }
}
