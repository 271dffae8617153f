-- +goose Up
CREATE TABLE clients (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    module           TEXT NOT NULL REFERENCES modules(name),
    protocol         TEXT NOT NULL,
    redirect_uris    TEXT NOT NULL DEFAULT '[]',
    service_patterns TEXT NOT NULL DEFAULT '[]',
    grant_types      TEXT NOT NULL DEFAULT '[]',
    public           BOOLEAN NOT NULL DEFAULT FALSE,
    secret_hash      TEXT NOT NULL DEFAULT '',
    logout_url       TEXT NOT NULL DEFAULT '',
    access_ttl_ms    BIGINT NOT NULL DEFAULT 0,
    refresh_ttl_ms   BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

CREATE TABLE sso_sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    context_id TEXT NOT NULL DEFAULT '',
    auth_time  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    source_ip  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_sessions_user ON sso_sessions(user_id);

CREATE TABLE sso_session_services (
    session_id TEXT NOT NULL REFERENCES sso_sessions(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    service    TEXT NOT NULL,
    ticket     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, client_id, service)
);

CREATE TABLE cas_tickets (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    service    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL DEFAULT '',
    context_id TEXT NOT NULL DEFAULT '',
    renewed    BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX cas_tickets_expiry ON cas_tickets(expires_at);

-- +goose Down
DROP TABLE cas_tickets;
DROP TABLE sso_session_services;
DROP TABLE sso_sessions;
DROP TABLE clients;
