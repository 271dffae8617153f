-- Brute-force counters (R-PWD-3): failures per account and per source,
-- with the exponential delay (not_before) and the lock (locked_until).
-- Times are Unix microseconds; 0 means none.
-- +goose Up
CREATE TABLE throttle (
    key          TEXT PRIMARY KEY,
    hits         INTEGER NOT NULL,
    last_hit     BIGINT NOT NULL,
    not_before   BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX throttle_last_hit ON throttle (last_hit);

-- +goose Down
DROP TABLE throttle;
