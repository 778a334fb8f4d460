-- Each node's heartbeat: what `gatewayctl status` lists (nodes seen in the last minute)
-- and what `account drain --wait` sums (each account's requests in flight per node).
CREATE TABLE gateway_nodes (
    node_id        TEXT        PRIMARY KEY,
    version        TEXT        NOT NULL,
    listen_address TEXT        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    seen_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    in_flight      BIGINT      NOT NULL,
    accounts_usable INTEGER    NOT NULL,
    limits_shared  BOOLEAN     NOT NULL,
    -- {"account id": requests in flight}, accounts with none left out
    in_flight_by_account JSONB NOT NULL DEFAULT '{}'
);
