-- The usage ledger of every node (the same tables and statements as a single node's
-- SQLite ledger, integers as BIGINT): the request log, all-time totals, hourly and
-- daily rollups, keys' last use and accounts' quota counts.
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE requests (
    seq BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    key_id TEXT,
    account_id TEXT,
    dialect TEXT NOT NULL,
    model TEXT,
    stream BOOLEAN NOT NULL,
    status BIGINT NOT NULL,
    error TEXT,
    attempts BIGINT NOT NULL,
    ttfb_ms BIGINT,
    latency_ms BIGINT NOT NULL,
    input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    cache_creation_tokens BIGINT NOT NULL,
    cache_read_tokens BIGINT NOT NULL,
    thoughts_tokens BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    client_ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX requests_at ON requests (at_ms);
CREATE INDEX requests_key ON requests (key_id, seq);
CREATE INDEX requests_account ON requests (account_id, seq);

CREATE TABLE usage_totals (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    requests BIGINT NOT NULL, errors BIGINT NOT NULL, input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL, cache_creation_tokens BIGINT NOT NULL,
    cache_read_tokens BIGINT NOT NULL, thoughts_tokens BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    PRIMARY KEY (scope, id)
);

CREATE TABLE rollups (
    scope TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    id TEXT NOT NULL,
    requests BIGINT NOT NULL, errors BIGINT NOT NULL, input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL, cache_creation_tokens BIGINT NOT NULL,
    cache_read_tokens BIGINT NOT NULL, thoughts_tokens BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    latency TEXT NOT NULL,
    ttfb TEXT NOT NULL,
    PRIMARY KEY (scope, grain, bucket, id)
);

CREATE TABLE key_marks (key_id TEXT PRIMARY KEY, last_used BIGINT NOT NULL);
CREATE TABLE account_quota (account_id TEXT PRIMARY KEY, used BIGINT NOT NULL, reset_time BIGINT);
