-- Invites, the outbox that carries mail, and password-reset links.

CREATE TABLE invites (
    id                BLOB PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    email             TEXT NOT NULL,
    -- SHA-256 of the code in the link; the code itself is never stored.
    code_hash         BLOB NOT NULL UNIQUE,
    -- PENDING, ACCEPTED or REVOKED; a PENDING invite past expires_at is expired.
    status            TEXT NOT NULL,
    message           TEXT,
    invited_by        BLOB REFERENCES users (id),
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    accepted_at       INTEGER,
    accepted_user_id  BLOB REFERENCES users (id),
    revoked_at        INTEGER,
    -- The latest message carrying it.
    mail_id           BLOB
);
-- One pending invite per address.
CREATE UNIQUE INDEX invites_pending ON invites (tenant_id, email) WHERE status = 'PENDING';
CREATE INDEX invites_created ON invites (tenant_id, created_at);
CREATE INDEX invites_expires ON invites (tenant_id, expires_at);
CREATE INDEX invites_email ON invites (tenant_id, email);
CREATE INDEX invites_status ON invites (tenant_id, status, created_at);

CREATE TABLE invite_roles (
    invite_id  BLOB NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    role_id    BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (invite_id, role_id)
) WITHOUT ROWID;

CREATE TABLE invite_groups (
    invite_id  BLOB NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    group_id   BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (invite_id, group_id)
) WITHOUT ROWID;

-- Mail waiting to be sent, sent, or failing. A server restart loses nothing; a worker
-- claims due messages for a minute at a time, so two servers never send one twice.
-- The bodies carry the link (the only copy of its secret) until the message is sent,
-- then they are blanked.
CREATE TABLE outbox (
    id               BLOB PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    kind             TEXT NOT NULL,
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    user_id          BLOB REFERENCES users (id),
    -- QUEUED, SENT or FAILED (the last attempt failed; next_attempt_at, if set, retries).
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    claimed_until    INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX outbox_user ON outbox (user_id, created_at);

-- Single-use links to choose a password (reset, or welcome).
CREATE TABLE password_resets (
    token_hash  BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX password_resets_user ON password_resets (user_id);
