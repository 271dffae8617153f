-- Organisations of marketplaces (R-SAML-7, seed 002): an organisation a
-- connection asserts (group uid) is bound to the account context created
-- for it under the connection's tenant. The key (connection, uid) is
-- unique per connection only — the same uid from two marketplaces is two
-- organisations — and decides concurrent first logins of one new
-- organisation (one context). A context is bound at most once; the link
-- goes with its connection or its context.
-- Virtual email addresses of marketplace users are kept but marked
-- undeliverable: the outbox never sends to them.
-- Times are Unix microseconds.
-- +goose Up
CREATE TABLE organisation_links (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    uid           TEXT NOT NULL,
    context_id    TEXT NOT NULL UNIQUE REFERENCES contexts(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, uid)
);

ALTER TABLE users ADD COLUMN email_undeliverable BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN email_undeliverable;
DROP TABLE organisation_links;
