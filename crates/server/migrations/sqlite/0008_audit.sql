-- The audit log: one row per change made through the API and per sign-in event,
-- written in the change's own transaction.

-- How many days events are kept; older ones are pruned in the background.
ALTER TABLE tenants ADD COLUMN audit_retention_days INTEGER NOT NULL DEFAULT 365;

-- Newest first means by `occurred_at`, then `id` (which only grows: AUTOINCREMENT never
-- reuses one, even after pruning); `occurred_at` is taken while the transaction holds
-- SQLite's one write lock, so a page read by (occurred_at, id) is never shifted by
-- events that arrive later. Names are copied as they were then: the actor or target may
-- be renamed or deleted. `changes` is a JSON array of {field, before, after} (secrets:
-- {field, secret: true}).
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
-- Each filter is an index range already in page order.
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at, id);
CREATE INDEX audit_events_target ON audit_events (tenant_id, target_type, target_id, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, occurred_at, id);
CREATE INDEX audit_events_action ON audit_events (tenant_id, action, occurred_at, id);
CREATE INDEX audit_events_request ON audit_events (request_id);

-- Free text: a trigram index (substring, case-insensitive) over the names, reason and
-- changed values of each event. Contentless: the text lives only in audit_events.
CREATE VIRTUAL TABLE audit_search USING fts5 (
    body, content = '', contentless_delete = 1, tokenize = 'trigram'
);
CREATE TRIGGER audit_events_search_insert AFTER INSERT ON audit_events
BEGIN
    INSERT INTO audit_search (rowid, body) VALUES (new.id,
        coalesce(new.actor_name, '') || ' ' || coalesce(new.api_key_name, '') || ' ' ||
        new.target_name || ' ' || coalesce(new.reason, '') || ' ' || new.changes);
END;
CREATE TRIGGER audit_events_search_delete AFTER DELETE ON audit_events
BEGIN
    DELETE FROM audit_search WHERE rowid = old.id;
END;

-- Append-only: nothing may rewrite history. (Deleting is left to retention pruning.)
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be changed');
END;
