//! gateway.v1.System.

use gateway_proto::v1 as pb;
use gateway_proto::v1::system_server::System;
use tonic::{Request, Response, Status};

use super::Control;
use crate::model::AccountState;
use crate::state::OpError;

#[tonic::async_trait]
impl System for Control {
    type BackupStream = super::backup::ChunkStream;

    async fn backup(
        &self,
        _request: Request<pb::BackupRequest>,
    ) -> Result<Response<Self::BackupStream>, Status> {
        Ok(Response::new(super::backup::stream(self).await?))
    }

    async fn get_status(
        &self,
        _request: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        // Live in-memory state only: status never waits on the recorder's queue.
        let snapshot = self.gateway.snapshot();
        let now_ms = self.gateway.clock().now_millis();
        let count = |f: &dyn Fn(&crate::state::Account) -> bool| {
            snapshot.accounts.iter().filter(|a| f(a)).count() as u32
        };
        let in_state = |state| count(&|a| a.state(now_ms) == state);
        let settings = self.live.load();
        let balance = &settings.balance;
        let in_flight: u64 = snapshot
            .accounts
            .iter()
            .map(|a| u64::from(a.runtime.in_flight()))
            .sum();
        Ok(Response::new(pb::GetStatusResponse {
            version: gateway_shared::VERSION.to_owned(),
            uptime_seconds: self.gateway.started().elapsed().as_secs(),
            listen_address: self.listen_address.clone(),
            keys: snapshot.live_keys((now_ms / 1000) as crate::model::UnixSecs) as u32,
            accounts: snapshot.accounts.len() as u32,
            accounts_usable: count(&|a| a.usable(now_ms)),
            accounts_cooling: in_state(AccountState::CoolingDown),
            accounts_error: in_state(AccountState::Error),
            accounts_draining: in_state(AccountState::Draining),
            accounts_disabled: in_state(AccountState::Disabled),
            accounts_circuit_open: in_state(AccountState::CircuitOpen),
            claude_code_strategy: strategy(balance.claude_code, balance.strategy),
            gemini_cli_strategy: strategy(balance.gemini_cli, balance.strategy),
            sticky_sessions: balance.sticky_sessions,
            data_dir: self.data_dir.display().to_string(),
            in_flight,
            records_dropped: self.recorder.dropped(),
            records_pending: self.recorder.pending(),
            cluster: self.cluster_status(),
        }))
    }

    async fn list_prices(
        &self,
        _request: Request<pb::ListPricesRequest>,
    ) -> Result<Response<pb::ListPricesResponse>, Status> {
        let settings = self.live.load();
        let configured = settings.price_rows.len();
        let rows = settings
            .prices
            .rows()
            .iter()
            .enumerate()
            .map(|(i, p)| pb::PriceRow {
                model: p.model.clone(),
                input: p.input,
                output: p.output,
                cache_write: p.cache_write,
                cache_read: p.cache_read,
                source: if i < configured { "config" } else { "shipped" }.to_owned(),
            })
            .collect();
        Ok(Response::new(pb::ListPricesResponse {
            rows,
            shipped_as_of: crate::prices::SHIPPED_AS_OF.to_owned(),
        }))
    }

    async fn send_test_alert(
        &self,
        _request: Request<pb::SendTestAlertRequest>,
    ) -> Result<Response<pb::SendTestAlertResponse>, Status> {
        let settings = self.live.load();
        let cfg = &settings.alerts;
        let alert = crate::alerts::Alert::new(
            self.gateway.clock().now_millis(),
            "test",
            None,
            "a test alert sent with gatewayctl alerts test",
        );
        let mut deliveries = Vec::new();
        for url in &cfg.webhooks {
            let result =
                crate::alerts::deliver(&self.probe_client, url, &alert, cfg.attempts).await;
            deliveries.push(pb::AlertDelivery {
                webhook: crate::alerts::redact_url(url),
                ok: result.is_ok(),
                error: result.err().unwrap_or_default(),
            });
        }
        Ok(Response::new(pb::SendTestAlertResponse { deliveries }))
    }

    async fn reload_config(
        &self,
        _request: Request<pb::ReloadConfigRequest>,
    ) -> Result<Response<pb::ReloadConfigResponse>, Status> {
        let loader = self.loader.as_ref().ok_or_else(|| {
            OpError::precondition(
                "gatewayd was started without --config; there is no file to reload",
            )
        })?;
        let report =
            crate::config::reload(loader, &self.running, &self.live).map_err(OpError::from)?;
        tracing::info!(applied = ?report.applied, needs_restart = ?report.needs_restart, "configuration reloaded");
        if report.changed {
            self.gateway.audit_reload(&report.changes)?;
        }
        let changes = report
            .changes
            .into_iter()
            .map(|c| pb::SettingChange {
                setting: c.setting,
                old: c.old,
                new: c.new,
                needs_restart: c.needs_restart,
            })
            .collect();
        Ok(Response::new(pb::ReloadConfigResponse {
            applied: report.applied,
            needs_restart: report.needs_restart,
            changes,
        }))
    }
}

/// A pool's strategy as the config spells it.
fn strategy(
    own: Option<crate::config::StrategyName>,
    default: crate::config::StrategyName,
) -> String {
    own.unwrap_or(default).as_str().to_owned()
}

impl Control {
    /// The cluster as this node sees it; `None` on a single node.
    fn cluster_status(&self) -> Option<pb::ClusterStatus> {
        let cluster = self.gateway.cluster()?;
        let limits = match self.admission.sharing() {
            Some(true) => "shared",
            Some(false) => "node-local (degraded: Redis unreachable)",
            None => "node-local (no redis_url)",
        };
        let now_ms = self.gateway.clock().now_millis();
        // Without PostgreSQL there is no list to read (and no waiting for one).
        let nodes = match cluster.reachable() {
            true => cluster.nodes().unwrap_or_default(),
            false => Vec::new(),
        };
        Some(pb::ClusterStatus {
            node_id: self.running.cluster.node(),
            postgres_reachable: cluster.reachable(),
            limits: limits.to_owned(),
            nodes: nodes
                .into_iter()
                .map(|n| pb::ClusterNode {
                    seen_seconds_ago: n.seen_ms_ago / 1000,
                    uptime_seconds: now_ms.saturating_sub(n.started_at_ms) / 1000,
                    node_id: n.node_id,
                    version: n.version,
                    listen_address: n.listen_address,
                    in_flight: n.in_flight,
                    accounts_usable: n.accounts_usable,
                    limits_shared: n.limits_shared,
                })
                .collect(),
        })
    }
}
