-- Forgot password (R-PWD-2, issue 9 §2.3): one row per emailed reset
-- link. token_hash is the hex SHA-256 of the link's 256-bit random token
-- (the token itself is only in the email); used_at (0 = unused) makes the
-- link single-use with one conditional UPDATE; expired rows are purged.
-- +goose Up
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX password_resets_user ON password_resets(user_id);
CREATE INDEX password_resets_expiry ON password_resets(expires_at);

-- +goose Down
DROP TABLE password_resets;
