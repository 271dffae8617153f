-- Delegated login (issue 10, SPEC.md §6): connections to external IdPs
-- owned by root or a tenant (R-FED-1), their settings as JSON (protocol,
-- claim mapping, linking, profile URLs), the client secret sealed with the
-- master key (internal/seal), a version bumped by every update; verified
-- home-realm email domains, each held by one connection (R-FED-5); and the
-- identity links (connection, subject) → user, unique on the key so that
-- concurrent first logins create one user (R-FED-4, DESIGN note 2).
-- Times are Unix microseconds.
-- +goose Up
CREATE TABLE connections (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES contexts(id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    config        TEXT NOT NULL,
    client_secret BYTEA,
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX connections_tenant ON connections (tenant_id, name);

CREATE TABLE connection_domains (
    domain        TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE
);
CREATE INDEX connection_domains_connection ON connection_domains (connection_id);

CREATE TABLE identity_links (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email         TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_login    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, subject)
);
CREATE INDEX identity_links_user ON identity_links (user_id);

-- +goose Down
DROP TABLE identity_links;
DROP TABLE connection_domains;
DROP TABLE connections;
