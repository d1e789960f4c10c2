-- Gatehouse schema, first version. Times are milliseconds since the Unix epoch (UTC);
-- ids are UUIDs stored as 16-byte blobs.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

INSERT INTO tenants (id, name, created_at)
VALUES ('default', 'Default', CAST(strftime('%s', 'now') AS INTEGER) * 1000);

-- Installation-wide facts, such as when first-run setup was completed.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE setup_tokens (
    token_hash  BLOB PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    -- `seq` gives the full-text index a stable integer key.
    seq                      INTEGER PRIMARY KEY,
    id                       BLOB NOT NULL UNIQUE,
    tenant_id                TEXT NOT NULL REFERENCES tenants (id),
    email                    TEXT NOT NULL,
    username                 TEXT,
    first_name               TEXT,
    last_name                TEXT,
    display_name             TEXT,
    phone                    TEXT,
    locale                   TEXT,
    timezone                 TEXT,
    status                   TEXT NOT NULL,
    status_reason            TEXT,
    identity_source          TEXT NOT NULL DEFAULT 'LOCAL',
    email_verified           INTEGER NOT NULL DEFAULT 0,
    mfa_enabled              INTEGER NOT NULL DEFAULT 0,
    require_password_change  INTEGER NOT NULL DEFAULT 0,
    custom_attributes        TEXT NOT NULL DEFAULT '{}',
    password_hash            TEXT,
    failed_logins            INTEGER NOT NULL DEFAULT 0,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    last_login_at            INTEGER,
    password_changed_at      INTEGER,
    deleted_at               INTEGER,
    version                  INTEGER NOT NULL DEFAULT 1
);

-- Every list query filters on tenant and `deleted_at IS NULL`, so the indexes are partial
-- on live users and lead with the tenant; each sort order has its own index.
CREATE UNIQUE INDEX users_email ON users (tenant_id, email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_username ON users (tenant_id, username)
    WHERE deleted_at IS NULL AND username IS NOT NULL;
CREATE INDEX users_created ON users (tenant_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX users_last_login ON users (tenant_id, last_login_at) WHERE deleted_at IS NULL;
CREATE INDEX users_display_name ON users (tenant_id, display_name COLLATE NOCASE)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status ON users (tenant_id, status, created_at) WHERE deleted_at IS NULL;
CREATE INDEX users_identity_source ON users (tenant_id, identity_source, created_at)
    WHERE deleted_at IS NULL;

-- Substring search over the names people search by: a trigram index answers
-- `MATCH '"ada"'` without scanning the table. Kept in step by the triggers below.
CREATE VIRTUAL TABLE users_search USING fts5 (
    email, username, first_name, last_name, display_name,
    content = 'users', content_rowid = 'seq', tokenize = 'trigram'
);

-- Words of one or two characters are too short for trigrams: they match the start of a
-- word ("li" finds Li, Lina and liam@...) through this index of word prefixes.
CREATE VIRTUAL TABLE users_words USING fts5 (
    email, username, first_name, last_name, display_name,
    content = 'users', content_rowid = 'seq', tokenize = 'unicode61', prefix = '1 2', detail = none
);

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, email, username, first_name, last_name, display_name)
    VALUES (new.seq, new.email, new.username, new.first_name, new.last_name, new.display_name);
    INSERT INTO users_words (rowid, email, username, first_name, last_name, display_name)
    VALUES (new.seq, new.email, new.username, new.first_name, new.last_name, new.display_name);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, username, first_name, last_name, display_name)
    VALUES ('delete', old.seq, old.email, old.username, old.first_name, old.last_name, old.display_name);
    INSERT INTO users_words (users_words, rowid, email, username, first_name, last_name, display_name)
    VALUES ('delete', old.seq, old.email, old.username, old.first_name, old.last_name, old.display_name);
END;

CREATE TRIGGER users_search_update
AFTER UPDATE OF email, username, first_name, last_name, display_name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, username, first_name, last_name, display_name)
    VALUES ('delete', old.seq, old.email, old.username, old.first_name, old.last_name, old.display_name);
    INSERT INTO users_search (rowid, email, username, first_name, last_name, display_name)
    VALUES (new.seq, new.email, new.username, new.first_name, new.last_name, new.display_name);
    INSERT INTO users_words (users_words, rowid, email, username, first_name, last_name, display_name)
    VALUES ('delete', old.seq, old.email, old.username, old.first_name, old.last_name, old.display_name);
    INSERT INTO users_words (rowid, email, username, first_name, last_name, display_name)
    VALUES (new.seq, new.email, new.username, new.first_name, new.last_name, new.display_name);
END;

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE roles (
    id           BLOB PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    -- The key of a built-in role (`viewer`, `editor`, `admin`); NULL for custom roles.
    builtin      TEXT,
    -- Space-separated permission names, such as `users:read users:write`.
    permissions  TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX roles_name ON roles (tenant_id, name COLLATE NOCASE);
CREATE UNIQUE INDEX roles_builtin ON roles (tenant_id, builtin) WHERE builtin IS NOT NULL;

CREATE TABLE user_roles (
    user_id  BLOB NOT NULL REFERENCES users (id),
    role_id  BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
CREATE INDEX user_roles_role ON user_roles (role_id, user_id);
