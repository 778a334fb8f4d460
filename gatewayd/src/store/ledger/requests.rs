//! The request log: one row per finished request, in arrival order of the batches
//! (`seq`), read newest first for tails and after a cursor for followers, pruned by age
//! and by count.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::engine::{on_pool, on_tx, Cells, Tx};
use super::{tokens, unsigned, Ledger, StoreError};
use crate::model::RequestLogEntry;

/// A position in the log (the last row seen), for following it.
pub type LogCursor = i64;

/// Rows per INSERT statement, largest first: a batch is cut into these sizes, so every
/// statement has one of a few texts that each connection prepares once and keeps (a batch
/// of any other length would be parsed anew, placeholders and all, at every write). The
/// largest stops at 64 rows: a prepared 256-row statement took ~0.5 MB on every connection
/// that ran one and stayed for the connection's life, for no measurable saving per row.
const ROWS_PER_STATEMENT: [usize; 4] = [64, 16, 4, 1];

const COLUMNS: &str = "seq, at_ms, request_id, key_id, account_id, dialect, model, stream, \
    status, error, attempts, ttfb_ms, latency_ms, input_tokens, output_tokens, \
    cache_creation_tokens, cache_read_tokens, thoughts_tokens, cost_micros, client_ip, user_agent";

/// Appends entries, oldest first, inside the batch's transaction.
pub(super) async fn append(tx: &mut Tx, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
    let mut rest = entries;
    for size in ROWS_PER_STATEMENT {
        while rest.len() >= size {
            let (chunk, after) = rest.split_at(size);
            on_tx!(tx, t => insert_rows(chunk).build().persistent(true).execute(&mut **t).await.map(drop))?;
            rest = after;
        }
    }
    Ok(())
}

/// One INSERT of `chunk`'s rows, in the placeholders of whichever database runs it.
fn insert_rows<DB: Database>(chunk: &[RequestLogEntry]) -> QueryBuilder<DB>
where
    DB::Arguments: Default,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Option<String>: for<'t> Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
    Option<i64>: for<'t> Encode<'t, DB> + Type<DB>,
    bool: for<'t> Encode<'t, DB> + Type<DB>,
{
    {
        let mut insert = QueryBuilder::<DB>::new(
            "INSERT INTO requests (at_ms, request_id, key_id, account_id, dialect, model, \
             stream, status, error, attempts, ttfb_ms, latency_ms, input_tokens, \
             output_tokens, cache_creation_tokens, cache_read_tokens, thoughts_tokens, \
             cost_micros, client_ip, user_agent) ",
        );
        insert.push_values(chunk, |mut row, e| {
            row.push_bind(e.at_ms as i64)
                .push_bind(e.request_id.clone())
                .push_bind(e.key_id.clone())
                .push_bind(e.account_id.clone())
                .push_bind(e.dialect.clone())
                .push_bind(e.model.clone())
                .push_bind(e.stream)
                .push_bind(i64::from(e.status))
                .push_bind(e.error.clone())
                .push_bind(i64::from(e.attempts))
                .push_bind(e.ttfb_ms.map(|t| t as i64))
                .push_bind(e.latency_ms as i64)
                .push_bind(e.tokens.input_tokens as i64)
                .push_bind(e.tokens.output_tokens as i64)
                .push_bind(e.tokens.cache_creation_tokens as i64)
                .push_bind(e.tokens.cache_read_tokens as i64)
                .push_bind(e.tokens.thoughts_tokens as i64)
                .push_bind(e.cost_micros as i64)
                .push_bind(e.client_ip.clone())
                .push_bind(e.user_agent.clone());
        });
        insert
    }
}

fn entry(row: &impl Cells) -> Result<(LogCursor, RequestLogEntry), sqlx::Error> {
    let n = |name: &str| unsigned(row, name);
    let entry = RequestLogEntry {
        at_ms: n("at_ms")?,
        request_id: row.text("request_id")?,
        key_id: row.text_opt("key_id")?,
        account_id: row.text_opt("account_id")?,
        dialect: row.text("dialect")?,
        model: row.text_opt("model")?,
        stream: row.flag("stream")?,
        status: u16::try_from(row.int("status")?).unwrap_or(0),
        error: row.text_opt("error")?,
        attempts: u32::try_from(row.int("attempts")?).unwrap_or(0),
        ttfb_ms: row.int_opt("ttfb_ms")?.map(|v| v.max(0) as u64),
        latency_ms: n("latency_ms")?,
        tokens: tokens(row)?,
        cost_micros: n("cost_micros")?,
        client_ip: row.text("client_ip")?,
        user_agent: row.text("user_agent")?,
    };
    Ok((row.int("seq")?, entry))
}

/// Which rows a read returns.
#[derive(Debug, Clone, Default)]
pub struct LogQuery<'a> {
    pub key_id: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub model: Option<&'a str>,
    pub status: Option<u16>,
}

impl LogQuery<'_> {
    fn filter<DB: Database>(&self, sql: &mut QueryBuilder<DB>)
    where
        String: for<'t> Encode<'t, DB> + Type<DB>,
        i64: for<'t> Encode<'t, DB> + Type<DB>,
    {
        if let Some(key) = self.key_id {
            sql.push(" AND key_id = ").push_bind(key.to_owned());
        }
        if let Some(account) = self.account_id {
            sql.push(" AND account_id = ").push_bind(account.to_owned());
        }
        if let Some(id) = self.request_id {
            sql.push(" AND request_id = ").push_bind(id.to_owned());
        }
        if let Some(model) = self.model {
            sql.push(" AND model = ").push_bind(model.to_owned());
        }
        if let Some(status) = self.status {
            sql.push(" AND status = ").push_bind(i64::from(status));
        }
    }
}

