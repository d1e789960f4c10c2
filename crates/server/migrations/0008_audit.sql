-- The audit log: one row per change made through the API and per sign-in event,
-- written in the change's own transaction.

-- How many days events are kept; older ones are pruned in the background.
ALTER TABLE tenants ADD COLUMN audit_retention_days INTEGER NOT NULL DEFAULT 365;

-- `id` only grows (AUTOINCREMENT never reuses one, even after pruning), and SQLite has
-- one writer at a time, so newest-first paging by id is stable while events arrive.
-- Names are copied as they were then: the actor or target may be renamed or deleted.
-- `changes` is a JSON array of {field, before, after} (secrets: {field, secret: true}).
CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT NOT NULL,
    occurred_at     INTEGER NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        BLOB,
    actor_name      TEXT,
    api_key_id      BLOB,
    api_key_name    TEXT,
    action          TEXT NOT NULL,
    target_type     TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    target_name     TEXT NOT NULL,
    changes         TEXT NOT NULL DEFAULT '[]',
    reason          TEXT,
    request_id      TEXT,
    client_ip       TEXT,
    user_agent      TEXT
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_target ON audit_events (tenant_id, target_type, target_id, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, id);
CREATE INDEX audit_events_action ON audit_events (tenant_id, action, id);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
CREATE INDEX audit_events_request ON audit_events (request_id);

-- Append-only: nothing may rewrite history. (Deleting is left to retention pruning.)
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be changed');
END;
