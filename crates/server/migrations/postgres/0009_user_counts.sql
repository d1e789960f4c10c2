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
-- an update takes the old row away (if it was live) and adds the new one (if it is
-- live). Rows at 0 stay; a missing row is never made negative. Once per statement,
-- from its transition tables: a row trigger would update the same counts row once
-- per user, and within one transaction each such update walks every earlier version
-- of the row (a demo of 100,000 users took minutes).
CREATE FUNCTION user_counts_apply(tenants TEXT[], statuses TEXT[], changes BIGINT[])
RETURNS void LANGUAGE sql AS $$
    WITH delta AS (
        SELECT tenant_id, status, SUM(n) AS n
          FROM unnest(tenants, statuses, changes) AS moved (tenant_id, status, n)
         GROUP BY tenant_id, status HAVING SUM(n) <> 0
    ), updated AS (
        UPDATE user_counts c SET users = c.users + d.n FROM delta d
         WHERE c.tenant_id = d.tenant_id AND c.status = d.status
        RETURNING c.tenant_id, c.status
    )
    INSERT INTO user_counts (tenant_id, status, users)
        SELECT d.tenant_id, d.status, d.n FROM delta d
         WHERE d.n > 0 AND NOT EXISTS (
            SELECT 1 FROM updated u WHERE u.tenant_id = d.tenant_id AND u.status = d.status);
$$;

CREATE FUNCTION user_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM user_counts_apply(array_agg(tenant_id), array_agg(status), array_agg(1::BIGINT))
       FROM new_rows WHERE deleted_at IS NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_insert();

CREATE FUNCTION user_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM user_counts_apply(array_agg(tenant_id), array_agg(status), array_agg(-1::BIGINT))
       FROM old_rows WHERE deleted_at IS NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_delete();

-- A trigger with transition tables cannot name columns, so this one sees every update;
-- most (a sign-in's time, a new name) move no count and write nothing.
CREATE FUNCTION user_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM user_counts_apply(array_agg(tenant_id), array_agg(status), array_agg(n))
       FROM (SELECT tenant_id, status, -1::BIGINT AS n FROM old_rows WHERE deleted_at IS NULL
             UNION ALL
             SELECT tenant_id, status, 1 FROM new_rows WHERE deleted_at IS NULL) moved;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_update();

-- A status filter sorted by last sign-in, name or email reads its index in order
-- instead of sorting every user in the status; the status index already ends in the
-- creation time. (Ending in `seq`, NULLs first: see 0001.)
CREATE INDEX users_status_last_login ON users (tenant_id, status, last_login_at NULLS FIRST, seq)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status_display_name
    ON users (tenant_id, status, display_name COLLATE nocase NULLS FIRST, seq)
    WHERE deleted_at IS NULL;
CREATE INDEX users_status_email ON users (tenant_id, status, email, seq) WHERE deleted_at IS NULL;
