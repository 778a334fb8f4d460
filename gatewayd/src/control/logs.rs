//! gateway.v1.Logs: tails of the request log, optionally followed.

use std::pin::Pin;
use std::time::Duration;

use gateway_proto::v1 as pb;
use gateway_proto::v1::logs_server::Logs;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use super::Control;
use crate::model::RequestLogEntry;
use crate::state::LogFilter;

/// How often a followed tail looks for new entries.
const FOLLOW_POLL: Duration = Duration::from_millis(250);

#[tonic::async_trait]
impl Logs for Control {
    type TailLogStream = Pin<Box<dyn Stream<Item = Result<pb::LogEntry, Status>> + Send>>;

    async fn tail_log(
        &self,
        request: Request<pb::TailLogRequest>,
    ) -> Result<Response<Self::TailLogStream>, Status> {
        let r = request.into_inner();
        let filter = LogFilter {
            // A name works as well as an id; an id no longer known (a deleted key) still
            // finds its old entries.
            key_id: Some(r.key_id)
                .filter(|k| !k.is_empty())
                .map(|k| self.gateway.key_id(&k).unwrap_or(k)),
            account_id: Some(r.account_id)
                .filter(|a| !a.is_empty())
                .map(|a| self.gateway.account_id(&a).unwrap_or(a)),
            request_id: Some(r.request_id).filter(|a| !a.is_empty()),
            ..LogFilter::default()
        };
        let limit = if r.limit == 0 { 20 } else { r.limit as usize };
        let (entries, mut cursor) = self.gateway.log_tail(limit, &filter).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let gateway = self.gateway.clone();
        let stopping = self.stopping.clone();
        // Ends when the caller hangs up, after the tail when not following, or when the
        // daemon stops.
        tokio::spawn(async move {
            for e in entries {
                if tx.send(Ok(entry(e))).await.is_err() {
                    return;
                }
            }
            if !r.follow {
                return;
            }
            loop {
                if stopping
                    .run_until_cancelled(tokio::time::sleep(FOLLOW_POLL))
                    .await
                    .is_none()
                {
                    return;
                }
                let (entries, next) = match gateway.log_after(cursor, &filter).await {
                    Ok(found) => found,
                    Err(e) => return drop(tx.send(Err(e.into())).await),
                };
                cursor = next;
                for e in entries {
                    if tx.send(Ok(entry(e))).await.is_err() {
                        return;
                    }
                }
                if tx.is_closed() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

fn entry(e: RequestLogEntry) -> pb::LogEntry {
    pb::LogEntry {
        at_ms: e.at_ms,
        key_id: e.key_id.unwrap_or_default(),
        account_id: e.account_id.unwrap_or_default(),
        dialect: e.dialect,
        model: e.model.unwrap_or_default(),
        stream: e.stream,
        status: u32::from(e.status),
        error: e.error.unwrap_or_default(),
        attempts: e.attempts,
        ttfb_ms: e.ttfb_ms,
        latency_ms: e.latency_ms,
        tokens: Some(super::convert::usage(crate::model::UsageCounters {
            tokens: e.tokens,
            cost_micros: e.cost_micros,
            ..Default::default()
        })),
        client_ip: e.client_ip,
        user_agent: e.user_agent,
        request_id: e.request_id,
    }
}
