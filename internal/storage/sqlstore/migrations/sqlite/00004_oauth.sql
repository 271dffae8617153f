-- +goose Up
-- OAuth 2.0 / OIDC state shared by every node (RFC 6749, OIDC Core).
CREATE TABLE oauth_auth_requests (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    code_hash  TEXT UNIQUE,
    redeemed   INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_auth_requests_expiry ON oauth_auth_requests(expires_at);

CREATE TABLE oauth_grants (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_grants_session ON oauth_grants(session_id);
CREATE INDEX oauth_grants_user ON oauth_grants(user_id);

CREATE TABLE oauth_refresh_tokens (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens(family_id);
CREATE INDEX oauth_refresh_tokens_user ON oauth_refresh_tokens(user_id);

-- Revoked access-token ids ("jti:…") and grants ("grant:…"), kept until
-- the tokens they name have expired anyway.
CREATE TABLE oauth_revocations (
    id         TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    sign_from   BIGINT NOT NULL,
    sign_until  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE oauth_revocations;
DROP TABLE oauth_refresh_tokens;
DROP TABLE oauth_grants;
DROP TABLE oauth_auth_requests;
