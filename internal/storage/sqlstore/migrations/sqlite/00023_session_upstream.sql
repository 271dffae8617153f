-- Delegated login wired into the login engine (issue 10): a session
-- started through a connection records it (connection_id; '' for a
-- password login) and the connector's upstream state (upstream: the
-- upstream refresh token and ID token, sealed with the master key by
-- internal/login, never sent to a browser) for the upstream refresh of
-- roles (issue 10 §6) and the upstream logout (§9).
-- +goose Up
ALTER TABLE sso_sessions ADD COLUMN connection_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sso_sessions ADD COLUMN upstream BLOB;

-- +goose Down
ALTER TABLE sso_sessions DROP COLUMN upstream;
ALTER TABLE sso_sessions DROP COLUMN connection_id;
