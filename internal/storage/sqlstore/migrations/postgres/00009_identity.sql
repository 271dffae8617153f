-- Unambiguous logins (issue 8, items 7, 12, 22).
-- Tenant slugs: unique, set at creation, never changed. Root's is "root";
-- existing tenants get their id (unique, already in the [a-z0-9-] form).
-- Login names: login_lc now holds the PRECIS UsernameCaseMapped key (RFC
-- 8265 §3.3) and login_skeleton the digest of the UTS #39 skeleton, unique
-- per tenant, so look-alike names are refused race-free. The store fills
-- both for existing rows at start-up (Go code: PRECIS is not SQL).
-- +goose Up
ALTER TABLE contexts ADD COLUMN slug TEXT;
UPDATE contexts SET slug = 'root' WHERE type = 'root';
UPDATE contexts SET slug = id WHERE type = 'tenant';
CREATE UNIQUE INDEX contexts_slug ON contexts(slug);

ALTER TABLE users ADD COLUMN login_skeleton TEXT;
CREATE UNIQUE INDEX users_skeleton ON users(tenant_id, login_skeleton);
-- The admin list order, and the exact-login filter of the list.
CREATE INDEX users_list ON users(login_lc, id);
-- Admin user search (substring of login, first/last name or email) through
-- pg_trgm, as contexts are searched (00002_context_search.sql): one GIN
-- index over the four fields joined by U+001F, which the store's query
-- repeats verbatim (userSearchExpr); one index probe instead of four
-- (a BitmapOr over per-column indexes cost 4x the posting-list reads).
CREATE INDEX users_search_trgm ON users USING gin
    ((login_lc || chr(31) || lower(first_name) || chr(31) || lower(last_name) || chr(31) || email_lc) public.gin_trgm_ops);

-- +goose Down
DROP INDEX users_search_trgm;
DROP INDEX users_list;
DROP INDEX users_skeleton;
ALTER TABLE users DROP COLUMN login_skeleton;
DROP INDEX contexts_slug;
ALTER TABLE contexts DROP COLUMN slug;
