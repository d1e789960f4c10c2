-- How many live users each tenant has in each status, kept in step by triggers, so the
-- users list's total (all users, or one status) is read from a handful of rows instead
-- of counted over an index of a million.
CREATE TABLE user_counts (
    tenant_id  TEXT NOT NULL,
    status     TEXT NOT NULL,
    users      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, status)
) WITHOUT ROWID;

INSERT INTO user_counts (tenant_id, status, users)
    SELECT tenant_id, status, COUNT(*) FROM users WHERE deleted_at IS NULL
     GROUP BY tenant_id, status;

CREATE TRIGGER user_counts_insert AFTER INSERT ON users WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO user_counts (tenant_id, status, users) VALUES (NEW.tenant_id, NEW.status, 1)
        ON CONFLICT (tenant_id, status) DO UPDATE SET users = users + 1;
END;

CREATE TRIGGER user_counts_delete AFTER DELETE ON users WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE user_counts SET users = users - 1
     WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
END;

CREATE TRIGGER user_counts_update AFTER UPDATE OF tenant_id, status, deleted_at ON users BEGIN
    UPDATE user_counts SET users = users - 1
     WHERE OLD.deleted_at IS NULL AND tenant_id = OLD.tenant_id AND status = OLD.status;
    INSERT INTO user_counts (tenant_id, status, users)
        SELECT NEW.tenant_id, NEW.status, 1 WHERE NEW.deleted_at IS NULL
        ON CONFLICT (tenant_id, status) DO UPDATE SET users = users + 1;
END;

-- A status filter sorted by last sign-in, name or email reads its index in order
-- instead of sorting every user in the status (30,000 of a million are locked); the
-- status index already ends in the creation time.
CREATE INDEX users_status_last_login ON users (tenant_id, status, last_login_at)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status_display_name ON users (tenant_id, status, display_name COLLATE NOCASE)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status_email ON users (tenant_id, status, email) WHERE deleted_at IS NULL;
