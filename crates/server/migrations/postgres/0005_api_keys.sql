-- API keys and service accounts.

-- PERSON signs in; SERVICE never does (no password) and exists to own API keys.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'PERSON';
CREATE INDEX users_tenant_kind ON users (tenant_id, kind, created_at, seq);

-- The longest an API key may live, in days; NULL: no limit (keys may never expire).
ALTER TABLE tenants ADD COLUMN api_key_max_days BIGINT DEFAULT 365;

-- A key is `gh_<prefix>_<secret>`: the prefix is stored to find the key and to show it,
-- the whole key only as its SHA-256 (the secret has about 238 random bits, so a slow
-- hash adds nothing). `permissions` is a space-separated subset, NULL for the owner's.
CREATE TABLE api_keys (
    id              UUID PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    owner_id        UUID NOT NULL REFERENCES users (id),
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL UNIQUE,
    secret_hash     BYTEA NOT NULL,
    permissions     TEXT,
    created_by      UUID REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,
    last_used_at    BIGINT,
    revoked_at      BIGINT,
    revoked_by      UUID REFERENCES users (id),
    revoked_reason  TEXT,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX api_keys_tenant_created ON api_keys (tenant_id, created_at);
CREATE INDEX api_keys_owner_created ON api_keys (owner_id, created_at);
CREATE INDEX api_keys_tenant_expires ON api_keys (tenant_id, expires_at);
