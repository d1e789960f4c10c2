//! Roles and who holds them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use gatehouse_api::groups::GroupRef;
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::roles::{Role, RoleHolders, RoleListQuery};
use gatehouse_api::Permission;
use uuid::Uuid;

use super::engine::{query, query_scalar, Conn, DbRow, On, QueryBuilder};
use super::sessions::parse_permissions;
use super::{now_ms, to_time, Db};

fn permission_list(role: BuiltinRole) -> String {
    role.permissions()
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Makes sure every tenant has the built-in roles with their current permissions, so an
/// upgrade that adds permissions to Admin takes effect at start. Under the write lock:
/// servers starting together on a new database would otherwise race to add them.
pub async fn ensure_builtin_roles(db: &Db) -> sqlx::Result<()> {
    let mut tx = super::begin_write(db).await?;
    let tenants = query_scalar::<String>("SELECT id FROM tenants")
        .fetch_all(&mut *tx)
        .await?;
    for tenant in tenants {
        for role in BuiltinRole::ALL {
            let now = now_ms();
            query(
                "INSERT INTO roles (id, tenant_id, name, description, builtin, permissions, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (tenant_id, builtin) WHERE builtin IS NOT NULL
                 DO UPDATE SET name = excluded.name, description = excluded.description,
                               permissions = excluded.permissions",
            )
            .bind(Uuid::now_v7())
            .bind(&tenant)
            .bind(role.name)
            .bind(role.description)
            .bind(role.key)
            .bind(permission_list(role))
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await
}

/// The id of a tenant's built-in role.
pub async fn builtin_id(conn: &mut Conn, tenant: &str, role: BuiltinRole) -> sqlx::Result<Uuid> {
    query_scalar("SELECT id FROM roles WHERE tenant_id = ? AND builtin = ?")
        .bind(tenant)
        .bind(role.key)
        .fetch_one(conn)
        .await
}

pub async fn grant(conn: &mut Conn, user_id: Uuid, role_id: Uuid) -> sqlx::Result<()> {
    query("INSERT INTO user_roles (user_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(user_id)
        .bind(role_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Users holding the tenant's built-in Admin role, directly or through a group.
const ADMINS: &str = "SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id
        WHERE r.builtin = 'admin' AND r.tenant_id = ?1
    UNION SELECT gm.user_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id
        JOIN roles r ON r.id = gr.role_id WHERE r.builtin = 'admin' AND r.tenant_id = ?1";

/// How many live, active users of the tenant hold Admin. Every change that could take
/// Admin away checks this is still at least one before it commits.
pub async fn active_admins(conn: &mut Conn, tenant: &str) -> sqlx::Result<i64> {
    query_scalar(format!(
        "SELECT COUNT(*) FROM users WHERE tenant_id = ?1 AND deleted_at IS NULL AND status = 'ACTIVE'
           AND id IN ({ADMINS})"
    ))
    .bind(tenant)
    .fetch_one(conn)
    .await
}

/// The roles held by a user directly.
pub async fn direct_of_user(db: impl Into<On<'_>>, user: Uuid) -> sqlx::Result<Vec<Uuid>> {
    query_scalar("SELECT role_id FROM user_roles WHERE user_id = ?")
        .bind(user)
        .fetch_all(db)
        .await
}

/// Replaces a user's direct roles.
pub async fn set_direct(conn: &mut Conn, user: Uuid, roles: &[Uuid]) -> sqlx::Result<()> {
    query("DELETE FROM user_roles WHERE user_id = ?")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    for role in roles {
        grant(conn, user, *role).await?;
    }
    Ok(())
}

/// Every role a user holds, with each way they hold it (directly, or which group).
pub async fn effective_of_user(
    db: &Db,
    user: Uuid,
) -> sqlx::Result<Vec<(Uuid, String, String, Option<(Uuid, String)>)>> {
    let rows = query(
        "SELECT r.id, r.name, r.permissions, NULL, NULL FROM user_roles ur JOIN roles r ON r.id = ur.role_id
          WHERE ur.user_id = ?1
         UNION ALL
         SELECT r.id, r.name, r.permissions, g.id, g.name FROM group_members gm
           JOIN groups g ON g.id = gm.group_id
           JOIN group_roles gr ON gr.group_id = g.id
           JOIN roles r ON r.id = gr.role_id
          WHERE gm.user_id = ?1",
    )
    .bind(user)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let group: Option<Uuid> = r.try_get(3)?;
            let group_name: Option<String> = r.try_get(4)?;
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                group.zip(group_name),
            ))
        })
        .collect()
}

const ROLE_COLUMNS: &str =
    "r.id, r.tenant_id, r.name, r.description, r.builtin, r.permissions, r.created_at, \
    r.updated_at, r.version, \
    (SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id
      WHERE ur.role_id = r.id AND u.deleted_at IS NULL) AS user_count, \
    (SELECT COUNT(*) FROM group_roles gr WHERE gr.role_id = r.id) AS group_count";

fn role_from_row(row: &DbRow) -> sqlx::Result<Role> {
    let permissions: String = row.try_get("permissions")?;
    Ok(Role {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        permissions: parse_permissions(&permissions).collect(),
        builtin: row.try_get("builtin")?,
        user_count: u64::try_from(row.try_get::<i64, _>("user_count")?).unwrap_or(0),
        group_count: u64::try_from(row.try_get::<i64, _>("group_count")?).unwrap_or(0),
        created_at: to_time(row.try_get("created_at")?),
        updated_at: to_time(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

/// Space-separated permission names, as stored.
pub fn store_permissions(permissions: &BTreeSet<Permission>) -> String {
    permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn get(db: impl Into<On<'_>>, tenant: &str, id: Uuid) -> sqlx::Result<Option<Role>> {
    query(format!(
        "SELECT {ROLE_COLUMNS} FROM roles r WHERE r.id = ? AND r.tenant_id = ?"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(role_from_row)
    .transpose()
}

/// The tenant's roles: built-in first, then by name.
pub async fn list(db: &Db, tenant: &str, query: &RoleListQuery) -> sqlx::Result<(Vec<Role>, u64)> {
    let order = "r.builtin IS NULL, r.name COLLATE NOCASE";
    let (rows, total) = super::name_page(db, ROLE_COLUMNS, "roles r", order, tenant, query).await?;
    Ok((
        rows.iter()
            .map(role_from_row)
            .collect::<sqlx::Result<_>>()?,
        total,
    ))
}

pub async fn insert(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    name: &str,
    description: &str,
    permissions: &BTreeSet<Permission>,
) -> sqlx::Result<()> {
    let now = now_ms();
    query(
        "INSERT INTO roles (id, tenant_id, name, description, permissions, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(tenant)
    .bind(name)
    .bind(description)
    .bind(store_permissions(permissions))
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a custom role if it is still at `version`; `false` if someone else changed it.
pub async fn update(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    version: i64,
    name: &str,
    description: &str,
    permissions: &BTreeSet<Permission>,
) -> sqlx::Result<bool> {
    let done = query(
        "UPDATE roles SET name = ?, description = ?, permissions = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND tenant_id = ? AND version = ? AND builtin IS NULL",
    )
    .bind(name)
    .bind(description)
    .bind(store_permissions(permissions))
    .bind(now_ms())
    .bind(id)
    .bind(tenant)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<bool> {
    let done = query("DELETE FROM roles WHERE id = ? AND tenant_id = ? AND builtin IS NULL")
        .bind(id)
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The permissions of each of `ids` that is a role of the tenant; unknown ids are absent.
pub async fn permissions_of(
    conn: &mut Conn,
    tenant: &str,
    ids: &[Uuid],
) -> sqlx::Result<BTreeMap<Uuid, (String, BTreeSet<Permission>)>> {
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = QueryBuilder::new("SELECT id, name, permissions FROM roles WHERE tenant_id = ");
    q.push_bind(tenant).push(" AND id IN (");
    push_ids(&mut q, ids);
    q.push(")");
    for row in q.build().fetch_all(conn).await? {
        let permissions: String = row.try_get(2)?;
        out.insert(
            row.try_get(0)?,
            (row.try_get(1)?, parse_permissions(&permissions).collect()),
        );
    }
    Ok(out)
}

/// The names of these roles, sorted: how the audit log records a set of roles.
pub async fn names_of(conn: &mut Conn, tenant: &str, ids: &[Uuid]) -> sqlx::Result<Vec<String>> {
    let mut names: Vec<String> = permissions_of(conn, tenant, ids)
        .await?
        .into_values()
        .map(|(name, _)| name)
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

/// The roles a group grants, with their permissions.
pub async fn granted_by_group(
    conn: &mut Conn,
    group: Uuid,
) -> sqlx::Result<Vec<(String, BTreeSet<Permission>)>> {
    let rows = query(
        "SELECT r.name, r.permissions FROM group_roles gr JOIN roles r ON r.id = gr.role_id WHERE gr.group_id = ?",
    )
    .bind(group)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let permissions: String = r.try_get(1)?;
            Ok((r.try_get(0)?, parse_permissions(&permissions).collect()))
        })
        .collect()
}

/// Who holds a role: the first direct holders, the granting groups, and counts.
pub async fn holders(db: &Db, tenant: &str, id: Uuid) -> sqlx::Result<RoleHolders> {
    let users = query(
        "SELECT u.id, u.email, u.display_name, u.first_name, u.last_name FROM user_roles ur JOIN users u ON u.id = ur.user_id
         WHERE ur.role_id = ? AND u.deleted_at IS NULL ORDER BY u.email LIMIT 200",
    )
    .bind(id)
    .fetch_all(db)
    .await?
    .iter()
    .map(super::users::user_ref)
    .collect::<sqlx::Result<Vec<_>>>()?;
    let direct: i64 = query_scalar(
        "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.role_id = ? AND u.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    let groups = query(
        "SELECT g.id, g.name, g.color FROM group_roles gr JOIN groups g ON g.id = gr.group_id
         WHERE gr.role_id = ? ORDER BY g.name COLLATE NOCASE",
    )
    .bind(id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(GroupRef {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            color: r.try_get(2)?,
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    let effective: i64 = query_scalar(
        "SELECT COUNT(*) FROM users u WHERE u.tenant_id = ?1 AND u.deleted_at IS NULL AND u.id IN (
             SELECT user_id FROM user_roles WHERE role_id = ?2
             UNION SELECT gm.user_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gr.role_id = ?2)",
    )
    .bind(tenant)
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(RoleHolders {
        users,
        direct_user_count: u64::try_from(direct).unwrap_or(0),
        groups,
        effective_user_count: u64::try_from(effective).unwrap_or(0),
    })
}

/// Every role of the tenant with its permissions.
pub async fn all_permissions(
    conn: &mut Conn,
    tenant: &str,
) -> sqlx::Result<Vec<(Uuid, BTreeSet<Permission>)>> {
    let rows = query("SELECT id, permissions FROM roles WHERE tenant_id = ?")
        .bind(tenant)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let permissions: String = r.try_get(1)?;
            Ok((r.try_get(0)?, parse_permissions(&permissions).collect()))
        })
        .collect()
}

/// Every role of the tenant by lower-cased name: its id, name and permissions.
pub async fn by_name(
    conn: &mut Conn,
    tenant: &str,
) -> sqlx::Result<std::collections::HashMap<String, (Uuid, String, BTreeSet<Permission>)>> {
    let rows = query("SELECT id, name, permissions FROM roles WHERE tenant_id = ?")
        .bind(tenant)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get(1)?;
            let permissions: String = r.try_get(2)?;
            Ok((
                name.to_lowercase(),
                (
                    r.try_get(0)?,
                    name,
                    parse_permissions(&permissions).collect(),
                ),
            ))
        })
        .collect()
}

/// Of `users`, those who hold any of `roles`, directly or through a group.
pub async fn holders_among(
    conn: &mut Conn,
    roles: &[Uuid],
    users: &[Uuid],
) -> sqlx::Result<HashSet<Uuid>> {
    let mut found = HashSet::new();
    if roles.is_empty() {
        return Ok(found);
    }
    // Roles per tenant are few; users come in chunks well under the bound-value limit.
    for chunk in users.chunks(400) {
        let mut q = QueryBuilder::new("SELECT user_id FROM user_roles WHERE role_id IN (");
        push_ids(&mut q, roles);
        q.push(") AND user_id IN (");
        push_ids(&mut q, chunk);
        q.push(") UNION SELECT gm.user_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gr.role_id IN (");
        push_ids(&mut q, roles);
        q.push(") AND gm.user_id IN (");
        push_ids(&mut q, chunk);
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.insert(row.try_get(0)?);
        }
    }
    Ok(found)
}

fn push_ids(q: &mut QueryBuilder, ids: &[Uuid]) {
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
}
