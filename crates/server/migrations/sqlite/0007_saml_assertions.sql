-- SAML assertions already used to sign in, kept until they would be refused as too old
-- anyway: the same signed answer cannot be played twice.
CREATE TABLE sso_saml_assertions (
    connection_id  BLOB NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    assertion_id   TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
) WITHOUT ROWID;
