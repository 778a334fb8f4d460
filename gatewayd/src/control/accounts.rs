//! gateway.v1.Accounts.

use std::pin::Pin;
use std::time::Duration;

use gateway_proto::v1 as pb;
use gateway_proto::v1::accounts_server::Accounts;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use super::{convert, Control};
use crate::state::{AccountUpdate, AccountView, NewAccount, OpError};

type Reply<T> = Result<Response<T>, Status>;

fn account(view: AccountView) -> Option<pb::Account> {
    Some(convert::account(view))
}

/// How often a waiting drain reports the in-flight count.
const DRAIN_POLL: Duration = Duration::from_millis(100);

#[tonic::async_trait]
impl Accounts for Control {
    async fn add_account(
        &self,
        request: Request<pb::AddAccountRequest>,
    ) -> Reply<pb::AddAccountResponse> {
        let r = request.into_inner();
        let new = NewAccount {
            name: r.name,
            provider: r.r#type,
            auth: r.auth,
            credential: r.credential,
            base_url: r.base_url,
            weight: r.weight,
            priority: r.priority,
            models: r.models,
            max_concurrency: r.max_concurrency,
            proxy: Some(r.proxy).filter(|p| !p.is_empty()),
            project: Some(r.project).filter(|p| !p.is_empty()),
            serves: r.serves,
            pause_at: r.pause_at,
        };
        let new =
            crate::codeassist::onboard_account(&self.gateway, &self.probe_client, new).await?;
        let record = self.gateway.add_account(new)?;
        let view = self.gateway.get_account(&record.id)?;
        Ok(Response::new(pb::AddAccountResponse {
            account: account(view),
        }))
    }

    async fn list_accounts(
        &self,
        _request: Request<pb::ListAccountsRequest>,
    ) -> Reply<pb::ListAccountsResponse> {
        // Failures the data plane reported are persisted first, so statuses are current
        // (the event writer's queue, never the usage queue).
        self.recorder.events_written().await;
        let accounts = self.gateway.list_accounts()?;
        Ok(Response::new(pb::ListAccountsResponse {
            accounts: accounts.into_iter().map(convert::account).collect(),
        }))
    }

    async fn get_account(
        &self,
        request: Request<pb::GetAccountRequest>,
    ) -> Reply<pb::GetAccountResponse> {
        self.recorder.events_written().await;
        let view = self.gateway.get_account(&request.into_inner().id)?;
        Ok(Response::new(pb::GetAccountResponse {
            account: account(view),
        }))
    }

    async fn update_account(
        &self,
        request: Request<pb::UpdateAccountRequest>,
    ) -> Reply<pb::UpdateAccountResponse> {
        let r = request.into_inner();
        let change = AccountUpdate {
            name: r.name,
            credential: r.credential,
            base_url: r.base_url,
            weight: r.weight,
            priority: r.priority,
            models: r.models.map(|l| l.values),
            max_concurrency: r.max_concurrency,
            proxy: r.proxy.map(|p| Some(p).filter(|p| !p.is_empty())),
            serves: r.serves,
            pause_at: r.pause_at,
        };
        let view = self.gateway.update_account(&r.id, change)?;
        Ok(Response::new(pb::UpdateAccountResponse {
            account: account(view),
        }))
    }

    async fn remove_account(
        &self,
        request: Request<pb::RemoveAccountRequest>,
    ) -> Reply<pb::RemoveAccountResponse> {
        let id = request.into_inner().id;
        let view = self.gateway.get_account(&id)?;
        self.gateway.remove_account(&id)?;
        Ok(Response::new(pb::RemoveAccountResponse {
            account: account(view),
        }))
    }

    async fn set_account_enabled(
        &self,
        request: Request<pb::SetAccountEnabledRequest>,
    ) -> Reply<pb::SetAccountEnabledResponse> {
        let r = request.into_inner();
        // Persist queued failure reports first, so they cannot land after the enable.
        self.recorder.events_written().await;
        let view = self.gateway.set_account_enabled(&r.id, r.enabled)?;
        Ok(Response::new(pb::SetAccountEnabledResponse {
            account: account(view),
        }))
    }

    type DrainAccountStream = Pin<Box<dyn Stream<Item = Result<pb::DrainProgress, Status>> + Send>>;

