//! The rules that keep access safe, beyond "may call this endpoint": nobody grants what
//! they do not hold, and a tenant never loses its last active administrator.

use std::collections::BTreeSet;

use gatehouse_api::Permission;
use sqlx::SqliteConnection;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::store::roles;

/// Refuses granting roles (to a user, a group, or a group's new members) that carry
/// permissions the caller does not hold: access can only be passed on, never created.
pub fn ensure_can_grant<'a>(
    principal: &Principal,
    roles: impl IntoIterator<Item = (&'a str, &'a BTreeSet<Permission>)>,
) -> AppResult<()> {
    for (name, permissions) in roles {
        let missing: Vec<&str> = permissions
            .iter()
            .filter(|p| !principal.can(**p))
            .map(|p| p.as_str())
            .collect();
        if let Some(first) = missing.first() {
            return Err(AppError::Forbidden {
                detail: format!(
                    "You cannot grant the role {name:?}: it includes permissions you do not hold ({}).",
                    missing.join(", ")
                ),
                permission: Permission::parse(first),
            });
        }
    }
    Ok(())
}

/// Refuses permissions for a role the caller does not hold themselves.
pub fn ensure_holds(principal: &Principal, permissions: &BTreeSet<Permission>) -> AppResult<()> {
    let missing: Vec<&str> = permissions
        .iter()
        .filter(|p| !principal.can(**p))
        .map(|p| p.as_str())
        .collect();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(AppError::Forbidden {
            detail: format!(
                "You cannot give a role permissions you do not hold yourself ({}).",
                missing.join(", ")
            ),
            permission: Permission::parse(first),
        }),
    }
}

/// Refuses an action on the caller's own account (they would lock themselves out).
pub fn refuse_self(principal: &Principal, target: uuid::Uuid, action: &str) -> AppResult<()> {
    if principal.user_id == target {
        Err(AppError::conflict(format!(
            "You cannot {action} your own account."
        )))
    } else {
        Ok(())
    }
}

/// Called inside the transaction of a change, after making it: if the tenant has no
/// active administrator left, the change is refused (and rolled back with the
/// transaction).
pub async fn ensure_admin_remains(
    conn: &mut SqliteConnection,
    tenant: &str,
    action: &str,
) -> AppResult<()> {
    if roles::active_admins(conn, tenant).await? > 0 {
        return Ok(());
    }
    Err(AppError::conflict(format!(
        "You cannot {action}: it would leave this tenant without an active administrator, and nobody could manage it. Make someone else an administrator first."
    )))
}
