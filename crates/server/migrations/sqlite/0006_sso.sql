-- Single sign-on connections, their group mappings, and the people they sign in.

-- One identity provider a tenant trusts. The OIDC client secret must be readable to
-- redeem codes, so it is stored as given (like TOTP secrets: protect the database file)
-- and never returned by the API. The SAML certificate is the IdP's public PEM.
CREATE TABLE sso_connections (
    id                     BLOB PRIMARY KEY,
    tenant_id              TEXT NOT NULL REFERENCES tenants (id),
    protocol               TEXT NOT NULL,
    preset                 TEXT NOT NULL,
    title                  TEXT NOT NULL,
    enabled                INTEGER NOT NULL,
    first_sign_in          TEXT NOT NULL,
    groups_claim           TEXT NOT NULL,
    oidc_issuer            TEXT,
    oidc_client_id         TEXT,
    oidc_client_secret     TEXT,
    oidc_scopes            TEXT,
    token_leeway_seconds   INTEGER NOT NULL DEFAULT 60,
    saml_entity_id         TEXT,
    saml_login_url         TEXT,
    saml_certificate       TEXT,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sso_connections_tenant ON sso_connections (tenant_id, title);

-- IdP group → Gatehouse groups and roles, many to many.
CREATE TABLE sso_mapping_groups (
    connection_id  BLOB NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    idp_group      TEXT NOT NULL,
    group_id       BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (connection_id, idp_group, group_id)
) WITHOUT ROWID;
CREATE TABLE sso_mapping_roles (
    connection_id  BLOB NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    idp_group      TEXT NOT NULL,
    role_id        BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (connection_id, idp_group, role_id)
) WITHOUT ROWID;

-- Who a user is at the provider that signed them in (`sub`, or the SAML NameID).
ALTER TABLE users ADD COLUMN sso_connection_id BLOB;
ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_subject ON users (sso_connection_id, sso_subject)
    WHERE sso_connection_id IS NOT NULL AND deleted_at IS NULL;

-- A sign-in under way: the browser went to the provider with `state` (stored as a
-- hash), and comes back with it once. The nonce and PKCE verifier are secrets of this
-- server, not of the browser.
CREATE TABLE sso_logins (
    state_hash     BLOB PRIMARY KEY,
    connection_id  BLOB NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL,
    expires_at     INTEGER NOT NULL
) WITHOUT ROWID;

-- The single-use code the console exchanges for a session after a sign-in.
CREATE TABLE sso_codes (
    code_hash   BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id),
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Memberships and roles a connection gave, so a later sign-in can take back what the
-- provider no longer says, and leave alone what an administrator gave by hand.
CREATE TABLE sso_memberships (
    user_id        BLOB NOT NULL REFERENCES users (id),
    connection_id  BLOB NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    group_id       BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, connection_id, group_id)
) WITHOUT ROWID;
CREATE TABLE sso_role_grants (
    user_id        BLOB NOT NULL REFERENCES users (id),
    connection_id  BLOB NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    role_id        BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, connection_id, role_id)
) WITHOUT ROWID;