    async fn drain_account(
        &self,
        request: Request<pb::DrainAccountRequest>,
    ) -> Reply<Self::DrainAccountStream> {
        let r = request.into_inner();
        let view = self.gateway.set_account_draining(&r.id, true)?;
        let id = view.record.id.clone();
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        if !r.wait {
            let _ = tx.try_send(Ok(pb::DrainProgress {
                in_flight: view.in_flight,
                id,
            }));
            return Ok(Response::new(Box::pin(ReceiverStream::new(rx))));
        }
        let gateway = self.gateway.clone();
        let me = self.running.cluster.node();
        // Ends when nothing is in flight (on any node of a cluster) or the caller hangs up.
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut last = None;
            loop {
                let local = gateway.account_in_flight(&id);
                let others = others_in_flight(&gateway, &me, &id, started).await;
                let remote = u32::try_from(others.unwrap_or(0)).unwrap_or(u32::MAX);
                let in_flight = local.saturating_add(remote);
                let progress = pb::DrainProgress {
                    in_flight,
                    id: id.clone(),
                };
                if last != Some(in_flight) && tx.send(Ok(progress)).await.is_err() {
                    return;
                }
                if in_flight == 0 && others.is_some() {
                    return;
                }
                last = Some(in_flight);
                tokio::time::sleep(DRAIN_POLL).await;
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn undrain_account(
        &self,
        request: Request<pb::UndrainAccountRequest>,
    ) -> Reply<pb::UndrainAccountResponse> {
        let view = self
            .gateway
            .set_account_draining(&request.into_inner().id, false)?;
        Ok(Response::new(pb::UndrainAccountResponse {
            account: account(view),
        }))
    }

    async fn refresh_account(
        &self,
        request: Request<pb::RefreshAccountRequest>,
    ) -> Reply<pb::RefreshAccountResponse> {
        let id = request.into_inner().id;
        crate::oauth::refresh_account(&self.gateway, &self.probe_client, &self.recorder, &id)
            .await?;
        Ok(Response::new(pb::RefreshAccountResponse {
            account: account(self.gateway.get_account(&id)?),
        }))
    }

    async fn get_account_usage(
        &self,
        request: Request<pb::GetAccountUsageRequest>,
    ) -> Reply<pb::GetAccountUsageResponse> {
        let id = request.into_inner().id;
        let view = self.gateway.get_account(&id)?;
        let live = self.gateway.live_account(&id)?;
        let (buckets, buckets_error) = match live.project.as_deref() {
            Some(project) if live.code_assist() => {
                let client = live.client.as_ref().unwrap_or(&self.probe_client);
                match crate::oauth::bearer(&self.gateway, client, &live).await {
                    Ok(bearer) => {
                        match crate::codeassist::quota(client, &live.base_url, bearer, project)
                            .await
                        {
                            Ok(buckets) => (buckets, String::new()),
                            Err(e) => (Vec::new(), e.to_string()),
                        }
                    }
                    Err(e) => (Vec::new(), e.to_string()),
                }
            }
            _ => (Vec::new(), String::new()),
        };
        Ok(Response::new(pb::GetAccountUsageResponse {
            account: account(view),
            buckets: buckets
                .into_iter()
                .map(|b| pb::QuotaBucket {
                    model_id: b.model_id,
                    token_type: b.token_type,
                    remaining_fraction: b.remaining_fraction,
                    remaining_amount: b.remaining_amount.unwrap_or_default(),
                    reset_time: b.reset_time.unwrap_or_default(),
                })
                .collect(),
            buckets_error,
        }))
    }

    async fn start_login(
        &self,
        request: Request<pb::StartLoginRequest>,
    ) -> Reply<pb::StartLoginResponse> {
        let kind = request.into_inner().r#type;
        let provider = kind.parse().map_err(|_| {
            OpError::invalid(format!(
                "login for {kind:?} is not supported; use claude-code or gemini-cli"
            ))
        })?;
        let (session, authorize_url) = self.logins.start(self.gateway.oauth_config(), provider);
        Ok(Response::new(pb::StartLoginResponse {
            session,
            authorize_url,
        }))
    }

    async fn finish_login(
        &self,
        request: Request<pb::FinishLoginRequest>,
    ) -> Reply<pb::FinishLoginResponse> {
        let r = request.into_inner();
        let (provider, tokens) = self
            .logins
            .finish(
                self.gateway.oauth_config(),
                &self.probe_client,
                &r.session,
                &r.code,
                self.gateway.clock(),
            )
            .await
            .map_err(|e| OpError::precondition(e.to_string()))?;
        let credential =
            serde_json::to_vec(&tokens).map_err(|e| OpError::internal(e.to_string()))?;
        let new = NewAccount {
            name: r.name,
            provider: provider.as_str().to_owned(),
            auth: "oauth".to_owned(),
            credential,
            base_url: r.base_url,
            priority: r.priority,
            project: Some(r.project).filter(|p| !p.is_empty()),
            ..NewAccount::default()
        };
        let new =
            crate::codeassist::onboard_account(&self.gateway, &self.probe_client, new).await?;
        let record = self.gateway.add_account(new)?;
        Ok(Response::new(pb::FinishLoginResponse {
            account: account(self.gateway.get_account(&record.id)?),
        }))
    }

    async fn explain_route(
        &self,
        request: Request<pb::ExplainRouteRequest>,
    ) -> Reply<pb::ExplainRouteResponse> {
        Ok(Response::new(self.explain_route(request.into_inner())?))
    }

    async fn test_account(
        &self,
        request: Request<pb::TestAccountRequest>,
    ) -> Reply<pb::TestAccountResponse> {
        let id = request.into_inner().id;
        let live = self.gateway.live_account(&id)?;
        let beta = self.gateway.oauth_beta(&live);
        let result =
            crate::probe::probe(&self.probe_client, &live, beta, Duration::from_secs(30)).await;
        Ok(Response::new(pb::TestAccountResponse {
            ok: result.ok,
            status: u32::from(result.status),
            latency_ms: result.latency.as_millis() as u64,
            message: result.message,
        }))
    }
}

/// Cluster mode: `account`'s requests in flight on the other nodes, once every live node
/// has beaten since the drain began (a beat's interval after it, so each had applied the
/// drain); `None` until then. Always `Some(0)` on a single node.
async fn others_in_flight(
    gateway: &crate::state::Gateway,
    me: &str,
    account: &str,
    started: std::time::Instant,
) -> Option<u64> {
    let Some(cluster) = gateway.cluster().cloned() else {
        return Some(0);
    };
    let elapsed = started.elapsed().as_millis() as u64;
    let settled = elapsed.checked_sub(crate::heartbeat::EVERY.as_millis() as u64)?;
    let (me, account) = (me.to_owned(), account.to_owned());
    tokio::task::spawn_blocking(move || {
        crate::heartbeat::others_in_flight(&cluster, &me, &account, settled)
    })
    .await
    .ok()
    .flatten()
}
