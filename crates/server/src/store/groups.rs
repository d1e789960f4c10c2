//! Groups, what they grant, and who belongs to them.

use std::collections::{BTreeMap, HashSet};

use gatehouse_api::groups::{Group, GroupListQuery, GroupRef};
use gatehouse_api::roles::RoleRef;
use uuid::Uuid;

use super::engine::{query, query_scalar, Conn, DbRow, On, QueryBuilder};
use super::{now_ms, to_time, Db};

/// Ids per `IN (...)` list: well under SQLite's limit on bound parameters.
const CHUNK: usize = 500;

const COLUMNS: &str = "g.id, g.tenant_id, g.name, g.description, g.color, g.is_default, g.created_at, \
    g.updated_at, g.version, (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS member_count";

fn from_row(row: &DbRow, roles: Vec<RoleRef>) -> sqlx::Result<Group> {
    Ok(Group {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        color: row.try_get("color")?,
        is_default: row.try_get("is_default")?,
        roles,
        member_count: u64::try_from(row.try_get::<i64, _>("member_count")?).unwrap_or(0),
        created_at: to_time(row.try_get("created_at")?),
        updated_at: to_time(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

/// The roles each of `groups` grants.
async fn roles_of(
    db: impl Into<On<'_>>,
    groups: &[Uuid],
) -> sqlx::Result<BTreeMap<Uuid, Vec<RoleRef>>> {
    let mut out: BTreeMap<Uuid, Vec<RoleRef>> = BTreeMap::new();
    if groups.is_empty() {
        return Ok(out);
    }
    let mut q = QueryBuilder::new(
        "SELECT gr.group_id, r.id, r.name FROM group_roles gr JOIN roles r ON r.id = gr.role_id WHERE gr.group_id IN (",
    );
    let mut ids = q.separated(", ");
    for id in groups {
        ids.push_bind(*id);
    }
    q.push(") ORDER BY r.name COLLATE NOCASE");
    for row in q.build().fetch_all(db).await? {
        out.entry(row.try_get(0)?).or_default().push(RoleRef {
            id: row.try_get(1)?,
            name: row.try_get(2)?,
        });
    }
    Ok(out)
}

pub async fn get(db: &Db, tenant: &str, id: Uuid) -> sqlx::Result<Option<Group>> {
    get_in(&mut db.acquire().await?, tenant, id).await
}

/// One group, inside a transaction.
pub async fn get_in(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<Option<Group>> {
    let Some(row) = query(format!(
        "SELECT {COLUMNS} FROM groups g WHERE g.id = ? AND g.tenant_id = ?"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut roles = roles_of(conn, &[id]).await?;
    Ok(Some(from_row(&row, roles.remove(&id).unwrap_or_default())?))
}

/// Whether the group exists, inside a transaction.
pub async fn exists(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    query_scalar("SELECT id FROM groups WHERE id = ? AND tenant_id = ?")
        .bind(id)
        .bind(tenant)
        .fetch_optional(conn)
        .await
}

/// The names of these groups of the tenant, sorted: how the audit log records them.
pub async fn names_of(conn: &mut Conn, tenant: &str, ids: &[Uuid]) -> sqlx::Result<Vec<String>> {
    let mut names = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = QueryBuilder::new("SELECT name FROM groups WHERE tenant_id = ");
        q.push_bind(tenant).push(" AND id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            names.push(row.try_get::<String, _>(0)?);
        }
    }
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

/// Every group of the tenant by lower-cased name: its id and name.
pub async fn by_name(
    conn: &mut Conn,
    tenant: &str,
) -> sqlx::Result<std::collections::HashMap<String, (Uuid, String)>> {
    let rows = query("SELECT id, name FROM groups WHERE tenant_id = ?")
        .bind(tenant)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get(1)?;
            Ok((name.to_lowercase(), (r.try_get(0)?, name)))
        })
        .collect()
}

/// One page of groups, by name.
pub async fn list(
    db: &Db,
    tenant: &str,
    query: &GroupListQuery,
) -> sqlx::Result<(Vec<Group>, u64)> {
    let (rows, total) = super::name_page(
        db,
        COLUMNS,
        "groups g",
        "g.name COLLATE NOCASE",
        tenant,
        query,
    )
    .await?;
    let ids: Vec<Uuid> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<sqlx::Result<_>>()?;
    let mut roles = roles_of(db, &ids).await?;
    let groups = rows
        .iter()
        .zip(&ids)
        .map(|(row, id)| from_row(row, roles.remove(id).unwrap_or_default()))
        .collect::<sqlx::Result<_>>()?;
    Ok((groups, total))
}

/// The fields of a group that are written together.
pub struct GroupFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub color: &'a str,
    pub is_default: bool,
}

pub async fn insert(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    fields: &GroupFields<'_>,
) -> sqlx::Result<()> {
    let now = now_ms();
    query(
        "INSERT INTO groups (id, tenant_id, name, description, color, is_default, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(tenant)
    .bind(fields.name)
    .bind(fields.description)
    .bind(fields.color)
    .bind(fields.is_default)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the fields if the group is still at `version`; `false` if someone else changed it.
pub async fn update(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    version: i64,
    fields: &GroupFields<'_>,
) -> sqlx::Result<bool> {
    let done = query(
        "UPDATE groups SET name = ?, description = ?, color = ?, is_default = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND tenant_id = ? AND version = ?",
    )
    .bind(fields.name)
    .bind(fields.description)
    .bind(fields.color)
    .bind(fields.is_default)
    .bind(now_ms())
    .bind(id)
    .bind(tenant)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Replaces the roles a group grants.
pub async fn set_roles(conn: &mut Conn, id: Uuid, roles: &[Uuid]) -> sqlx::Result<()> {
    query("DELETE FROM group_roles WHERE group_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for role in roles {
        query("INSERT INTO group_roles (group_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(role)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn delete(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<bool> {
    let done = query("DELETE FROM groups WHERE id = ? AND tenant_id = ?")
        .bind(id)
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Of `ids`, the live users of the tenant.
pub async fn existing_users(
    conn: &mut Conn,
    tenant: &str,
    ids: &[Uuid],
) -> sqlx::Result<HashSet<Uuid>> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = QueryBuilder::new("SELECT id FROM users WHERE tenant_id = ");
        q.push_bind(tenant)
            .push(" AND deleted_at IS NULL AND id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.insert(row.try_get(0)?);
        }
    }
    Ok(found)
}

/// Of `ids`, those who are members of the group.
pub async fn members_among(
    conn: &mut Conn,
    group: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<HashSet<Uuid>> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = QueryBuilder::new("SELECT user_id FROM group_members WHERE group_id = ");
        q.push_bind(group).push(" AND user_id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.insert(row.try_get(0)?);
        }
    }
    Ok(found)
}

pub async fn add_members(conn: &mut Conn, group: Uuid, users: &[Uuid]) -> sqlx::Result<()> {
    let now = now_ms();
    for chunk in users.chunks(CHUNK) {
        let mut q = QueryBuilder::new("INSERT INTO group_members (group_id, user_id, added_at)");
        q.push_values(chunk, |mut row, user| {
            row.push_bind(group).push_bind(*user).push_bind(now);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn remove_members(conn: &mut Conn, group: Uuid, users: &[Uuid]) -> sqlx::Result<()> {
    for chunk in users.chunks(CHUNK) {
        let mut q = QueryBuilder::new("DELETE FROM group_members WHERE group_id = ");
        q.push_bind(group).push(" AND user_id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn member_count(conn: &mut Conn, group: Uuid) -> sqlx::Result<u64> {
    let count: i64 = query_scalar("SELECT COUNT(*) FROM group_members WHERE group_id = ?")
        .bind(group)
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// The groups a user belongs to, by name.
pub async fn of_user(db: &Db, user: Uuid) -> sqlx::Result<Vec<GroupRef>> {
    let rows = query(
        "SELECT g.id, g.name, g.color FROM group_members m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id = ? ORDER BY g.name COLLATE NOCASE",
    )
    .bind(user)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupRef {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                color: r.try_get(2)?,
            })
        })
        .collect()
}

/// The tenant's default groups, which new users join.
pub async fn default_groups(conn: &mut Conn, tenant: &str) -> sqlx::Result<Vec<Uuid>> {
    query_scalar("SELECT id FROM groups WHERE tenant_id = ? AND is_default")
        .bind(tenant)
        .fetch_all(conn)
        .await
}