impl Ledger {
    /// The newest row's position, if the log holds any.
    async fn newest(&self) -> Result<Option<LogCursor>, StoreError> {
        let sql = "SELECT MAX(seq) FROM requests";
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(sql).fetch_one(p).await)?)
    }

    /// The newest `limit` entries matching `query`, oldest first, and a cursor after the
    /// newest row of the whole log.
    pub async fn log_tail(
        &self,
        limit: usize,
        query: &LogQuery<'_>,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), StoreError> {
        let newest = self.newest().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = on_pool!(&self.pool, p => {
            let mut sql = QueryBuilder::new(format!("SELECT {COLUMNS} FROM requests WHERE 1 = 1"));
            query.filter(&mut sql);
            sql.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows = sql.build().fetch_all(p).await?;
            rows.iter()
                .map(|r| entry(r).map(|(_, e)| e))
                .collect::<Result<Vec<_>, _>>()
        })?;
        out.reverse();
        Ok((out, newest.unwrap_or(0)))
    }

    /// How many logged requests since `since_ms` ended with each error class, most first.
    pub async fn errors_since(&self, since_ms: u64) -> Result<Vec<(String, u64)>, StoreError> {
        let sql =
            "SELECT error, COUNT(*) AS n FROM requests WHERE at_ms >= $1 AND error IS NOT NULL \
             GROUP BY error ORDER BY n DESC, error";
        let rows: Vec<(String, i64)> = on_pool!(&self.pool, p => {
            sqlx::query_as(sql).bind(since_ms as i64).fetch_all(p).await
        })?;
        Ok(rows.into_iter().map(|(e, n)| (e, n as u64)).collect())
    }

    /// How many of `key`'s logged requests ended with each of `errors` (as stored).
    pub async fn errors_of_key(
        &self,
        key: &str,
        errors: &[&str],
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(&self.pool, p => {
            let mut sql = QueryBuilder::new("SELECT error, COUNT(*) FROM requests WHERE key_id = ");
            sql.push_bind(key.to_owned()).push(" AND error IN (");
            let mut list = sql.separated(", ");
            for error in errors {
                list.push_bind(error.to_string());
            }
            sql.push(") GROUP BY error ORDER BY error");
            sql.build_query_as().fetch_all(p).await
        })?;
        Ok(rows.into_iter().map(|(e, n)| (e, n as u64)).collect())
    }

    /// Entries after `cursor` matching `query` (at most `limit`), and the new cursor.
    pub async fn log_after(
        &self,
        cursor: LogCursor,
        limit: usize,
        query: &LogQuery<'_>,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), StoreError> {
        let newest = self.newest().await?;
        let most = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = on_pool!(&self.pool, p => {
            let mut sql = QueryBuilder::new(format!("SELECT {COLUMNS} FROM requests WHERE seq > "));
            sql.push_bind(cursor);
            query.filter(&mut sql);
            sql.push(" ORDER BY seq LIMIT ").push_bind(most);
            let rows = sql.build().fetch_all(p).await?;
            rows.iter().map(entry).collect::<Result<Vec<_>, _>>()
        })?;
        let mut next = cursor;
        let mut out = Vec::with_capacity(rows.len());
        for (seq, e) in rows {
            next = seq;
            out.push(e);
        }
        // A full page stops at its last row; otherwise everything up to the newest was seen.
        if out.len() < limit {
            next = next.max(newest.unwrap_or(cursor));
        }
        Ok((out, next))
    }

    /// Drops the oldest entries beyond `max_entries`, a bounded chunk per statement so
    /// the recorder's writes interleave. Cheap when there is nothing to drop (two lookups
    /// on the primary key). Returns how many went.
    pub async fn prune_log_count(&self, max_entries: usize) -> Result<u64, StoreError> {
        let sql = "SELECT MIN(seq), MAX(seq) FROM requests";
        let (oldest, newest): (Option<i64>, Option<i64>) =
            on_pool!(&self.pool, p => sqlx::query_as(sql).fetch_one(p).await)?;
        let (Some(oldest), Some(newest)) = (oldest, newest) else {
            return Ok(0);
        };
        // `seq` grows by one per entry and only the oldest are ever deleted, so the
        // entries to drop are exactly those up to `newest - max_entries`.
        let last_dropped = newest - i64::try_from(max_entries).unwrap_or(i64::MAX);
        let mut removed = 0;
        let mut from = oldest;
        while from <= last_dropped {
            let upto = last_dropped.min(from + PRUNE_CHUNK - 1);
            let sql = "DELETE FROM requests WHERE seq <= $1";
            removed += on_pool!(&self.pool, p => {
                sqlx::query(sql).bind(upto).execute(p).await.map(|r| r.rows_affected())
            })?;
            from = upto + 1;
        }
        Ok(removed)
    }

    /// Drops entries that arrived before `min_at_ms`, in bounded chunks, and gives freed
    /// pages back when many are free. Returns how many entries went.
    pub async fn prune_log_age(&self, min_at_ms: u64) -> Result<u64, StoreError> {
        let mut removed = 0;
        loop {
            let sql = "DELETE FROM requests WHERE seq IN \
                 (SELECT seq FROM requests WHERE at_ms < $1 ORDER BY seq LIMIT $2)";
            let chunk = on_pool!(&self.pool, p => {
                sqlx::query(sql)
                    .bind(min_at_ms as i64)
                    .bind(PRUNE_CHUNK)
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            removed += chunk;
            if chunk < PRUNE_CHUNK as u64 {
                break;
            }
        }
        self.release_free_pages().await?;
        Ok(removed)
    }
}

/// Entries deleted per statement when pruning.
const PRUNE_CHUNK: i64 = 2_000;
