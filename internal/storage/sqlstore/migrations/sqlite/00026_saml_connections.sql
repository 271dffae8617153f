-- SAML 2.0 connections (issue 11, R-SAML-1): their settings (IdP
-- metadata, entity id pick, bindings, skew) live in the connection's
-- config JSON like the OIDC settings; each has its own SP key pair,
-- generated with it and rotated with an overlap (current key first, the
-- previous one second), the private keys sealed with the master key
-- (internal/seal) in this column.
-- +goose Up
ALTER TABLE connections ADD COLUMN saml_keys BLOB;

-- +goose Down
ALTER TABLE connections DROP COLUMN saml_keys;
