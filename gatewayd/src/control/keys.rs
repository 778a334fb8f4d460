//! gateway.v1.Keys.

use gateway_proto::v1 as pb;
use gateway_proto::v1::keys_server::Keys;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::model::RateLimit;
use crate::state::NewKey;

#[tonic::async_trait]
impl Keys for Control {
    async fn create_key(
        &self,
        request: Request<pb::CreateKeyRequest>,
    ) -> Result<Response<pb::CreateKeyResponse>, Status> {
        let r = request.into_inner();
        let (key, secret) = self.gateway.create_key(NewKey {
            name: r.name,
            permissions: r.permissions,
            providers: r.providers,
            expires_at: r.expires_at,
            rate_limit: RateLimit {
                requests_per_minute: r.requests_per_minute,
                requests_per_hour: r.requests_per_hour,
            },
        })?;
        Ok(Response::new(pb::CreateKeyResponse {
            key: Some(convert::key(key)),
            secret,
        }))
    }

    async fn list_keys(
        &self,
        request: Request<pb::ListKeysRequest>,
    ) -> Result<Response<pb::ListKeysResponse>, Status> {
        // Flush first so `last_used` is current.
        self.recorder.flush().await;
        let keys = self.gateway.list_keys(request.into_inner().all)?;
        Ok(Response::new(pb::ListKeysResponse {
            keys: keys.into_iter().map(convert::key).collect(),
        }))
    }

    async fn revoke_key(
        &self,
        request: Request<pb::RevokeKeyRequest>,
    ) -> Result<Response<pb::RevokeKeyResponse>, Status> {
        let key = self.gateway.revoke_key(&request.into_inner().id)?;
        Ok(Response::new(pb::RevokeKeyResponse {
            key: Some(convert::key(key)),
        }))
    }
}
