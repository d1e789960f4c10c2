-- Sign-in security: throttling instead of permanent lockout, second factors, session
-- restrictions and re-confirmation, the tenant's MFA policy.

-- Failed sign-ins per key: `account:<tenant>:<email>` (whether or not the account
-- exists, so answers reveal nothing) and `client:<address>`. A key over its limit is
-- blocked until `blocked_until`; `strikes` doubles each new block of an account.
CREATE TABLE sign_in_throttle (
    key                TEXT PRIMARY KEY,
    failures           INTEGER NOT NULL DEFAULT 0,
    window_started_at  INTEGER NOT NULL,
    blocked_until      INTEGER NOT NULL DEFAULT 0,
    strikes            INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- When the session last proved who is at the keyboard (sign-in, or a confirmation);
-- dangerous actions need it to be recent.
ALTER TABLE sessions ADD COLUMN confirmed_at INTEGER NOT NULL DEFAULT 0;
-- The tenant's policy asked for a second factor when the session began, and the user
-- had none: until they set one up, the session can do nothing else.
ALTER TABLE sessions ADD COLUMN mfa_enrolment_required INTEGER NOT NULL DEFAULT 0;

-- TOTP: the active secret (base32), a secret being set up, and the last time step a
-- code was accepted for (a code works once).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE mfa_recovery_codes (
    user_id    BLOB NOT NULL REFERENCES users (id),
    code_hash  BLOB NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- The second step of a sign-in: issued after the right password, single use.
CREATE TABLE mfa_challenges (
    token_hash  BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id),
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

ALTER TABLE tenants ADD COLUMN mfa_policy TEXT NOT NULL DEFAULT 'OPTIONAL';
ALTER TABLE tenants ADD COLUMN settings_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE tenant_mfa_roles (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    role_id    BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, role_id)
) WITHOUT ROWID;
