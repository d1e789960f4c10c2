//! `/api/v1/tenants/{tenant_id}/roles`: the built-in roles, read-only, and custom ones.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use gatehouse_api::audit::{AuditAction, Target, TargetType};
use gatehouse_api::endpoints::url;
use gatehouse_api::roles::{CreateRole, Role, RoleHolders, RoleListQuery, UpdateRole};
use gatehouse_api::{Page, Pagination, Problem, Single};
use serde::Deserialize;
use uuid::Uuid;

use super::{page, single};
use crate::audit::{self, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path, Query};
use crate::guards;
use crate::store::{begin_write, roles};
use crate::AppState;

const WHAT: &str = "role";

fn not_found() -> AppError {
    AppError::gone(WHAT)
}

fn builtin_refused() -> AppError {
    AppError::conflict("Built-in roles cannot be changed or deleted. Create a custom role instead.")
}

fn name_taken(error: sqlx::Error) -> AppError {
    AppError::unique(
        error,
        &[("roles.", "name", "Another role already has this name.")],
    )
}

fn with_etag(status: StatusCode, role: Role) -> Response {
    super::with_etag(status, role.version, role)
}

fn target(role: &Role) -> Target {
    audit::target(TargetType::Role, role.id, role.name.clone())
}

/// The tenant's roles, built-in first, with how many users and groups hold each.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/roles", tag = "roles", security(("bearer" = [])),
    params(("tenant_id" = String, Path), RoleListQuery),
    responses((status = 200, body = Page<Role>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<RoleListQuery>,
) -> AppResult<Json<Page<Role>>> {
    query.validate().map_err(AppError::Validation)?;
    let (found, total) = roles::list(&state.db, &tenant, &query).await?;
    Ok(page(
        found,
        Pagination::new(query.page(), query.per_page(), total),
    ))
}

/// Creates a custom role. Its permissions must be ones the caller holds.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/roles", tag = "roles", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = CreateRole,
    responses(
        (status = 201, body = Single<Role>, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem),
        (status = 409, description = "Name taken", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<CreateRole>,
) -> AppResult<Response> {
    request.validate().map_err(AppError::Validation)?;
    guards::ensure_holds(&principal, &request.permissions)?;
    let id = Uuid::now_v7();
    let mut tx = begin_write(&state.db).await?;
    roles::insert(
        &mut tx,
        &tenant,
        id,
        request.name.trim(),
        request.description.trim(),
        &request.permissions,
    )
    .await
    .map_err(name_taken)?;
    let role = roles::get(&mut *tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::RoleCreated,
        target(&role),
    )
    .changes(audit::created(&role));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    let mut response = with_etag(StatusCode::CREATED, role);
    if let Ok(location) = url::role(&tenant, id).parse() {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/roles/{role_id}", tag = "roles", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("role_id" = Uuid, Path)),
    responses((status = 200, body = Single<Role>, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let role = roles::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(with_etag(StatusCode::OK, role))
}

/// Changes a custom role (`If-Match` required). The caller must hold every permission
/// the role has and will have; built-in roles answer 409.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant_id}/roles/{role_id}", tag = "roles", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("role_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = UpdateRole,
    responses(
        (status = 200, body = Single<Role>, headers(("ETag" = String))),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Built-in role, or name taken", body = Problem),
        (status = 412, body = Problem),
        (status = 422, body = Problem),
        (status = 428, body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<UpdateRole>,
) -> AppResult<Response> {
    patch.validate().map_err(AppError::Validation)?;
    let role = roles::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    if role.is_builtin() {
        return Err(builtin_refused());
    }
    let version = if_match.check(role.version)?;
    // Changing a role changes what its holders may do: only someone who holds all of
    // it may, and only with permissions they hold.
    guards::ensure_can_revoke(&principal, [(role.name.as_str(), &role.permissions)])?;
    if let Some(permissions) = &patch.permissions {
        guards::ensure_holds(&principal, permissions)?;
        guards::confirm_if_role_admin(&principal, [&role.permissions, permissions])?;
    }
    let name = patch.name.as_deref().map(str::trim).unwrap_or(&role.name);
    let description = patch
        .description
        .as_deref()
        .map(str::trim)
        .unwrap_or(&role.description);
    let permissions = patch.permissions.as_ref().unwrap_or(&role.permissions);
    let mut tx = begin_write(&state.db).await?;
    if !roles::update(
        &mut tx,
        &tenant,
        id,
        version,
        name,
        description,
        permissions,
    )
    .await
    .map_err(name_taken)?
    {
        let current = roles::get(&mut *tx, &tenant, id).await?;
        return Err(AppError::changed_meanwhile(
            current.map(|r| r.version),
            WHAT,
        ));
    }
    let saved = roles::get(&mut *tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::RoleUpdated,
        target(&saved),
    )
    .changes(audit::diff(&role, &saved));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(with_etag(StatusCode::OK, saved))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteRoleQuery {
    /// Delete even if users or groups hold the role (they lose it).
    #[serde(default)]
    pub force: bool,
}

/// Deletes a custom role the caller holds every permission of. A role in use answers
/// 409 with who holds it, unless `force`.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/roles/{role_id}", tag = "roles", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("role_id" = Uuid, Path), DeleteRoleQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Problem),
        (status = 409, description = "Built-in, or in use and not forced", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    Query(query): Query<DeleteRoleQuery>,
) -> AppResult<StatusCode> {
    let role = roles::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    if role.is_builtin() {
        return Err(builtin_refused());
    }
    guards::ensure_can_revoke(&principal, [(role.name.as_str(), &role.permissions)])?;
    guards::confirm_if_role_admin(&principal, [&role.permissions])?;
    if !query.force && (role.user_count > 0 || role.group_count > 0) {
        return Err(AppError::conflict(format!(
            "{} users and {} groups hold the role {:?}; they would lose its permissions. Delete with force=true to go ahead.",
            role.user_count, role.group_count, role.name
        )));
    }
    let mut tx = begin_write(&state.db).await?;
    roles::delete(&mut tx, &tenant, id).await?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::RoleDeleted,
        target(&role),
    )
    .changes(audit::deleted(&role));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who holds a role: users directly, groups, and how many users in all.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/roles/{role_id}/holders", tag = "roles", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("role_id" = Uuid, Path)),
    responses((status = 200, body = Single<RoleHolders>), (status = 404, body = Problem)))]
pub async fn holders(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<RoleHolders>>> {
    roles::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(single(roles::holders(&state.db, &tenant, id).await?))
}
