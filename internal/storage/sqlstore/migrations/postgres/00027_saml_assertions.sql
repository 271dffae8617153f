-- The SAML assertion-id replay cache (R-SAML-3, DESIGN note 2): an
-- assertion accepted once is refused on every node until it expires
-- (expires_at, Unix microseconds: the last instant the SP would accept
-- it, skew included); storage.PurgeExpired removes the rest. The primary
-- key makes INSERT … ON CONFLICT DO NOTHING the one atomic use.
-- +goose Up
CREATE TABLE saml_assertions (
    connection_id TEXT NOT NULL,
    assertion_id  TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX saml_assertions_expires ON saml_assertions (expires_at);

-- +goose Down
DROP TABLE saml_assertions;
