//! gateway.v1.Audit: list and verify the audit chain.

use gateway_proto::v1 as pb;
use gateway_proto::v1::audit_server::Audit;
use tonic::{Request, Response, Status};

use super::Control;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Audit for Control {
    async fn list_audit(
        &self,
        request: Request<pb::ListAuditRequest>,
    ) -> Reply<pb::ListAuditResponse> {
        let r = request.into_inner();
        // Security events reach the chain through the event writer.
        self.recorder.events_written().await;
        let limit = if r.limit == 0 { 100 } else { r.limit as usize };
        let entries = self.gateway.audit_entries(r.since_ms, limit)?;
        Ok(Response::new(pb::ListAuditResponse {
            entries: entries
                .into_iter()
                .map(|e| pb::AuditEntry {
                    seq: e.seq,
                    at_ms: e.at_ms,
                    actor: e.actor,
                    action: e.action,
                    target: e.target,
                    detail: e.detail.to_string(),
                    hash: e.hash,
                    prev_hash: e.prev_hash,
                })
                .collect(),
        }))
    }

    async fn verify_audit(
        &self,
        _request: Request<pb::VerifyAuditRequest>,
    ) -> Reply<pb::VerifyAuditResponse> {
        self.recorder.events_written().await;
        let report = self.gateway.verify_audit()?;
        let (broken_at, problem) = match report.broken {
            Some((seq, problem)) => (Some(seq), problem),
            None => (None, String::new()),
        };
        Ok(Response::new(pb::VerifyAuditResponse {
            ok: broken_at.is_none(),
            entries: report.entries,
            signed_through: report.signed_through,
            broken_at,
            problem,
            public_key: self.gateway.audit_public_key(),
        }))
    }
}
