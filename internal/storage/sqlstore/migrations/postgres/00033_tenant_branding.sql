-- Tenant branding (issue 13 §10): per tenant (or root) a display name, an
-- uploaded logo (PNG, JPEG, GIF or WebP, size-checked by the directory)
-- and an accent colour, shown on the login, second-factor, account and
-- error pages of a login for that tenant. One row per tenant; it dies
-- with its context. version counts saves (stale edits are detected).
-- +goose Up
CREATE TABLE tenant_branding (
    tenant_id    TEXT PRIMARY KEY REFERENCES contexts(id) ON DELETE CASCADE,
    display_name TEXT NOT NULL DEFAULT '',
    accent       TEXT NOT NULL DEFAULT '',
    logo         BYTEA,
    logo_type    TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1,
    updated_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE tenant_branding;
