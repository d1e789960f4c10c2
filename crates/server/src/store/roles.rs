//! Roles and who holds them.

use gatehouse_api::permissions::BuiltinRole;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{now_ms, Db};

fn permission_list(role: BuiltinRole) -> String {
    role.permissions()
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Makes sure every tenant has the built-in roles with their current permissions, so an
/// upgrade that adds permissions to Admin takes effect at start.
pub async fn ensure_builtin_roles(db: &Db) -> sqlx::Result<()> {
    let tenants = sqlx::query_scalar::<_, String>("SELECT id FROM tenants")
        .fetch_all(db)
        .await?;
    for tenant in tenants {
        for role in BuiltinRole::ALL {
            let now = now_ms();
            sqlx::query(
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
            .execute(db)
            .await?;
        }
    }
    Ok(())
}

/// The id of a tenant's built-in role.
pub async fn builtin_id(
    conn: &mut SqliteConnection,
    tenant: &str,
    role: BuiltinRole,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar("SELECT id FROM roles WHERE tenant_id = ? AND builtin = ?")
        .bind(tenant)
        .bind(role.key)
        .fetch_one(conn)
        .await
}

pub async fn grant(conn: &mut SqliteConnection, user_id: Uuid, role_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (?, ?)")
        .bind(user_id)
        .bind(role_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether any live user of the installation holds the Admin role.
pub async fn any_admin(db: &Db) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                        JOIN users u ON u.id = ur.user_id
                        WHERE r.builtin = 'admin' AND u.deleted_at IS NULL)",
    )
    .fetch_one(db)
    .await
}

/// How many live, active users of the tenant hold Admin, other than `except`.
pub async fn other_active_admins(db: &Db, tenant: &str, except: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
         JOIN users u ON u.id = ur.user_id
         WHERE r.tenant_id = ? AND r.builtin = 'admin' AND u.deleted_at IS NULL
           AND u.status = 'ACTIVE' AND u.id <> ?",
    )
    .bind(tenant)
    .bind(except)
    .fetch_one(db)
    .await
}

/// Whether the user holds the Admin role directly.
pub async fn is_admin(db: &Db, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                        WHERE ur.user_id = ? AND r.builtin = 'admin')",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
}
