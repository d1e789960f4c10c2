-- Periodic work that any server may do but only one should (removing expired sessions,
-- pruning old audit events): a server that finds a chore due moves its due time on in
-- the same statement, so every other server sees it as not due.
CREATE TABLE chores (
    name    TEXT PRIMARY KEY,
    -- When it is next due (ms since the epoch).
    due_at  INTEGER NOT NULL,
    -- How many times a server has taken it.
    runs    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
