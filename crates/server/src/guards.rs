//! The rules that keep access safe, beyond "may call this endpoint": nobody grants what
//! they do not hold, nobody changes an account stronger than their own, dangerous
//! actions need a recent proof of identity, and a tenant never loses its last active
//! administrator.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use gatehouse_api::endpoints::RECENT_AUTH_SECONDS;
use gatehouse_api::Permission;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::store::Conn;
use crate::store::{self, roles, sessions, Db};

/// A 403 when the caller lacks any of `permissions`; `explain` gets the missing
/// permissions' names and says what was refused.
fn require_all(
    principal: &Principal,
    permissions: &BTreeSet<Permission>,
    explain: impl FnOnce(String) -> String,
) -> AppResult<()> {
    let missing = lacking(principal, permissions);
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(AppError::Forbidden {
            detail: explain(names(&missing)),
            permission: Some(*first),
        }),
    }
}

/// Refuses granting roles (to a user, a group, or a group's new members) that carry
/// permissions the caller does not hold: access can only be passed on, never created.
pub fn ensure_can_grant<'a>(
    principal: &Principal,
    roles: impl IntoIterator<Item = (&'a str, &'a BTreeSet<Permission>)>,
) -> AppResult<()> {
    for (name, permissions) in roles {
        require_all(principal, permissions, |missing| {
            format!("You cannot grant the role {name:?}: it includes permissions you do not hold ({missing}).")
        })?;
    }
    Ok(())
}

/// The roles named by `role_ids`, checked for granting: each must be a role of the
/// tenant (422 under `field`), and those not held already (`already`) may carry only
/// permissions the caller holds (403).
pub async fn roles_to_grant(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    field: &str,
    role_ids: &[Uuid],
    already: &[Uuid],
) -> AppResult<BTreeMap<Uuid, (String, BTreeSet<Permission>)>> {
    let known = roles::permissions_of(conn, tenant, role_ids).await?;
    if let Some(unknown) = role_ids.iter().find(|r| !known.contains_key(r)) {
        return Err(AppError::field(
            field,
            format!("There is no role {unknown} in this tenant."),
        ));
    }
    let added = known
        .iter()
        .filter(|(id, _)| !already.contains(id))
        .map(|(_, (name, p))| (name.as_str(), p));
    ensure_can_grant(principal, added)?;
    Ok(known)
}

/// Checks that the caller may hand out these roles and groups later (an invite, an SSO
/// mapping): putting people in roles and groups takes `roles:write` and `groups:write`,
/// and the roles, and the roles of the groups (which must exist: 422 otherwise), may
/// carry only permissions the caller holds.
pub async fn ensure_can_grant_through(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    role_ids: &[Uuid],
    group_ids: &[Uuid],
) -> AppResult<()> {
    if !role_ids.is_empty() && !principal.can(Permission::RolesWrite) {
        return Err(AppError::missing_permission(Permission::RolesWrite));
    }
    if !group_ids.is_empty() && !principal.can(Permission::GroupsWrite) {
        return Err(AppError::missing_permission(Permission::GroupsWrite));
    }
    let granted = roles_to_grant(conn, principal, tenant, "role_ids", role_ids, &[]).await?;
    confirm_if_role_admin(principal, granted.values().map(|(_, p)| p))?;
    for group in group_ids {
        if store::groups::exists(conn, tenant, *group).await?.is_none() {
            return Err(AppError::field(
                "group_ids",
                format!("There is no group {group} in this tenant."),
            ));
        }
        let grants = roles::granted_by_group(conn, *group).await?;
        ensure_can_grant(principal, grants.iter().map(|(n, p)| (n.as_str(), p)))?;
        confirm_if_role_admin(principal, grants.iter().map(|(_, p)| p))?;
    }
    Ok(())
}

/// Refuses removing (or changing) roles whose permissions the caller does not hold
/// all of: taking access away is as guarded as giving it.
pub fn ensure_can_revoke<'a>(
    principal: &Principal,
    roles: impl IntoIterator<Item = (&'a str, &'a BTreeSet<Permission>)>,
) -> AppResult<()> {
    for (name, permissions) in roles {
        require_all(principal, permissions, |missing| {
            format!("You cannot take away or change the role {name:?}: it includes permissions you do not hold ({missing}).")
        })?;
    }
    Ok(())
}

