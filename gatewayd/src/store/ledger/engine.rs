//! Which database the ledger is on (SQLite in the data directory, or the cluster's
//! PostgreSQL) and the macros that run one statement text on either: each body is
//! compiled once per database, so both run the same SQL with their own placeholders.

use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Postgres, Row, Sqlite, Transaction};

use crate::model::{TokenUsage, UsageCounters};

/// The ledger's connections.
#[derive(Clone)]
pub(super) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One batch's transaction.
pub(super) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$p` bound to the ledger's pool, whichever database it is on.
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::store::ledger::engine::Pool::Sqlite($p) => $body,
            $crate::store::ledger::engine::Pool::Postgres($p) => $body,
        }
    };
}
pub(super) use on_pool;

/// Runs `$body` with `$t` bound to the batch's transaction, whichever database it is on.
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::store::ledger::engine::Tx::Sqlite($t) => $body,
            $crate::store::ledger::engine::Tx::Postgres($t) => $body,
        }
    };
}
pub(super) use on_tx;

/// Binds the counters in `counter_columns!` order.
macro_rules! bind_counters {
    ($query:expr, $c:expr) => {{
        let c: &$crate::model::UsageCounters = $c;
        $query
            .bind(c.requests as i64)
            .bind(c.errors as i64)
            .bind(c.tokens.input_tokens as i64)
            .bind(c.tokens.output_tokens as i64)
            .bind(c.tokens.cache_creation_tokens as i64)
            .bind(c.tokens.cache_read_tokens as i64)
            .bind(c.tokens.thoughts_tokens as i64)
            .bind(c.cost_micros as i64)
    }};
}
pub(super) use bind_counters;

/// A row's cells by column name, on either database.
pub(super) trait Cells {
    fn int(&self, name: &str) -> Result<i64, sqlx::Error>;
    fn int_opt(&self, name: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text(&self, name: &str) -> Result<String, sqlx::Error>;
    fn text_opt(&self, name: &str) -> Result<Option<String>, sqlx::Error>;
    fn flag(&self, name: &str) -> Result<bool, sqlx::Error>;
}

macro_rules! cells {
    ($($row:ty),*) => {$(
        impl Cells for $row {
            fn int(&self, name: &str) -> Result<i64, sqlx::Error> { self.try_get(name) }
            fn int_opt(&self, name: &str) -> Result<Option<i64>, sqlx::Error> { self.try_get(name) }
            fn text(&self, name: &str) -> Result<String, sqlx::Error> { self.try_get(name) }
            fn text_opt(&self, name: &str) -> Result<Option<String>, sqlx::Error> { self.try_get(name) }
            fn flag(&self, name: &str) -> Result<bool, sqlx::Error> { self.try_get(name) }
        }
    )*};
}
cells!(SqliteRow, PgRow);

/// A BIGINT column as the unsigned count it stores.
pub(super) fn unsigned(row: &impl Cells, name: &str) -> Result<u64, sqlx::Error> {
    row.int(name).map(|v| v.max(0) as u64)
}

/// Reads the counters columns of a row, named as in `counter_columns!`.
pub(super) fn counters(row: &impl Cells) -> Result<UsageCounters, sqlx::Error> {
    Ok(UsageCounters {
        requests: unsigned(row, "requests")?,
        errors: unsigned(row, "errors")?,
        tokens: tokens(row)?,
        cost_micros: unsigned(row, "cost_micros")?,
    })
}

/// The token columns of a row (request log or counters).
pub(super) fn tokens(row: &impl Cells) -> Result<TokenUsage, sqlx::Error> {
    Ok(TokenUsage {
        input_tokens: unsigned(row, "input_tokens")?,
        output_tokens: unsigned(row, "output_tokens")?,
        cache_creation_tokens: unsigned(row, "cache_creation_tokens")?,
        cache_read_tokens: unsigned(row, "cache_read_tokens")?,
        thoughts_tokens: unsigned(row, "thoughts_tokens")?,
    })
}
