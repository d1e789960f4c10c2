//! API keys: rows, the lists, and the lookup that authenticates a request.

use std::collections::BTreeSet;

use gatehouse_api::api_keys::{ApiKey, ApiKeyListQuery, ApiKeySortBy, ApiKeyStatus};
use gatehouse_api::query::SortOrder;
use gatehouse_api::Permission;
use uuid::Uuid;

use super::engine::{query, query_as, query_scalar, Conn, DbRow, QueryBuilder};
use super::sessions::parse_permissions;
use super::{like_pattern, now_ms, push_page, to_time, users, Db};

/// A new key, its secret already hashed.
pub struct NewKey<'a> {
    pub id: Uuid,
    pub tenant: &'a str,
    pub owner: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a [u8],
    pub permissions: Option<&'a BTreeSet<Permission>>,
    pub created_by: Uuid,
    pub expires_at: Option<i64>,
}

fn permissions_text(permissions: &BTreeSet<Permission>) -> String {
    permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn insert(conn: &mut Conn, key: &NewKey<'_>) -> sqlx::Result<()> {
    query(
        "INSERT INTO api_keys (id, tenant_id, owner_id, name, prefix, secret_hash, permissions, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(key.id)
    .bind(key.tenant)
    .bind(key.owner)
    .bind(key.name)
    .bind(key.prefix)
    .bind(key.secret_hash)
    .bind(key.permissions.map(permissions_text))
    .bind(key.created_by)
    .bind(now_ms())
    .bind(key.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// What authenticating with a key needs to know about it.
pub struct KeyCredentials {
    pub id: Uuid,
    pub tenant_id: String,
    pub owner_id: Uuid,
    pub secret_hash: Vec<u8>,
    /// `None`: all the owner's permissions.
    pub permissions: Option<BTreeSet<Permission>>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// The owner exists, is active and is not deleted.
    pub owner_active: bool,
}

/// The key with this visible prefix, if any.
pub async fn credentials(db: &Db, prefix: &str) -> sqlx::Result<Option<KeyCredentials>> {
    let row = query(
        "SELECT k.id, k.tenant_id, k.owner_id, k.secret_hash, k.permissions, k.expires_at, k.revoked_at,
                k.last_used_at, (u.status = 'ACTIVE' AND u.deleted_at IS NULL)
         FROM api_keys k JOIN users u ON u.id = k.owner_id WHERE k.prefix = ?",
    )
    .bind(prefix)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(KeyCredentials {
            id: r.try_get(0)?,
            tenant_id: r.try_get(1)?,
            owner_id: r.try_get(2)?,
            secret_hash: r.try_get(3)?,
            permissions: r
                .try_get::<Option<String>, _>(4)?
                .map(|p| parse_permissions(&p).collect()),
            expires_at: r.try_get(5)?,
            revoked_at: r.try_get(6)?,
            last_used_at: r.try_get(7)?,
            owner_active: r.try_get(8)?,
        })
    })
    .transpose()
}

/// Records that a key was used (callers keep this to about once a minute per key).
pub async fn touch(db: &Db, id: Uuid, at: i64) -> sqlx::Result<()> {
    query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

const COLUMNS: &str = "k.id, k.tenant_id, k.name, k.prefix, k.owner_id, k.created_by, k.created_at, \
     k.expires_at, k.last_used_at, k.revoked_at, k.revoked_by, k.revoked_reason, k.permissions, k.version";

/// A row, before the people it names are looked up.
struct Row0 {
    key: ApiKey,
    owner: Uuid,
    created_by: Option<Uuid>,
    revoked_by: Option<Uuid>,
}

fn from_row(row: &DbRow, now: i64) -> sqlx::Result<Row0> {
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    let status = if revoked_at.is_some() {
        ApiKeyStatus::Revoked
    } else if expires_at.is_some_and(|at| at <= now) {
        ApiKeyStatus::Expired
    } else {
        ApiKeyStatus::Active
    };
    let owner: Uuid = row.try_get("owner_id")?;
    Ok(Row0 {
        key: ApiKey {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            name: row.try_get("name")?,
            prefix: row.try_get("prefix")?,
            owner: gatehouse_api::users::UserRef {
                id: owner,
                email: String::new(),
                name: String::new(),
            },
            created_by: None,
            created_at: to_time(row.try_get("created_at")?),
            expires_at: expires_at.map(to_time),
            last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(to_time),
            status,
            revoked_at: revoked_at.map(to_time),
            revoked_by: None,
            revoked_reason: row.try_get("revoked_reason")?,
            permissions: row
                .try_get::<Option<String>, _>("permissions")?
                .map(|p| parse_permissions(&p).collect()),
            version: row.try_get("version")?,
        },
        owner,
        created_by: row.try_get("created_by")?,
        revoked_by: row.try_get("revoked_by")?,
    })
}

/// Names the people the rows refer to, in one query.
async fn complete(db: &Db, rows: Vec<Row0>) -> sqlx::Result<Vec<ApiKey>> {
    let people: Vec<Uuid> = rows
        .iter()
        .flat_map(|r| [Some(r.owner), r.created_by, r.revoked_by])
        .flatten()
        .collect();
    let refs = users::refs(db, &people).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut key = row.key;
            if let Some(owner) = refs.get(&row.owner) {
                key.owner = owner.clone();
            }
            key.created_by = row.created_by.and_then(|u| refs.get(&u).cloned());
            key.revoked_by = row.revoked_by.and_then(|u| refs.get(&u).cloned());
            key
        })
        .collect())
}

