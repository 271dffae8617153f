-- "Reset the account" (seed 003, issue 9 §2.3): besides a new password,
-- the user must set up an authenticator app again at the next login. The
-- flag is cleared by the confirmed enrolment (login step or account page).
-- +goose Up
ALTER TABLE users ADD COLUMN totp_must_enrol BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN totp_must_enrol;
