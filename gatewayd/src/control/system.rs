//! gateway.v1.System.

use gateway_proto::v1 as pb;
use gateway_proto::v1::system_server::System;
use tonic::{Request, Response, Status};

use super::Control;
use crate::model::{now_millis, now_secs};

#[tonic::async_trait]
impl System for Control {
    async fn get_status(
        &self,
        _request: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        let snapshot = self.gateway.snapshot();
        let now_ms = now_millis();
        let usable = snapshot
            .accounts
            .iter()
            .filter(|a| a.usable(now_ms))
            .count();
        let in_flight: u64 = snapshot
            .accounts
            .iter()
            .map(|a| u64::from(a.runtime.in_flight()))
            .sum();
        Ok(Response::new(pb::GetStatusResponse {
            version: gateway_shared::VERSION.to_owned(),
            uptime_seconds: self.gateway.started().elapsed().as_secs(),
            listen_address: self.listen_address.clone(),
            keys: snapshot.live_keys(now_secs()) as u32,
            accounts: snapshot.accounts.len() as u32,
            accounts_usable: usable as u32,
            data_dir: self.data_dir.display().to_string(),
            in_flight,
            records_dropped: self.recorder.dropped(),
        }))
    }
}
