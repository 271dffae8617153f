-- Sesame's RSA key for IdPs that encrypt ID tokens to it (issue 10 item 2,
-- seed 000: RSA ≥ 2048): generated once by the first node that starts
-- without federation.decryptionKeyFile and shared by every node; the
-- private key is sealed with the master key (like the signing keys).
-- +goose Up
CREATE TABLE federation_keys (
    id          TEXT PRIMARY KEY,
    private_pem BLOB NOT NULL,
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE federation_keys;
