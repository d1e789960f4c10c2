//! SSO connections and their mappings.

use std::collections::BTreeMap;

use gatehouse_api::groups::GroupRef;
use gatehouse_api::query::NameQuery;
use gatehouse_api::roles::RoleRef;
use gatehouse_api::sso::{
    CertificateInfo, FirstSignIn, Mapping, MappingInput, OidcSettings, ProviderPreset,
    PublicConnection, SamlSettings, SsoConnection, SsoProtocol,
};
use uuid::Uuid;

use super::engine::{query, query_scalar, Conn, DbRow};
use super::{name_page, now_ms, to_time, Db};

/// Everything a connection stores, secrets included: what the server signs in with.
#[derive(Clone, Debug)]
pub struct Stored {
    pub id: Uuid,
    pub tenant_id: String,
    pub protocol: SsoProtocol,
    pub preset: ProviderPreset,
    pub title: String,
    pub enabled: bool,
    pub first_sign_in: FirstSignIn,
    pub groups_claim: String,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub oidc_scopes: Vec<String>,
    pub token_leeway_seconds: u32,
    pub saml_entity_id: Option<String>,
    pub saml_login_url: Option<String>,
    pub saml_certificate: Option<String>,
}

fn enum_text<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(column: &str, value: String) -> sqlx::Result<T> {
    serde_json::from_value(serde_json::Value::String(value.clone())).map_err(|_| {
        sqlx::Error::ColumnDecode {
            index: column.into(),
            source: format!("unexpected value {value:?}").into(),
        }
    })
}

const COLUMNS: &str =
    "id, tenant_id, protocol, preset, title, enabled, first_sign_in, groups_claim, \
    oidc_issuer, oidc_client_id, oidc_client_secret, oidc_scopes, token_leeway_seconds, \
    saml_entity_id, saml_login_url, saml_certificate, created_at, updated_at, version";

fn stored_from(row: &DbRow) -> sqlx::Result<Stored> {
    Ok(Stored {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        protocol: parse_enum("protocol", row.try_get("protocol")?)?,
        preset: parse_enum("preset", row.try_get("preset")?)?,
        title: row.try_get("title")?,
        enabled: row.try_get("enabled")?,
        first_sign_in: parse_enum("first_sign_in", row.try_get("first_sign_in")?)?,
        groups_claim: row.try_get("groups_claim")?,
        oidc_issuer: row.try_get("oidc_issuer")?,
        oidc_client_id: row.try_get("oidc_client_id")?,
        oidc_client_secret: row.try_get("oidc_client_secret")?,
        oidc_scopes: row
            .try_get::<Option<String>, _>("oidc_scopes")?
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        token_leeway_seconds: row
            .try_get::<i64, _>("token_leeway_seconds")?
            .try_into()
            .unwrap_or(60),
        saml_entity_id: row.try_get("saml_entity_id")?,
        saml_login_url: row.try_get("saml_login_url")?,
        saml_certificate: row.try_get("saml_certificate")?,
    })
}

