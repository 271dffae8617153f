-- The login engine (issue 9 §1): a login in progress is a stored flow, so
-- any node continues it. id is the SHA-256 of the browser's sesame_login
-- cookie; state is the flow as JSON (internal/login owns its shape);
-- version makes concurrent submits of one step lose cleanly (one update
-- wins). A session records how the user proved who they are (amr, space
-- separated: "pwd otp mfa") and which protocol request its login flow was
-- started for (login_for), which is how forced re-authentication
-- (prompt=login, max_age, CAS renew) is answered without time windows.
-- Users carry "must change the password at next login" (an admin reset)
-- and when the password was last set (expiry).
-- +goose Up
CREATE TABLE login_flows (
    id         TEXT PRIMARY KEY,
    version    BIGINT NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_flows_expiry ON login_flows(expires_at);
ALTER TABLE sso_sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE sso_sessions ADD COLUMN login_for TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN password_must_change BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN password_set_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN password_set_at;
ALTER TABLE users DROP COLUMN password_must_change;
ALTER TABLE sso_sessions DROP COLUMN login_for;
ALTER TABLE sso_sessions DROP COLUMN amr;
DROP TABLE login_flows;
