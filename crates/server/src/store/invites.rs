//! Invites: who is invited, with what, and where each invite is.

use std::collections::{BTreeMap, HashMap};

use gatehouse_api::groups::GroupRef;
use gatehouse_api::invites::{Invite, InviteListQuery, InviteSortBy, InviteStatus};
use gatehouse_api::query::SortOrder;
use gatehouse_api::roles::RoleRef;
use uuid::Uuid;

use super::engine::{query, query_scalar, Conn, DbRow, On, QueryBuilder};
use super::{like_pattern, now_ms, outbox, push_page, to_time, users, Db};

/// A new invite, its code already hashed.
pub struct NewInvite<'a> {
    pub id: Uuid,
    pub tenant: &'a str,
    pub email: &'a str,
    pub code_hash: &'a [u8],
    pub message: Option<&'a str>,
    pub invited_by: Uuid,
    pub expires_at: i64,
}

pub async fn insert(
    conn: &mut Conn,
    invite: &NewInvite<'_>,
    role_ids: &[Uuid],
    group_ids: &[Uuid],
) -> sqlx::Result<()> {
    query(
        "INSERT INTO invites (id, tenant_id, email, code_hash, status, message, invited_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?)",
    )
    .bind(invite.id)
    .bind(invite.tenant)
    .bind(invite.email)
    .bind(invite.code_hash)
    .bind(invite.message)
    .bind(invite.invited_by)
    .bind(now_ms())
    .bind(invite.expires_at)
    .execute(&mut *conn)
    .await?;
    for role in role_ids {
        query("INSERT INTO invite_roles (invite_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(invite.id)
            .bind(role)
            .execute(&mut *conn)
            .await?;
    }
    for group in group_ids {
        query(
            "INSERT INTO invite_groups (invite_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(invite.id)
        .bind(group)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records the message that carries an invite.
pub async fn set_mail(conn: &mut Conn, id: Uuid, mail: Uuid) -> sqlx::Result<()> {
    query("UPDATE invites SET mail_id = ? WHERE id = ?")
        .bind(mail)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The open invites (pending, not expired) for these addresses, by address. Pending
/// invites that have expired are marked so, which frees their address.
pub async fn open_for(
    conn: &mut Conn,
    tenant: &str,
    emails: &[String],
) -> sqlx::Result<HashMap<String, Uuid>> {
    let now = now_ms();
    query("UPDATE invites SET status = 'EXPIRED' WHERE tenant_id = ? AND status = 'PENDING' AND expires_at <= ?")
        .bind(tenant)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let mut found = HashMap::new();
    for chunk in emails.chunks(400) {
        let mut q = QueryBuilder::new(
            "SELECT email, id FROM invites WHERE status = 'PENDING' AND tenant_id = ",
        );
        q.push_bind(tenant).push(" AND email IN (");
        let mut list = q.separated(", ");
        for email in chunk {
            list.push_bind(email.clone());
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(found)
}

/// Of these addresses, those a live user of the tenant has.
pub async fn taken_by_users(
    conn: &mut Conn,
    tenant: &str,
    emails: &[String],
) -> sqlx::Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for chunk in emails.chunks(400) {
        let mut q =
            QueryBuilder::new("SELECT email FROM users WHERE deleted_at IS NULL AND tenant_id = ");
        q.push_bind(tenant).push(" AND email IN (");
        let mut list = q.separated(", ");
        for email in chunk {
            list.push_bind(email.clone());
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.insert(row.try_get(0)?);
        }
    }
    Ok(found)
}

const COLUMNS: &str =
    "i.id, i.tenant_id, i.email, i.status, i.message, i.invited_by, i.created_at, \
    i.expires_at, i.accepted_at, i.accepted_user_id, i.revoked_at, i.mail_id";

/// What a row says, before the names it refers to are looked up.
struct Row0 {
    invite: Invite,
    invited_by: Option<Uuid>,
    accepted_user: Option<Uuid>,
    mail: Option<Uuid>,
}

fn from_row(row: &DbRow, now: i64) -> sqlx::Result<Row0> {
    let stored: String = row.try_get("status")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    let status = match InviteStatus::parse(&stored) {
        Some(InviteStatus::Pending) if expires_at <= now => InviteStatus::Expired,
        Some(status) => status,
        None => InviteStatus::Revoked,
    };
    Ok(Row0 {
        invite: Invite {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            email: row.try_get("email")?,
            status,
            roles: Vec::new(),
            groups: Vec::new(),
            message: row.try_get("message")?,
            invited_by: None,
            created_at: to_time(row.try_get("created_at")?),
            expires_at: to_time(expires_at),
            accepted_at: row.try_get::<Option<i64>, _>("accepted_at")?.map(to_time),
            user: None,
            revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(to_time),
            delivery: None,
        },
        invited_by: row.try_get("invited_by")?,
        accepted_user: row.try_get("accepted_user_id")?,
        mail: row.try_get("mail_id")?,
    })
}

fn push_ids(q: &mut QueryBuilder, ids: &[Uuid]) {
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
}

/// Fills in the roles, groups, people and deliveries the rows refer to, in few queries.
async fn complete(db: &Db, rows: Vec<Row0>) -> sqlx::Result<Vec<Invite>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.invite.id).collect();
    let mut roles: BTreeMap<Uuid, Vec<RoleRef>> = BTreeMap::new();
    let mut q = QueryBuilder::new(
        "SELECT ir.invite_id, r.id, r.name FROM invite_roles ir JOIN roles r ON r.id = ir.role_id WHERE ir.invite_id IN (",
    );
    push_ids(&mut q, &ids);
    q.push(") ORDER BY r.name COLLATE NOCASE");
    for row in q.build().fetch_all(db).await? {
        roles.entry(row.try_get(0)?).or_default().push(RoleRef {
            id: row.try_get(1)?,
            name: row.try_get(2)?,
        });
    }
    let mut groups: BTreeMap<Uuid, Vec<GroupRef>> = BTreeMap::new();
    let mut q = QueryBuilder::new(
        "SELECT ig.invite_id, g.id, g.name, g.color FROM invite_groups ig JOIN groups g ON g.id = ig.group_id WHERE ig.invite_id IN (",
    );
    push_ids(&mut q, &ids);
    q.push(") ORDER BY g.name COLLATE NOCASE");
    for row in q.build().fetch_all(db).await? {
        groups.entry(row.try_get(0)?).or_default().push(GroupRef {
            id: row.try_get(1)?,
            name: row.try_get(2)?,
            color: row.try_get(3)?,
        });
    }
    let people: Vec<Uuid> = rows
        .iter()
        .flat_map(|r| [r.invited_by, r.accepted_user])
        .flatten()
        .collect();
    let refs = users::refs(db, &people).await?;
    let mails: Vec<Uuid> = rows.iter().filter_map(|r| r.mail).collect();
    let mut deliveries: HashMap<Uuid, _> = outbox::deliveries(db, &mails)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut invite = row.invite;
            invite.roles = roles.remove(&invite.id).unwrap_or_default();
            invite.groups = groups.remove(&invite.id).unwrap_or_default();
            invite.invited_by = row.invited_by.and_then(|u| refs.get(&u).cloned());
            invite.user = row.accepted_user.and_then(|u| refs.get(&u).cloned());
            invite.delivery = row.mail.and_then(|m| deliveries.remove(&m));
            invite
        })
        .collect())
}

pub async fn get(db: &Db, tenant: &str, id: Uuid) -> sqlx::Result<Option<Invite>> {
    let Some(row) = query(format!(
        "SELECT {COLUMNS} FROM invites i WHERE i.id = ? AND i.tenant_id = ?"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let row = from_row(&row, now_ms())?;
    Ok(complete(db, vec![row]).await?.pop())
}

/// The tenant's invites with these ids (in no particular order).
pub async fn get_many(db: &Db, tenant: &str, ids: &[Uuid]) -> sqlx::Result<Vec<Invite>> {
    let now = now_ms();
    let mut rows = Vec::new();
    for chunk in ids.chunks(400) {
        let mut q = QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM invites i WHERE i.tenant_id = "
        ));
        q.push_bind(tenant).push(" AND i.id IN (");
        push_ids(&mut q, chunk);
        q.push(")");
        for row in q.build().fetch_all(db).await? {
            rows.push(from_row(&row, now)?);
        }
    }
    let mut all = Vec::new();
    // `complete` binds every id in one IN list per table: keep those lists short too.
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(400));
        all.extend(complete(db, rows).await?);
        rows = rest;
    }
    Ok(all)
}

