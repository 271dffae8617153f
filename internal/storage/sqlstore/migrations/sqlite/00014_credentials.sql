-- Second-factor credentials (R-2FA-1..5, issue 9 §3): one-time code
-- challenges (only a keyed hash of the code), TOTP enrolments (secret
-- sealed with the master key when one is set), recovery codes (keyed
-- SHA-256) and users' own TOTP settings.
-- Times are Unix microseconds; 0 means none.
-- +goose Up
CREATE TABLE otp_challenges (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    code_hash    BLOB NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    sends        INTEGER NOT NULL DEFAULT 1,
    sent_at      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX otp_challenges_user ON otp_challenges (user_id);
CREATE INDEX otp_challenges_expires ON otp_challenges (expires_at);

CREATE TABLE totp_enrolments (
    user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret       BLOB NOT NULL,
    confirmed_at BIGINT NOT NULL DEFAULT 0,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, code_hash)
);

-- A user's own TOTP setting (allowed / denied); no row = instance default.
CREATE TABLE totp_policies (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    policy  TEXT NOT NULL
);

-- +goose Down
DROP TABLE totp_policies;
DROP TABLE recovery_codes;
DROP TABLE totp_enrolments;
DROP TABLE otp_challenges;
