-- Substring search on context names and numbers (R-CTX-1) through trigram
-- indexes. pg_trgm is a trusted extension (PostgreSQL >= 13): the database
-- owner may create it. It lives in schema public so that every schema of
-- the database shares one copy.
-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE INDEX contexts_name_trgm ON contexts USING gin (name_lc public.gin_trgm_ops);
CREATE INDEX contexts_number_trgm ON contexts USING gin (number_lc public.gin_trgm_ops);

-- +goose Down
DROP INDEX contexts_number_trgm;
DROP INDEX contexts_name_trgm;
