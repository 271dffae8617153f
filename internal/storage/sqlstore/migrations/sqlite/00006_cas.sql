-- CAS proxy authentication (CAS 3.0 §2.5.4, §2.7): proxy and
-- proxy-granting tickets carry their proxy chain, the pgtUrls they were
-- obtained through, most recent first, newline-separated.
-- +goose Up
ALTER TABLE cas_tickets ADD COLUMN proxies TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cas_tickets DROP COLUMN proxies;
