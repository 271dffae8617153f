-- +goose Up
CREATE TABLE contexts (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_lc     TEXT NOT NULL,
    number      TEXT NOT NULL DEFAULT '',
    number_lc   TEXT NOT NULL DEFAULT '',
    parent_id   TEXT REFERENCES contexts(id),
    tenant_id   TEXT NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    has_policy  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX contexts_one_root ON contexts(type) WHERE type = 'root';
CREATE INDEX contexts_parent ON contexts(parent_id);
CREATE INDEX contexts_path ON contexts(path);
CREATE INDEX contexts_name ON contexts(name_lc);
CREATE INDEX contexts_number ON contexts(number_lc);

CREATE TABLE modules (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE acls (
    module      TEXT NOT NULL REFERENCES modules(name),
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    type        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (module, name)
);

CREATE TABLE user_groups (
    id          TEXT PRIMARY KEY,
    context_id  TEXT NOT NULL REFERENCES contexts(id),
    name        TEXT NOT NULL,
    name_lc     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (context_id, name_lc)
);

CREATE TABLE group_roles (
    group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    PRIMARY KEY (group_id, role)
);
CREATE INDEX group_roles_role ON group_roles(role);

CREATE TABLE group_values (
    group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    module   TEXT NOT NULL,
    acl_name TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (group_id, module, acl_name),
    FOREIGN KEY (module, acl_name) REFERENCES acls(module, name)
);

CREATE TABLE templates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_lc     TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE template_context_types (
    template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    PRIMARY KEY (template_id, type)
);

CREATE TABLE template_values (
    template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    module      TEXT NOT NULL,
    acl_name    TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (template_id, module, acl_name),
    FOREIGN KEY (module, acl_name) REFERENCES acls(module, name)
);

CREATE TABLE policy_values (
    context_id TEXT NOT NULL REFERENCES contexts(id) ON DELETE CASCADE,
    module     TEXT NOT NULL,
    acl_name   TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (context_id, module, acl_name),
    FOREIGN KEY (module, acl_name) REFERENCES acls(module, name)
);

CREATE TABLE user_domains (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    placement   TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    login_name     TEXT NOT NULL,
    login_lc       TEXT NOT NULL,
    tenant_id      TEXT NOT NULL REFERENCES contexts(id),
    domain         TEXT NOT NULL REFERENCES user_domains(name),
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    email_lc       TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL DEFAULT '',
    avatar         TEXT NOT NULL DEFAULT '',
    two_factor     TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL DEFAULT '',
    first_login_at BIGINT,
    last_login_at  BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, login_lc)
);
CREATE INDEX users_email ON users(email_lc);

CREATE TABLE user_contexts (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    context_id TEXT NOT NULL REFERENCES contexts(id),
    PRIMARY KEY (user_id, context_id)
);
CREATE INDEX user_contexts_context ON user_contexts(context_id);

CREATE TABLE user_roles (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    context_id TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    PRIMARY KEY (user_id, context_id, role)
);

CREATE TABLE memberships (
    group_id   TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    context_id TEXT NOT NULL REFERENCES contexts(id),
    PRIMARY KEY (group_id, user_id, context_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    context_id  TEXT NOT NULL DEFAULT '',
    source_ip   TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_actor ON audit_log(actor_id, id);
CREATE INDEX audit_target ON audit_log(target_id, id);
CREATE INDEX audit_at ON audit_log(at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE memberships;
DROP TABLE user_roles;
DROP TABLE user_contexts;
DROP TABLE users;
DROP TABLE user_domains;
DROP TABLE policy_values;
DROP TABLE template_values;
DROP TABLE template_context_types;
DROP TABLE templates;
DROP TABLE group_values;
DROP TABLE group_roles;
DROP TABLE user_groups;
DROP TABLE acls;
DROP TABLE modules;
DROP TABLE contexts;
