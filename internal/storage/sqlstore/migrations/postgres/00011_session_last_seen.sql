-- SSO session idle timeout (issue 8 item 13): when the session was last
-- used, in Unix microseconds; 0 = not since it started (auth_time).
-- +goose Up
ALTER TABLE sso_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sso_sessions DROP COLUMN last_seen_at;
