-- The cluster's record: every node's keys, accounts, settings, account transitions and
-- the audit chain, as the same bytes each node keeps in its local sled snapshot.
-- A row whose value is NULL is a deletion, kept until every node has seen it.
CREATE TABLE gateway_records (
    tree       TEXT        NOT NULL,
    id         BYTEA       NOT NULL,
    value      BYTEA,
    version    BIGINT      NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tree, id)
);
CREATE INDEX gateway_records_by_version ON gateway_records (version);

-- 'version': the last change's number. Writers take its row lock first, so changes
-- commit in the order of their numbers and a node reading "after N" never skips one.
-- 'purged_through': deletions up to this number are gone; a node behind it reloads whole.
CREATE TABLE gateway_meta (
    name  TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO gateway_meta (name, value) VALUES ('version', 0), ('purged_through', 0);
