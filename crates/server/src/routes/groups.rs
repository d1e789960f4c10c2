//! `/api/v1/tenants/{tenant_id}/groups`: groups, the roles they grant, their members.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use gatehouse_api::audit::{AuditAction, Target, TargetType};
use gatehouse_api::endpoints::url;
use gatehouse_api::groups::{
    CreateGroup, Group, GroupListQuery, MemberOutcome, MemberResult, MembersChange, MembersResult,
    UpdateGroup,
};
use gatehouse_api::users::{User, UserListQuery};
use gatehouse_api::{Page, Pagination, Problem, Single};
use uuid::Uuid;

use super::{page, single};
use crate::audit::{self, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path, Query};
use crate::guards;
use crate::store::groups::GroupFields;
use crate::store::Conn;
use crate::store::{begin_write, groups, roles, users};
use crate::AppState;

const WHAT: &str = "group";

fn not_found() -> AppError {
    AppError::gone(WHAT)
}

fn name_taken(error: sqlx::Error) -> AppError {
    AppError::unique(
        error,
        &[("groups.", "name", "Another group already has this name.")],
    )
}

fn with_etag(status: StatusCode, group: Group) -> Response {
    super::with_etag(status, group.version, group)
}

/// The tenant's groups by name, with their roles and member counts.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/groups", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), GroupListQuery),
    responses((status = 200, body = Page<Group>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<GroupListQuery>,
) -> AppResult<Json<Page<Group>>> {
    query.validate().map_err(AppError::Validation)?;
    let (found, total) = groups::list(&state.db, &tenant, &query).await?;
    Ok(page(
        found,
        Pagination::new(query.page(), query.per_page(), total),
    ))
}

/// Creates a group. The roles it grants must carry only permissions the caller holds.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/groups", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = CreateGroup,
    responses(
        (status = 201, body = Single<Group>, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem),
        (status = 409, description = "Name taken", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<CreateGroup>,
) -> AppResult<Response> {
    request.validate().map_err(AppError::Validation)?;
    let id = Uuid::now_v7();
    let mut tx = begin_write(&state.db).await?;
    guards::roles_to_grant(
        &mut tx,
        &principal,
        &tenant,
        "role_ids",
        &request.role_ids,
        &[],
    )
    .await?;
    let fields = GroupFields {
        name: request.name.trim(),
        description: request.description.trim(),
        color: &request.color,
        is_default: request.is_default,
    };
    groups::insert(&mut tx, &tenant, id, &fields)
        .await
        .map_err(name_taken)?;
    groups::set_roles(&mut tx, id, &request.role_ids).await?;
    let group = groups::get_in(&mut tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::GroupCreated,
        target(&group),
    )
    .changes(audit::created(&group));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    let mut response = with_etag(StatusCode::CREATED, group);
    if let Ok(location) = url::group(&tenant, id).parse() {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/groups/{group_id}", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("group_id" = Uuid, Path)),
    responses((status = 200, body = Single<Group>, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let group = groups::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(with_etag(StatusCode::OK, group))
}

/// Changes a group (`If-Match` required). Newly granted roles must carry only
/// permissions the caller holds; the tenant keeps an active administrator.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant_id}/groups/{group_id}", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("group_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = UpdateGroup,
    responses(
        (status = 200, body = Single<Group>, headers(("ETag" = String))),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Name taken, or it would remove the last administrator", body = Problem),
        (status = 412, body = Problem),
        (status = 422, body = Problem),
        (status = 428, body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<UpdateGroup>,
) -> AppResult<Response> {
    patch.validate().map_err(AppError::Validation)?;
    let group = groups::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let version = if_match.check(group.version)?;
    let mut tx = begin_write(&state.db).await?;
    let already: Vec<Uuid> = group.roles.iter().map(|r| r.id).collect();
    if let Some(role_ids) = &patch.role_ids {
        let known =
            guards::roles_to_grant(&mut tx, &principal, &tenant, "role_ids", role_ids, &already)
                .await?;
        let removed: Vec<Uuid> = already
            .iter()
            .copied()
            .filter(|r| !role_ids.contains(r))
            .collect();
        let removed = roles::permissions_of(&mut tx, &tenant, &removed).await?;
        guards::ensure_can_revoke(&principal, removed.values().map(|(n, p)| (n.as_str(), p)))?;
        let added = known.iter().filter(|(id, _)| !already.contains(id));
        guards::confirm_if_role_admin(
            &principal,
            added.chain(removed.iter()).map(|(_, (_, p))| p),
        )?;
    }
    if patch.is_default == Some(true) && !group.is_default {
        // New users will join it: as good as granting its roles to each of them.
        let final_roles = patch.role_ids.as_deref().unwrap_or(&already);
        let grants = roles::permissions_of(&mut tx, &tenant, final_roles).await?;
        guards::ensure_can_grant(&principal, grants.values().map(|(n, p)| (n.as_str(), p)))?;
    }
    let fields = GroupFields {
        name: patch.name.as_deref().map(str::trim).unwrap_or(&group.name),
        description: patch
            .description
            .as_deref()
            .map(str::trim)
            .unwrap_or(&group.description),
        color: patch.color.as_deref().unwrap_or(&group.color),
        is_default: patch.is_default.unwrap_or(group.is_default),
    };
    if !groups::update(&mut tx, &tenant, id, version, &fields)
        .await
        .map_err(name_taken)?
    {
        drop(tx);
        let current = groups::get(&state.db, &tenant, id).await?;
        return Err(AppError::changed_meanwhile(
            current.map(|g| g.version),
            WHAT,
        ));
    }
    if let Some(role_ids) = &patch.role_ids {
        groups::set_roles(&mut tx, id, role_ids).await?;
        guards::ensure_admin_remains(&mut tx, &tenant, "take Admin away from this group").await?;
    }
    let saved = groups::get_in(&mut tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::GroupUpdated,
        target(&saved),
    )
    .changes(audit::diff(&group, &saved));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(with_etag(StatusCode::OK, saved))
}

/// Deletes a group; its members lose the roles it granted, so the caller must hold
/// every permission those roles carry.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/groups/{group_id}", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("group_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Problem),
        (status = 409, description = "It would remove the last administrator", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<StatusCode> {
    let mut tx = begin_write(&state.db).await?;
    // Its members lose what it grants: only someone who holds all of it may do that.
    let granted = roles::granted_by_group(&mut tx, id).await?;
    guards::ensure_can_revoke(&principal, granted.iter().map(|(n, p)| (n.as_str(), p)))?;
    guards::confirm_if_role_admin(&principal, granted.iter().map(|(_, p)| p))?;
    let group = groups::get_in(&mut tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    if !groups::delete(&mut tx, &tenant, id).await? {
        return Err(not_found());
    }
    guards::ensure_admin_remains(&mut tx, &tenant, "delete this group").await?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::GroupDeleted,
        target(&group),
    )
    .changes(audit::deleted(&group));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The group's members: the users list, limited to the group (same search, filters and
/// sorting).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/groups/{group_id}/members", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("group_id" = Uuid, Path), UserListQuery),
    responses((status = 200, body = Page<User>), (status = 404, body = Problem)))]
pub async fn members(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
    Query(mut query): Query<UserListQuery>,
) -> AppResult<Json<Page<User>>> {
    query.validate().map_err(AppError::Validation)?;
    groups::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    query.group_id = Some(id);
    let (found, total) = users::list(&state.db, &tenant, &query).await?;
    Ok(page(
        found,
        total.pagination(query.page(), query.per_page()),
    ))
}

/// 403 naming the users among `users` who hold permissions the caller does not.
async fn refuse_stronger(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    users: &[Uuid],
) -> AppResult<()> {
    let stronger = guards::stronger_among(conn, principal, tenant, users).await?;
    if stronger.is_empty() {
        return Ok(());
    }
    let mut named: Vec<Uuid> = stronger.into_iter().collect();
    named.sort();
    let shown: Vec<String> = named.iter().take(5).map(Uuid::to_string).collect();
    let more = named.len().saturating_sub(shown.len());
    Err(AppError::Forbidden {
        detail: format!(
            "Nothing was changed: {} of these users hold permissions you do not, so only an administrator who holds them too can change their groups ({}{}).",
            named.len(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ),
        permission: None,
    })
}

fn target(group: &Group) -> Target {
    audit::target(TargetType::Group, group.id, group.name.clone())
}

/// The event of a membership change: who joined or left (their names as they are now).
async fn record_members(
    conn: &mut Conn,
    principal: &Principal,
    group: &Group,
    action: AuditAction,
    users: &[Uuid],
) -> AppResult<()> {
    /// Names listed in one event; a bulk change says how many more there were.
    const NAMED: usize = 100;
    let names = users::names_in(&mut *conn, users, NAMED).await?;
    let change = if action == AuditAction::GroupMembersAdded {
        audit::change("members", (), names)
    } else {
        audit::change("members", names, ())
    };
    let event = Event::new(Who::Caller(principal), action, target(group))
        .changes(change.into_iter().collect());
    audit::record(conn, &group.tenant_id, event).await?;
    Ok(())
}

/// Request order without repeats.
fn unique(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// Adds many users at once; says for each whether they were added, already a member, or
/// not found. Adding members grants the group's roles, so those roles must carry only
/// permissions the caller holds.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/groups/{group_id}/members", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("group_id" = Uuid, Path)), request_body = MembersChange,
    responses(
        (status = 200, body = Single<MembersResult>),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn add_members(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(change): JsonBody<MembersChange>,
) -> AppResult<Json<Single<MembersResult>>> {
    change.validate().map_err(AppError::Validation)?;
    let wanted = unique(&change.user_ids);
    let mut tx = begin_write(&state.db).await?;
    let group = groups::get_in(&mut tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let granted = roles::granted_by_group(&mut tx, id).await?;
    guards::ensure_can_grant(
        &principal,
        granted.iter().map(|(name, p)| (name.as_str(), p)),
    )?;
    guards::confirm_if_role_admin(&principal, granted.iter().map(|(_, p)| p))?;
    let existing = groups::existing_users(&mut tx, &tenant, &wanted).await?;
    let members = groups::members_among(&mut tx, id, &wanted).await?;
    let new: Vec<Uuid> = wanted
        .iter()
        .copied()
        .filter(|u| existing.contains(u) && !members.contains(u))
        .collect();
    groups::add_members(&mut tx, id, &new).await?;
    let member_count = groups::member_count(&mut tx, id).await?;
    record_members(
        &mut tx,
        &principal,
        &group,
        AuditAction::GroupMembersAdded,
        &new,
    )
    .await?;
    tx.commit().await?;
    let results = wanted
        .into_iter()
        .map(|user_id| {
            let outcome = if !existing.contains(&user_id) {
                MemberOutcome::UserNotFound
            } else if members.contains(&user_id) {
                MemberOutcome::AlreadyMember
            } else {
                MemberOutcome::Added
            };
            MemberResult { user_id, outcome }
        })
        .collect();
    Ok(single(MembersResult {
        results,
        member_count,
    }))
}

/// Removes many users at once, saying for each whether they were removed or were not a
/// member. Refused as a whole (403, nothing removed) if any of them holds a permission
/// the caller does not. The tenant keeps an active administrator.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/groups/{group_id}/members", tag = "groups", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("group_id" = Uuid, Path)), request_body = MembersChange,
    responses(
        (status = 200, body = Single<MembersResult>),
        (status = 404, body = Problem),
        (status = 409, description = "It would remove the last administrator", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn remove_members(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(change): JsonBody<MembersChange>,
) -> AppResult<Json<Single<MembersResult>>> {
    change.validate().map_err(AppError::Validation)?;
    let wanted = unique(&change.user_ids);
    let mut tx = begin_write(&state.db).await?;
    let group = groups::get_in(&mut tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let members = groups::members_among(&mut tx, id, &wanted).await?;
    let leaving: Vec<Uuid> = wanted
        .iter()
        .copied()
        .filter(|u| members.contains(u))
        .collect();
    refuse_stronger(&mut tx, &principal, &tenant, &leaving).await?;
    let granted = roles::granted_by_group(&mut tx, id).await?;
    guards::confirm_if_role_admin(&principal, granted.iter().map(|(_, p)| p))?;
    groups::remove_members(&mut tx, id, &leaving).await?;
    guards::ensure_admin_remains(&mut tx, &tenant, "remove these members").await?;
    let member_count = groups::member_count(&mut tx, id).await?;
    record_members(
        &mut tx,
        &principal,
        &group,
        AuditAction::GroupMembersRemoved,
        &leaving,
    )
    .await?;
    tx.commit().await?;
    let results = wanted
        .into_iter()
        .map(|user_id| MemberResult {
            user_id,
            outcome: if members.contains(&user_id) {
                MemberOutcome::Removed
            } else {
                MemberOutcome::NotMember
            },
        })
        .collect();
    Ok(single(MembersResult {
        results,
        member_count,
    }))
}
