-- SCIM 2.0 provisioning (issue 12): what a SCIM user or group carries that
-- the directory has no column for, and the indexes every /scim/v2 filter
-- runs on (internal/storage/sqlstore/scim.go translates filters to SQL).
-- scim_users.attrs is the JSON of the other SCIM attributes; scim_values
-- holds their filterable values (lowercased), one row per (attribute,
-- value), so "emails.value eq x" or an enterprise attribute is one index
-- probe per tenant. Both go with their user (ON DELETE CASCADE); deletion
-- (anonymisation) empties them.
-- +goose Up
CREATE TABLE scim_users (
    user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    tenant_id     TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    credential_id TEXT NOT NULL DEFAULT '',
    attrs         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX scim_users_external ON scim_users(tenant_id, external_id);

CREATE TABLE scim_values (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL,
    attr      TEXT NOT NULL,
    value_lc  TEXT NOT NULL
);
CREATE INDEX scim_values_lookup ON scim_values(tenant_id, attr, value_lc);
CREATE INDEX scim_values_user ON scim_values(user_id);

CREATE TABLE scim_groups (
    group_id    TEXT PRIMARY KEY REFERENCES user_groups(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    external_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scim_groups_external ON scim_groups(tenant_id, external_id);

-- Filters and sorting by name, creation and modification within a tenant.
CREATE INDEX users_scim_given ON users(tenant_id, lower(first_name));
CREATE INDEX users_scim_family ON users(tenant_id, lower(last_name));
CREATE INDEX users_scim_email ON users(tenant_id, email_lc);
CREATE INDEX users_scim_created ON users(tenant_id, created_at, id);
CREATE INDEX users_scim_modified ON users(tenant_id, updated_at);

-- +goose Down
DROP INDEX users_scim_modified;
DROP INDEX users_scim_created;
DROP INDEX users_scim_email;
DROP INDEX users_scim_family;
DROP INDEX users_scim_given;
DROP TABLE scim_groups;
DROP TABLE scim_values;
DROP TABLE scim_users;
