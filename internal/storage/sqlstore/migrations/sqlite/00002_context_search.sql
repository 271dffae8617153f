-- Substring search on context names and numbers (R-CTX-1): an FTS5 table
-- with the trigram tokenizer, kept in step with contexts by triggers. The
-- store still checks every candidate with LIKE on contexts itself.
-- +goose Up
-- Covers the in-order walk used for common search terms.
CREATE INDEX contexts_search ON contexts(name_lc, number_lc, id);
CREATE VIRTUAL TABLE contexts_fts USING fts5(id UNINDEXED, name_lc, number_lc, tokenize = 'trigram', detail = none);
INSERT INTO contexts_fts (id, name_lc, number_lc) SELECT id, name_lc, number_lc FROM contexts;

-- +goose StatementBegin
CREATE TRIGGER contexts_fts_insert AFTER INSERT ON contexts BEGIN
    INSERT INTO contexts_fts (id, name_lc, number_lc) VALUES (new.id, new.name_lc, new.number_lc);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contexts_fts_delete AFTER DELETE ON contexts BEGIN
    DELETE FROM contexts_fts WHERE id = old.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contexts_fts_update AFTER UPDATE OF name_lc, number_lc ON contexts BEGIN
    DELETE FROM contexts_fts WHERE id = old.id;
    INSERT INTO contexts_fts (id, name_lc, number_lc) VALUES (new.id, new.name_lc, new.number_lc);
END;
-- +goose StatementEnd

-- +goose Down
DROP INDEX contexts_search;
DROP TRIGGER contexts_fts_update;
DROP TRIGGER contexts_fts_delete;
DROP TRIGGER contexts_fts_insert;
DROP TABLE contexts_fts;
