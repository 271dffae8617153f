-- Client settings for the security hardening (issue 8): extra scopes and
-- audiences, the policy-decision flag, CORS origins, development clients
-- and the CAS principal choice.
-- +goose Up
ALTER TABLE clients ADD COLUMN allowed_scopes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN audience TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN policy_decision BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN web_origins TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN development BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN cas_principal TEXT NOT NULL DEFAULT 'id';

-- +goose Down
ALTER TABLE clients DROP COLUMN cas_principal;
ALTER TABLE clients DROP COLUMN development;
ALTER TABLE clients DROP COLUMN web_origins;
ALTER TABLE clients DROP COLUMN policy_decision;
ALTER TABLE clients DROP COLUMN audience;
ALTER TABLE clients DROP COLUMN allowed_scopes;