/// One page of the tenant's invites and how many match.
pub async fn list(
    db: &Db,
    tenant: &str,
    query: &InviteListQuery,
) -> sqlx::Result<(Vec<Invite>, u64)> {
    let now = now_ms();
    let pattern = query.search_term().map(like_pattern);
    let filter = |q: &mut QueryBuilder| {
        q.push(" FROM invites i WHERE i.tenant_id = ")
            .push_bind(tenant.to_owned());
        match query.status {
            Some(InviteStatus::Pending) => {
                q.push(" AND i.status = 'PENDING' AND i.expires_at > ")
                    .push_bind(now);
            }
            Some(InviteStatus::Expired) => {
                q.push(" AND (i.status = 'EXPIRED' OR (i.status = 'PENDING' AND i.expires_at <= ")
                    .push_bind(now)
                    .push("))");
            }
            Some(status) => {
                q.push(" AND i.status = ").push_bind(status.as_str());
            }
            None => {}
        }
        if let Some(pattern) = &pattern {
            q.push(" AND i.email LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
    };
    let mut count = QueryBuilder::new("SELECT COUNT(*)");
    filter(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let direction = match query.sort_order() {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    let column = match query.sort_by() {
        InviteSortBy::CreatedAt => "i.created_at",
        InviteSortBy::ExpiresAt => "i.expires_at",
        InviteSortBy::Email => "i.email",
    };
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS}"));
    filter(&mut select);
    push_page(
        &mut select,
        &format!("{column} {direction}, i.id {direction}"),
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

/// Gives a pending invite a new code and expiry; `false` if it is not pending.
pub async fn renew(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    code_hash: &[u8],
    expires_at: i64,
    sender: Uuid,
) -> sqlx::Result<bool> {
    // Whoever sends it again vouches for it from now on (their grants were checked).
    let done = query(
        "UPDATE invites SET code_hash = ?, expires_at = ?, status = 'PENDING', invited_by = ?
         WHERE id = ? AND tenant_id = ? AND status IN ('PENDING', 'EXPIRED')
           AND NOT EXISTS (SELECT 1 FROM invites o WHERE o.tenant_id = invites.tenant_id
                           AND o.email = invites.email AND o.status = 'PENDING' AND o.id != invites.id)",
    )
    .bind(code_hash)
    .bind(expires_at)
    .bind(sender)
    .bind(id)
    .bind(tenant)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes the pending (or expired) invites among `ids`; the ones revoked.
pub async fn revoke(conn: &mut Conn, tenant: &str, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    let mut revoked = Vec::new();
    for chunk in ids.chunks(400) {
        let mut q = QueryBuilder::new("UPDATE invites SET status = 'REVOKED', revoked_at = ");
        q.push_bind(now_ms())
            .push(" WHERE status IN ('PENDING', 'EXPIRED') AND tenant_id = ")
            .push_bind(tenant)
            .push(" AND id IN (");
        push_ids(&mut q, chunk);
        q.push(") RETURNING id");
        for row in q.build().fetch_all(&mut *conn).await? {
            revoked.push(row.try_get(0)?);
        }
    }
    Ok(revoked)
}

/// Revokes every pending (unexpired) invite of the tenant; the ones revoked.
pub async fn revoke_all_pending(conn: &mut Conn, tenant: &str) -> sqlx::Result<Vec<Uuid>> {
    query_scalar(
        "UPDATE invites SET status = 'REVOKED', revoked_at = ?1 WHERE tenant_id = ?2 AND status = 'PENDING' AND expires_at > ?1 RETURNING id",
    )
    .bind(now_ms())
    .bind(tenant)
    .fetch_all(conn)
    .await
}

/// Of `ids`, those that are invites of the tenant.
pub async fn existing(
    conn: &mut Conn,
    tenant: &str,
    ids: &[Uuid],
) -> sqlx::Result<std::collections::HashSet<Uuid>> {
    Ok(emails_of(conn, tenant, ids).await?.into_keys().collect())
}

/// Of `ids`, the tenant's invites, with the address each went to.
pub async fn emails_of(
    conn: &mut Conn,
    tenant: &str,
    ids: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, String>> {
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(400) {
        let mut q = QueryBuilder::new("SELECT id, email FROM invites WHERE tenant_id = ");
        q.push_bind(tenant).push(" AND id IN (");
        push_ids(&mut q, chunk);
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(found)
}

/// An open invite, found by its code, with what accepting it grants.
pub struct Open {
    pub id: Uuid,
    pub tenant_id: String,
    pub tenant_name: String,
    pub email: String,
    pub invited_by: Option<Uuid>,
    pub inviter_name: Option<String>,
    pub expires_at: i64,
    pub role_ids: Vec<Uuid>,
    pub group_ids: Vec<Uuid>,
    /// Whether its link went out by mail only (never shown to an administrator), so
    /// using it proves the address.
    pub mailed: bool,
}

/// The pending, unexpired invite with this code.
pub async fn open_by_code(
    db: impl Into<On<'_>> + Copy,
    code_hash: &[u8],
) -> sqlx::Result<Option<Open>> {
    let Some(row) = query(
        "SELECT i.id, i.tenant_id, t.name, i.email, i.invited_by, i.expires_at,
                i.mail_id IS NOT NULL AS mailed, u.id AS uid, u.email AS uemail, u.display_name, u.first_name, u.last_name
         FROM invites i JOIN tenants t ON t.id = i.tenant_id LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.code_hash = ? AND i.status = 'PENDING' AND i.expires_at > ?",
    )
    .bind(code_hash)
    .bind(now_ms())
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let id: Uuid = row.try_get(0)?;
    let inviter_name = match row.try_get::<Option<Uuid>, _>("uid")? {
        Some(_) => {
            let email: String = row.try_get("uemail")?;
            let parts = [
                row.try_get::<Option<String>, _>("display_name")?,
                row.try_get::<Option<String>, _>("first_name")?
                    .zip(row.try_get::<Option<String>, _>("last_name")?)
                    .map(|(f, l)| format!("{f} {l}")),
            ];
            Some(
                parts
                    .into_iter()
                    .flatten()
                    .find(|n| !n.trim().is_empty())
                    .unwrap_or(email),
            )
        }
        None => None,
    };
    let role_ids = query_scalar("SELECT role_id FROM invite_roles WHERE invite_id = ?")
        .bind(id)
        .fetch_all(db)
        .await?;
    let group_ids = query_scalar("SELECT group_id FROM invite_groups WHERE invite_id = ?")
        .bind(id)
        .fetch_all(db)
        .await?;
    Ok(Some(Open {
        id,
        tenant_id: row.try_get(1)?,
        tenant_name: row.try_get(2)?,
        email: row.try_get(3)?,
        invited_by: row.try_get(4)?,
        inviter_name,
        expires_at: row.try_get(5)?,
        role_ids,
        group_ids,
        mailed: row.try_get("mailed")?,
    }))
}

/// Accepts an open invite for `user`, once: `false` if another request took it first
/// or it expired meanwhile.
pub async fn accept(conn: &mut Conn, id: Uuid, code_hash: &[u8], user: Uuid) -> sqlx::Result<bool> {
    let now = now_ms();
    // The code too: one looked up before a resend must not win after it.
    let done = query(
        "UPDATE invites SET status = 'ACCEPTED', accepted_at = ?, accepted_user_id = ?
         WHERE id = ? AND code_hash = ? AND status = 'PENDING' AND expires_at > ?",
    )
    .bind(now)
    .bind(user)
    .bind(id)
    .bind(code_hash)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The roles `ids` would grant on acceptance, directly or through their groups, with
/// their permissions (so revoking them can be checked like taking roles away).
pub async fn grants(
    conn: &mut Conn,
    tenant: &str,
    ids: &[Uuid],
) -> sqlx::Result<
    Vec<(
        String,
        std::collections::BTreeSet<gatehouse_api::Permission>,
    )>,
> {
    let mut out = Vec::new();
    for chunk in ids.chunks(400) {
        let mut q = QueryBuilder::new(
            "SELECT DISTINCT r.name, r.permissions FROM roles r WHERE r.tenant_id = ",
        );
        q.push_bind(tenant).push(
            " AND r.id IN (SELECT ir.role_id FROM invite_roles ir JOIN invites i ON i.id = ir.invite_id
                 WHERE i.tenant_id = r.tenant_id AND ir.invite_id IN (",
        );
        push_ids(&mut q, chunk);
        q.push(") UNION SELECT gr.role_id FROM invite_groups ig JOIN group_roles gr ON gr.group_id = ig.group_id
                 JOIN invites i ON i.id = ig.invite_id WHERE i.tenant_id = r.tenant_id AND ig.invite_id IN (");
        push_ids(&mut q, chunk);
        q.push("))");
        for row in q.build().fetch_all(&mut *conn).await? {
            let permissions: String = row.try_get(1)?;
            out.push((
                row.try_get(0)?,
                super::sessions::parse_permissions(&permissions).collect(),
            ));
        }
    }
    Ok(out)
}

/// The ids of the tenant's pending invites.
pub async fn pending_ids(conn: &mut Conn, tenant: &str) -> sqlx::Result<Vec<Uuid>> {
    query_scalar(
        "SELECT id FROM invites WHERE tenant_id = ? AND status = 'PENDING' AND expires_at > ?",
    )
    .bind(tenant)
    .bind(now_ms())
    .fetch_all(conn)
    .await
}