pub async fn get(db: &Db, tenant: &str, id: Uuid) -> sqlx::Result<Option<ApiKey>> {
    let row = query(format!(
        "SELECT {COLUMNS} FROM api_keys k WHERE k.id = ? AND k.tenant_id = ?"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let row = from_row(&row, now_ms())?;
    Ok(complete(db, vec![row]).await?.pop())
}

/// How the audit log names a key: its name and visible prefix.
pub async fn label_in(conn: &mut Conn, id: Uuid) -> sqlx::Result<String> {
    let row: Option<(String, String)> = query_as("SELECT name, prefix FROM api_keys WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row
        .map(|(name, prefix)| label(&name, &prefix))
        .unwrap_or_else(|| id.to_string()))
}

/// A key's name with its visible prefix, `Deploy (gh_ab12cd34_…)`.
pub fn label(name: &str, prefix: &str) -> String {
    format!("{name} (gh_{prefix}_…)")
}

/// The owner of a key of the tenant.
pub async fn owner_of(db: &Db, tenant: &str, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    query_scalar("SELECT owner_id FROM api_keys WHERE id = ? AND tenant_id = ?")
        .bind(id)
        .bind(tenant)
        .fetch_optional(db)
        .await
}

fn push_filters<'a>(
    q: &mut QueryBuilder,
    tenant: &'a str,
    owner: Option<Uuid>,
    query: &'a ApiKeyListQuery,
    now: i64,
) {
    q.push(" FROM api_keys k WHERE k.tenant_id = ")
        .push_bind(tenant);
    if let Some(owner) = owner.or(query.owner_id) {
        q.push(" AND k.owner_id = ").push_bind(owner);
    }
    if let Some(term) = query.search_term() {
        let prefix = term
            .strip_prefix("gh_")
            .unwrap_or(term)
            .to_ascii_lowercase();
        let anywhere = like_pattern(&prefix);
        // `%prefix%` without its leading `%`: keys whose prefix starts with the term.
        let starting = anywhere[1..].to_owned();
        q.push(" AND (k.name LIKE ")
            .push_bind(like_pattern(term))
            .push(" ESCAPE '\\' OR k.prefix LIKE ")
            .push_bind(starting)
            .push(" ESCAPE '\\')");
    }
    match query.status {
        Some(ApiKeyStatus::Active) => {
            q.push(" AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ")
                .push_bind(now)
                .push(")");
        }
        Some(ApiKeyStatus::Expired) => {
            q.push(" AND k.revoked_at IS NULL AND k.expires_at <= ")
                .push_bind(now);
        }
        Some(ApiKeyStatus::Revoked) => {
            q.push(" AND k.revoked_at IS NOT NULL");
        }
        None => {}
    }
    if let Some(days) = query.expires_within_days {
        q.push(" AND k.revoked_at IS NULL AND k.expires_at > ")
            .push_bind(now)
            .push(" AND k.expires_at <= ")
            .push_bind(now + i64::from(days) * 86_400_000);
    }
}

/// One page of the tenant's keys (or one owner's), filtered, searched and sorted, and
/// how many match.
pub async fn list(
    db: &Db,
    tenant: &str,
    owner: Option<Uuid>,
    query: &ApiKeyListQuery,
) -> sqlx::Result<(Vec<ApiKey>, u64)> {
    let now = now_ms();
    let mut count = QueryBuilder::new("SELECT COUNT(*)");
    push_filters(&mut count, tenant, owner, query, now);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS}"));
    push_filters(&mut select, tenant, owner, query, now);
    let column = match query.sort_by() {
        ApiKeySortBy::CreatedAt => "k.created_at",
        ApiKeySortBy::LastUsedAt => "k.last_used_at",
        ApiKeySortBy::ExpiresAt => "k.expires_at",
        ApiKeySortBy::Name => "k.name COLLATE NOCASE",
    };
    let direction = match query.sort_order() {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    push_page(
        &mut select,
        &format!("{column} {direction} NULLS LAST, k.id DESC"),
        query.page(),
        query.per_page(),
    );
    let rows = select
        .build()
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| from_row(r, now))
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((complete(db, rows).await?, u64::try_from(total).unwrap_or(0)))
}

/// Renames a key still at `version`; `false` if it changed meanwhile.
pub async fn rename(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    version: i64,
    name: &str,
) -> sqlx::Result<bool> {
    let done = query(
        "UPDATE api_keys SET name = ?, version = version + 1 WHERE id = ? AND tenant_id = ? AND version = ?",
    )
    .bind(name)
    .bind(id)
    .bind(tenant)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes a key that is still usable (not revoked, not expired); `false` otherwise.
pub async fn revoke(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    by: Option<Uuid>,
    reason: Option<&str>,
) -> sqlx::Result<bool> {
    let now = now_ms();
    let done = query(
        "UPDATE api_keys SET revoked_at = ?1, revoked_by = ?2, revoked_reason = ?3, version = version + 1
         WHERE id = ?4 AND tenant_id = ?5 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)",
    )
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(id)
    .bind(tenant)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every usable key of a user (who was deleted).
pub async fn revoke_all_of(
    conn: &mut Conn,
    owner: Uuid,
    by: Option<Uuid>,
    reason: &str,
) -> sqlx::Result<u64> {
    let now = now_ms();
    let done = query(
        "UPDATE api_keys SET revoked_at = ?1, revoked_by = ?2, revoked_reason = ?3, version = version + 1
         WHERE owner_id = ?4 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)",
    )
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
