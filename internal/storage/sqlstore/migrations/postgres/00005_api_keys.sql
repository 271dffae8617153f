-- User API keys (R-SSO-6): only the SHA-256 of a key is stored; the key
-- itself is shown once. A user's keys go with the user row (discard).
-- +goose Up
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    expires_at   BIGINT,
    last_used_at BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX api_keys_user ON api_keys(user_id);

-- +goose Down
DROP TABLE api_keys;
