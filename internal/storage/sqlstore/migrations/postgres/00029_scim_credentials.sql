-- SCIM 2.0 provisioning (issue 12): a tenant's SCIM credentials. hash is the
-- hex SHA-256 of the bearer token (the token is shown once); revoked rows
-- stay (revoked_at) so the audit log keeps resolving the actor
-- "scim:<id>". default_groups is a JSON array of group ids.
-- +goose Up
CREATE TABLE scim_credentials (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES contexts(id),
    name           TEXT NOT NULL,
    prefix         TEXT NOT NULL,
    hash           TEXT NOT NULL UNIQUE,
    connection_id  TEXT NOT NULL DEFAULT '',
    context_id     TEXT NOT NULL DEFAULT '',
    default_groups TEXT NOT NULL DEFAULT '[]',
    default_domain TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT,
    revoked_at     BIGINT
);
CREATE INDEX scim_credentials_tenant ON scim_credentials(tenant_id, created_at);

-- +goose Down
DROP TABLE scim_credentials;