/// A connection as the API shows it (no secret), before its mappings are filled in.
fn shown_from(
    row: &DbRow,
    certificate: impl Fn(&str) -> Option<CertificateInfo>,
) -> sqlx::Result<SsoConnection> {
    let s = stored_from(row)?;
    let oidc = (s.protocol == SsoProtocol::Oidc).then(|| OidcSettings {
        issuer: s.oidc_issuer.clone().unwrap_or_default(),
        client_id: s.oidc_client_id.clone().unwrap_or_default(),
        client_secret_set: s
            .oidc_client_secret
            .as_deref()
            .is_some_and(|v| !v.is_empty()),
        scopes: s.oidc_scopes.clone(),
        groups_claim: s.groups_claim.clone(),
        token_expiration_threshold_seconds: s.token_leeway_seconds,
    });
    let saml = (s.protocol == SsoProtocol::Saml2).then(|| SamlSettings {
        idp_entity_id: s.saml_entity_id.clone().unwrap_or_default(),
        login_url: s.saml_login_url.clone().unwrap_or_default(),
        certificate: s.saml_certificate.as_deref().and_then(&certificate),
        groups_attribute: s.groups_claim.clone(),
    });
    Ok(SsoConnection {
        id: s.id,
        tenant_id: s.tenant_id,
        protocol: s.protocol,
        preset: s.preset,
        title: s.title,
        enabled: s.enabled,
        first_sign_in: s.first_sign_in,
        oidc,
        saml,
        mappings: Vec::new(),
        user_count: 0,
        created_at: to_time(row.try_get("created_at")?),
        updated_at: to_time(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

/// Writes every column of a connection (a new one, or over an old one at `version`);
/// `false` when the old one is not at `version` any more.
pub async fn save(
    conn: &mut Conn,
    connection: &Stored,
    version: Option<i64>,
) -> sqlx::Result<bool> {
    let now = now_ms();
    let scopes = connection.oidc_scopes.join(" ");
    let sql = match version {
        None => format!(
            "INSERT INTO sso_connections ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, 1)"
        ),
        Some(_) => "UPDATE sso_connections SET protocol = ?3, preset = ?4, title = ?5, enabled = ?6,
                 first_sign_in = ?7, groups_claim = ?8, oidc_issuer = ?9, oidc_client_id = ?10,
                 oidc_client_secret = ?11, oidc_scopes = ?12, token_leeway_seconds = ?13,
                 saml_entity_id = ?14, saml_login_url = ?15, saml_certificate = ?16,
                 updated_at = ?17, version = version + 1
             WHERE id = ?1 AND tenant_id = ?2 AND version = ?18"
            .to_owned(),
    };
    let done = query(&sql)
        .bind(connection.id)
        .bind(&connection.tenant_id)
        .bind(enum_text(connection.protocol))
        .bind(enum_text(connection.preset))
        .bind(&connection.title)
        .bind(connection.enabled)
        .bind(connection.first_sign_in.as_str())
        .bind(&connection.groups_claim)
        .bind(&connection.oidc_issuer)
        .bind(&connection.oidc_client_id)
        .bind(&connection.oidc_client_secret)
        .bind(scopes)
        .bind(i64::from(connection.token_leeway_seconds))
        .bind(&connection.saml_entity_id)
        .bind(&connection.saml_login_url)
        .bind(&connection.saml_certificate)
        .bind(now)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a connection's mappings.
pub async fn set_mappings(
    conn: &mut Conn,
    id: Uuid,
    mappings: &[MappingInput],
) -> sqlx::Result<()> {
    for table in ["sso_mapping_groups", "sso_mapping_roles"] {
        query(format!("DELETE FROM {table} WHERE connection_id = ?"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for mapping in mappings {
        let idp_group = mapping.idp_group.trim();
        for group in &mapping.group_ids {
            query("INSERT INTO sso_mapping_groups (connection_id, idp_group, group_id) VALUES (?, ?, ?)")
                .bind(id)
                .bind(idp_group)
                .bind(group)
                .execute(&mut *conn)
                .await?;
        }
        for role in &mapping.role_ids {
            query("INSERT INTO sso_mapping_roles (connection_id, idp_group, role_id) VALUES (?, ?, ?)")
                .bind(id)
                .bind(idp_group)
                .bind(role)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// A connection's mappings, by IdP group (sorted), with names.
pub async fn mappings(conn: &mut Conn, id: Uuid) -> sqlx::Result<Vec<Mapping>> {
    let mut by_group: BTreeMap<String, Mapping> = BTreeMap::new();
    for row in query(
        "SELECT m.idp_group, g.id, g.name, g.color FROM sso_mapping_groups m JOIN groups g ON g.id = m.group_id
         WHERE m.connection_id = ? ORDER BY g.name COLLATE NOCASE",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        let idp_group: String = row.try_get(0)?;
        by_group
            .entry(idp_group.clone())
            .or_insert_with(|| empty_mapping(idp_group))
            .groups
            .push(GroupRef {
                id: row.try_get(1)?,
                name: row.try_get(2)?,
                color: row.try_get(3)?,
            });
    }
    for row in query(
        "SELECT m.idp_group, r.id, r.name FROM sso_mapping_roles m JOIN roles r ON r.id = m.role_id
         WHERE m.connection_id = ? ORDER BY r.name COLLATE NOCASE",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        let idp_group: String = row.try_get(0)?;
        by_group
            .entry(idp_group.clone())
            .or_insert_with(|| empty_mapping(idp_group))
            .roles
            .push(RoleRef {
                id: row.try_get(1)?,
                name: row.try_get(2)?,
            });
    }
    Ok(by_group.into_values().collect())
}

fn empty_mapping(idp_group: String) -> Mapping {
    Mapping {
        idp_group,
        groups: Vec::new(),
        roles: Vec::new(),
    }
}

async fn user_count(conn: &mut Conn, id: Uuid) -> sqlx::Result<u64> {
    let n: i64 = query_scalar(
        "SELECT COUNT(*) FROM users WHERE sso_connection_id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// What the server needs to sign in through a connection, secret included.
pub async fn stored(db: &Db, tenant: Option<&str>, id: Uuid) -> sqlx::Result<Option<Stored>> {
    let row = query(format!(
        "SELECT {COLUMNS} FROM sso_connections WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(stored_from).transpose()
}

/// A connection as the API shows it.
pub async fn get(
    db: &Db,
    tenant: &str,
    id: Uuid,
    certificate: impl Fn(&str) -> Option<CertificateInfo>,
) -> sqlx::Result<Option<SsoConnection>> {
    get_in(&mut db.acquire().await?, tenant, id, certificate).await
}

/// A connection as the API shows it, inside a transaction.
pub async fn get_in(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    certificate: impl Fn(&str) -> Option<CertificateInfo>,
) -> sqlx::Result<Option<SsoConnection>> {
    let row = query(format!(
        "SELECT {COLUMNS} FROM sso_connections WHERE id = ? AND tenant_id = ?"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut connection = shown_from(&row, certificate)?;
    connection.mappings = mappings(&mut *conn, id).await?;
    connection.user_count = user_count(conn, id).await?;
    Ok(Some(connection))
}

/// A page of the tenant's connections, searched by title.
pub async fn list(
    db: &Db,
    tenant: &str,
    query: &NameQuery,
    certificate: impl Fn(&str) -> Option<CertificateInfo> + Copy,
) -> sqlx::Result<(Vec<SsoConnection>, u64)> {
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let (rows, total) = name_page_by_title(db, &columns, tenant, query).await?;
    let mut found = Vec::with_capacity(rows.len());
    let mut conn = db.acquire().await?;
    for row in &rows {
        let mut connection = shown_from(row, certificate)?;
        connection.mappings = mappings(&mut conn, connection.id).await?;
        connection.user_count = user_count(&mut conn, connection.id).await?;
        found.push(connection);
    }
    Ok((found, total))
}

async fn name_page_by_title(
    db: &Db,
    columns: &str,
    tenant: &str,
    query: &NameQuery,
) -> sqlx::Result<(Vec<DbRow>, u64)> {
    // `name_page` searches a `name` column; connections call theirs `title`.
    name_page(
        db,
        columns,
        "(SELECT *, title AS name FROM sso_connections) c",
        "c.title COLLATE NOCASE, c.id",
        tenant,
        query,
    )
    .await
}

pub async fn delete(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<bool> {
    query("UPDATE users SET sso_connection_id = NULL WHERE sso_connection_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let done = query("DELETE FROM sso_connections WHERE id = ? AND tenant_id = ?")
        .bind(id)
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The enabled connections of a tenant, for its sign-in page.
pub async fn public(db: &Db, tenant: &str) -> sqlx::Result<Vec<PublicConnection>> {
    let rows = query(
        "SELECT id, title, protocol FROM sso_connections
         WHERE tenant_id = ? AND enabled ORDER BY title COLLATE NOCASE",
    )
    .bind(tenant)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublicConnection {
                id: r.try_get(0)?,
                title: r.try_get(1)?,
                protocol: parse_enum("protocol", r.try_get(2)?)?,
            })
        })
        .collect()
}

/// A sign-in under way, as stored when the browser left for the provider.
pub struct PendingLogin {
    pub connection_id: Uuid,
    /// OIDC: the ID token's nonce. SAML: the AuthnRequest's id, which the answer must be
    /// `InResponseTo`.
    pub nonce: String,
    /// OIDC only (empty for SAML).
    pub pkce_verifier: String,
    pub return_to: String,
}

pub async fn start_login(
    db: &Db,
    state_hash: &[u8],
    login: &PendingLogin,
    expires_at: i64,
) -> sqlx::Result<()> {
    query("DELETE FROM sso_logins WHERE expires_at <= ?")
        .bind(now_ms())
        .execute(db)
        .await?;
    query(
        "INSERT INTO sso_logins (state_hash, connection_id, nonce, pkce_verifier, return_to, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(state_hash)
    .bind(login.connection_id)
    .bind(&login.nonce)
    .bind(&login.pkce_verifier)
    .bind(&login.return_to)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the sign-in with this state, once: it is gone afterwards, and `None` if it was
/// never started, already finished, or expired.
pub async fn take_login(db: &Db, state_hash: &[u8]) -> sqlx::Result<Option<PendingLogin>> {
    let row = query(
        "DELETE FROM sso_logins WHERE state_hash = ? AND expires_at > ?
         RETURNING connection_id, nonce, pkce_verifier, return_to",
    )
    .bind(state_hash)
    .bind(now_ms())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(PendingLogin {
            connection_id: r.try_get(0)?,
            nonce: r.try_get(1)?,
            pkce_verifier: r.try_get(2)?,
            return_to: r.try_get(3)?,
        })
    })
    .transpose()
}

pub async fn issue_code(
    conn: &mut Conn,
    code_hash: &[u8],
    user: Uuid,
    expires_at: i64,
) -> sqlx::Result<()> {
    query("INSERT INTO sso_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)")
        .bind(code_hash)
        .bind(user)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The user a sign-in code is for, once.
pub async fn take_code(db: &Db, code_hash: &[u8]) -> sqlx::Result<Option<Uuid>> {
    query_scalar("DELETE FROM sso_codes WHERE code_hash = ? AND expires_at > ? RETURNING user_id")
        .bind(code_hash)
        .bind(now_ms())
        .fetch_optional(db)
        .await
}

/// Records a SAML assertion as used. `false`: it already was, and this is a replay.
pub async fn remember_assertion(
    db: &Db,
    connection: Uuid,
    assertion_id: &str,
    expires_at: i64,
) -> sqlx::Result<bool> {
    query("DELETE FROM sso_saml_assertions WHERE expires_at <= ?")
        .bind(now_ms())
        .execute(db)
        .await?;
    let inserted = query(
        "INSERT INTO sso_saml_assertions (connection_id, assertion_id, expires_at)
         VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(connection)
    .bind(assertion_id)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The live user this connection knows by `subject`.
pub async fn user_by_subject(
    conn: &mut Conn,
    connection: Uuid,
    subject: &str,
) -> sqlx::Result<Option<Uuid>> {
    query_scalar(
        "SELECT id FROM users WHERE sso_connection_id = ? AND sso_subject = ? AND deleted_at IS NULL",
    )
    .bind(connection)
    .bind(subject)
    .fetch_optional(conn)
    .await
}

/// Marks a user as known to a connection by `subject`.
pub async fn link_user(
    conn: &mut Conn,
    user: Uuid,
    connection: Uuid,
    subject: &str,
) -> sqlx::Result<()> {
    query("UPDATE users SET sso_connection_id = ?, sso_subject = ? WHERE id = ?")
        .bind(connection)
        .bind(subject)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// One kind of access a connection can give: where it is held, and where the
/// connection's share of it is remembered.
struct Grants {
    /// The table holding the access (`group_members`, `user_roles`) and its column for
    /// the group or role.
    held: &'static str,
    held_column: &'static str,
    /// The table remembering what the connection gave, and its column.
    given: &'static str,
    given_column: &'static str,
    /// Adds the access (the group or role, the user, and for memberships the time).
    insert: &'static str,
}

const MEMBERSHIPS: Grants = Grants {
    held: "group_members",
    held_column: "group_id",
    given: "sso_memberships",
    given_column: "group_id",
    insert: "INSERT INTO group_members (group_id, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
};
const ROLES: Grants = Grants {
    held: "user_roles",
    held_column: "role_id",
    given: "sso_role_grants",
    given_column: "role_id",
    insert: "INSERT INTO user_roles (role_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
};

/// Brings the memberships and roles a connection gave a user in line with `groups` and
/// `roles`: adds what is missing (remembering it came from the connection), takes back
/// what the connection gave and no longer says, and leaves everything else alone.
pub async fn sync_grants(
    conn: &mut Conn,
    user: Uuid,
    connection: Uuid,
    groups: &[Uuid],
    roles: &[Uuid],
) -> sqlx::Result<()> {
    sync(conn, &MEMBERSHIPS, user, connection, groups).await?;
    sync(conn, &ROLES, user, connection, roles).await
}

async fn sync(
    conn: &mut Conn,
    kind: &Grants,
    user: Uuid,
    connection: Uuid,
    wanted: &[Uuid],
) -> sqlx::Result<()> {
    let Grants {
        held,
        held_column,
        given,
        given_column,
        insert,
    } = kind;
    let gave: Vec<Uuid> = query_scalar(format!(
        "SELECT {given_column} FROM {given} WHERE user_id = ? AND connection_id = ?"
    ))
    .bind(user)
    .bind(connection)
    .fetch_all(&mut *conn)
    .await?;
    for target in gave.iter().filter(|t| !wanted.contains(t)) {
        query(format!(
            "DELETE FROM {held} WHERE {held_column} = ? AND user_id = ?"
        ))
        .bind(target)
        .bind(user)
        .execute(&mut *conn)
        .await?;
        query(format!(
            "DELETE FROM {given} WHERE user_id = ? AND connection_id = ? AND {given_column} = ?"
        ))
        .bind(user)
        .bind(connection)
        .bind(target)
        .execute(&mut *conn)
        .await?;
    }
    for target in wanted.iter().filter(|t| !gave.contains(t)) {
        let mut add = query(insert).bind(target).bind(user);
        if insert.contains("added_at") {
            add = add.bind(now_ms());
        }
        let added = add.execute(&mut *conn).await?;
        // Access an administrator gave stays theirs.
        if added.rows_affected() == 1 {
            query(format!(
                "INSERT INTO {given} (user_id, connection_id, {given_column}) VALUES (?, ?, ?)"
            ))
            .bind(user)
            .bind(connection)
            .bind(target)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Sets what signing in through a provider says of a user: where the identity comes
/// from, the status a new account starts in, whether the address is verified, names.
pub async fn set_identity(
    conn: &mut Conn,
    user: Uuid,
    source: gatehouse_api::users::IdentitySource,
    status: Option<gatehouse_api::users::UserStatus>,
    email_verified: bool,
    names: (Option<&str>, Option<&str>),
) -> sqlx::Result<()> {
    query(
        "UPDATE users SET identity_source = ?1, status = COALESCE(?2, status), email_verified = ?3,
             first_name = COALESCE(?4, first_name), last_name = COALESCE(?5, last_name),
             updated_at = ?6, version = version + 1
         WHERE id = ?7",
    )
    .bind(source.as_str())
    .bind(status.map(|s| s.as_str()))
    .bind(email_verified)
    .bind(names.0)
    .bind(names.1)
    .bind(now_ms())
    .bind(user)
    .execute(conn)
    .await?;
    Ok(())
}
