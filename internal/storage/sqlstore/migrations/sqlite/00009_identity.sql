-- Unambiguous logins (issue 8, items 7, 12, 22); see the PostgreSQL
-- migration of the same number. User search: an FTS5 trigram table kept in
-- step by triggers, as for contexts (00002_context_search.sql).
-- +goose Up
ALTER TABLE contexts ADD COLUMN slug TEXT;
UPDATE contexts SET slug = 'root' WHERE type = 'root';
UPDATE contexts SET slug = id WHERE type = 'tenant';
CREATE UNIQUE INDEX contexts_slug ON contexts(slug);

ALTER TABLE users ADD COLUMN login_skeleton TEXT;
CREATE UNIQUE INDEX users_skeleton ON users(tenant_id, login_skeleton);
CREATE INDEX users_list ON users(login_lc, id);

CREATE VIRTUAL TABLE users_fts USING fts5(id UNINDEXED, login_lc, first_lc, last_lc, email_lc, tokenize = 'trigram', detail = none);
INSERT INTO users_fts (id, login_lc, first_lc, last_lc, email_lc) SELECT id, login_lc, lower(first_name), lower(last_name), email_lc FROM users;

-- +goose StatementBegin
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts (id, login_lc, first_lc, last_lc, email_lc) VALUES (new.id, new.login_lc, lower(new.first_name), lower(new.last_name), new.email_lc);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    DELETE FROM users_fts WHERE id = old.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_fts_update AFTER UPDATE OF login_lc, first_name, last_name, email_lc ON users BEGIN
    DELETE FROM users_fts WHERE id = old.id;
    INSERT INTO users_fts (id, login_lc, first_lc, last_lc, email_lc) VALUES (new.id, new.login_lc, lower(new.first_name), lower(new.last_name), new.email_lc);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_fts_update;
DROP TRIGGER users_fts_delete;
DROP TRIGGER users_fts_insert;
DROP TABLE users_fts;
DROP INDEX users_list;
DROP INDEX users_skeleton;
ALTER TABLE users DROP COLUMN login_skeleton;
DROP INDEX contexts_slug;
ALTER TABLE contexts DROP COLUMN slug;
