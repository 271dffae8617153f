-- Messages (issue 9 §4, R-MSG-1..2): administrators' overrides of the
-- shipped message templates, and the outbox every node's worker sends
-- from. Times are Unix microseconds; 0 = none.
-- +goose Up
CREATE TABLE message_templates (
    type       TEXT NOT NULL,
    language   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (type, language)
);

CREATE TABLE outbox (
    id             TEXT PRIMARY KEY,
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    user_id        TEXT NOT NULL DEFAULT '',
    recipient      TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL DEFAULT '',
    text_body      TEXT NOT NULL DEFAULT '',
    html_body      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt   BIGINT NOT NULL,
    lease_owner    TEXT NOT NULL DEFAULT '',
    lease_until    BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    done_at        BIGINT NOT NULL DEFAULT 0
);
-- The worker's claim: queued messages by due time.
CREATE INDEX outbox_due ON outbox (status, next_attempt);

-- +goose Down
DROP TABLE outbox;
DROP TABLE message_templates;
