-- How many live users each tenant has in each status, kept in step by triggers, so the
-- users list's total (all users, or one status) is read from a handful of rows instead
-- of counted over an index of a million.
CREATE TABLE user_counts (
    tenant_id  TEXT NOT NULL,
    status     TEXT NOT NULL,
    users      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, status)
);

INSERT INTO user_counts (tenant_id, status, users)
    SELECT tenant_id, status, COUNT(*) FROM users WHERE deleted_at IS NULL
     GROUP BY tenant_id, status;

-- A live user counts in its (tenant, status): an insert adds it, a delete takes it away,
-- an update that names tenant_id, status or deleted_at takes the old row away (if it was
-- live) and adds the new one (if it is live). Rows at 0 stay.
CREATE FUNCTION user_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_counts (tenant_id, status, users) VALUES (NEW.tenant_id, NEW.status, 1)
        ON CONFLICT (tenant_id, status) DO UPDATE SET users = user_counts.users + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_insert AFTER INSERT ON users
    FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION user_counts_insert();

CREATE FUNCTION user_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts SET users = users - 1
     WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION user_counts_delete();

CREATE FUNCTION user_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.deleted_at IS NULL THEN
        UPDATE user_counts SET users = users - 1
         WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
    END IF;
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO user_counts (tenant_id, status, users) VALUES (NEW.tenant_id, NEW.status, 1)
            ON CONFLICT (tenant_id, status) DO UPDATE SET users = user_counts.users + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- Like SQLite's `UPDATE OF`: fires when the UPDATE names one of these columns.
CREATE TRIGGER user_counts_update AFTER UPDATE OF tenant_id, status, deleted_at ON users
    FOR EACH ROW EXECUTE FUNCTION user_counts_update();

-- A status filter sorted by last sign-in, name or email reads its index in order
-- instead of sorting every user in the status; the status index already ends in the
-- creation time. (Ending in `seq`, NULLs first: see 0001.)
CREATE INDEX users_status_last_login ON users (tenant_id, status, last_login_at NULLS FIRST, seq)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status_display_name
    ON users (tenant_id, status, display_name COLLATE nocase NULLS FIRST, seq)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status_email ON users (tenant_id, status, email, seq) WHERE deleted_at IS NULL;