/// Refuses permissions for a role the caller does not hold themselves.
pub fn ensure_holds(principal: &Principal, permissions: &BTreeSet<Permission>) -> AppResult<()> {
    require_all(principal, permissions, |missing| {
        format!("You cannot give a role permissions you do not hold yourself ({missing}).")
    })
}

/// Refuses an API key with permissions the caller does not hold: a key (or a person)
/// can only pass on what it has.
pub fn ensure_can_issue(
    principal: &Principal,
    permissions: &BTreeSet<Permission>,
) -> AppResult<()> {
    require_all(principal, permissions, |missing| {
        let who = if principal.api_key.is_some() {
            "this API key does"
        } else {
            "you do"
        };
        format!("The new key would have permissions {who} not hold ({missing}). Limit it to fewer permissions.")
    })
}

/// The names of `permissions` the caller does not hold.
fn lacking(principal: &Principal, permissions: &BTreeSet<Permission>) -> Vec<Permission> {
    permissions
        .iter()
        .copied()
        .filter(|p| !principal.can(*p))
        .collect()
}

fn names(permissions: &[Permission]) -> String {
    permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses changing a user who holds a permission the caller does not: a weaker
/// administrator cannot reset a stronger one's password, lock them, delete them, or
/// take their roles. Unknown users pass (the handler answers 404).
pub async fn ensure_not_stronger(
    db: &Db,
    principal: &Principal,
    tenant: &str,
    target: Uuid,
) -> AppResult<()> {
    if target == principal.user_id {
        return Ok(());
    }
    let Some(user) = store::users::get(db, tenant, target).await? else {
        return Ok(());
    };
    let held = sessions::effective_permissions(db, target).await?;
    require_all(principal, &held, |missing| {
        format!(
            "You cannot change {}: they hold permissions you do not ({missing}). Only an administrator who holds them too can change this account.",
            user.email
        )
    })
}

/// Of `users`, those holding a permission the caller does not (for bulk changes).
pub async fn stronger_among(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    users: &[Uuid],
) -> sqlx::Result<HashSet<Uuid>> {
    let stronger_roles: Vec<Uuid> = roles::all_permissions(&mut *conn, tenant)
        .await?
        .into_iter()
        .filter(|(_, permissions)| !lacking(principal, permissions).is_empty())
        .map(|(id, _)| id)
        .collect();
    let mut found = roles::holders_among(conn, &stronger_roles, users).await?;
    found.remove(&principal.user_id);
    Ok(found)
}

/// Refuses a dangerous action when the caller last proved who they are more than a few
/// minutes ago; the console then asks for their password and repeats the request.
pub fn ensure_recently_confirmed(principal: &Principal) -> AppResult<()> {
    let age_ms = store::now_ms() - principal.confirmed_at;
    if age_ms <= RECENT_AUTH_SECONDS * 1000 {
        Ok(())
    } else {
        Err(AppError::ConfirmIdentity)
    }
}

/// Changes to roles that carry `roles:write` (the power to grant anything the caller
/// holds) also need a recent proof of identity.
pub fn confirm_if_role_admin<'a>(
    principal: &Principal,
    permission_sets: impl IntoIterator<Item = &'a BTreeSet<Permission>>,
) -> AppResult<()> {
    if permission_sets
        .into_iter()
        .any(|p| p.contains(&Permission::RolesWrite))
    {
        ensure_recently_confirmed(principal)
    } else {
        Ok(())
    }
}

/// Refuses an action on the caller's own account: they would lock themselves out, or it
/// belongs on their account page (`on_account_page`), which asks for their password.
pub fn refuse_self(
    principal: &Principal,
    target: uuid::Uuid,
    action: &str,
    on_account_page: bool,
) -> AppResult<()> {
    if principal.user_id != target {
        return Ok(());
    }
    Err(AppError::conflict(if on_account_page {
        format!("You cannot {action} your own account here: use My account (your name at the top), which asks for your current password.")
    } else {
        format!("You cannot {action} your own account.")
    }))
}

/// Called inside the transaction of a change, after making it: if the tenant has no
/// active administrator left, the change is refused (and rolled back with the
/// transaction).
pub async fn ensure_admin_remains(conn: &mut Conn, tenant: &str, action: &str) -> AppResult<()> {
    if roles::active_admins(conn, tenant).await? > 0 {
        return Ok(());
    }
    Err(AppError::conflict(format!(
        "You cannot {action}: it would leave this tenant without an active administrator, and nobody could manage it. Make someone else an administrator first."
    )))
}
