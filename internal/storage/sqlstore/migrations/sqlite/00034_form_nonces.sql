-- Console form nonces (issue 13 "Bad input"): every console form that
-- creates something carries a random nonce; the first submit claims it
-- (primary key), records where its result lives, and a second submit of
-- the same form finds the claim and is sent there instead of creating a
-- second object — on every node. Expired rows are purged.
-- +goose Up
CREATE TABLE form_nonces (
    nonce      TEXT PRIMARY KEY,
    result     TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
);
CREATE INDEX form_nonces_expiry ON form_nonces(expires_at);

-- +goose Down
DROP TABLE form_nonces;
