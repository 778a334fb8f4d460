//! gateway.v1.Accounts.

use gateway_proto::v1 as pb;
use gateway_proto::v1::accounts_server::Accounts;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::state::NewAccount;

#[tonic::async_trait]
impl Accounts for Control {
    async fn add_account(
        &self,
        request: Request<pb::AddAccountRequest>,
    ) -> Result<Response<pb::AddAccountResponse>, Status> {
        let r = request.into_inner();
        let record = self.gateway.add_account(NewAccount {
            name: r.name,
            provider: r.r#type,
            auth: r.auth,
            credential: r.credential,
            base_url: r.base_url,
            weight: r.weight,
            priority: r.priority,
        })?;
        let view = self
            .gateway
            .list_accounts()?
            .into_iter()
            .find(|v| v.record.id == record.id)
            .ok_or_else(|| Status::internal("the account vanished after it was added"))?;
        Ok(Response::new(pb::AddAccountResponse {
            account: Some(convert::account(view)),
        }))
    }

    async fn list_accounts(
        &self,
        _request: Request<pb::ListAccountsRequest>,
    ) -> Result<Response<pb::ListAccountsResponse>, Status> {
        // Persist failures the data plane reported, so statuses are current.
        self.recorder.flush().await;
        let accounts = self.gateway.list_accounts()?;
        Ok(Response::new(pb::ListAccountsResponse {
            accounts: accounts.into_iter().map(convert::account).collect(),
        }))
    }
}
