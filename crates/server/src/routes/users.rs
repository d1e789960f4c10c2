//! `/api/v1/tenants/{tenant_id}/users`.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use gatehouse_api::audit::{AuditAction, Change};
use gatehouse_api::endpoints::url;
use gatehouse_api::export::UserExportQuery;
use gatehouse_api::groups::GroupRef;
use gatehouse_api::invites::{Delivery, MailKind};
use gatehouse_api::roles::{EffectiveRole, RoleRef, RoleSource, SetUserRoles, UserRoles};
use gatehouse_api::users::{
    ChangeStatus, CreateUser, IdentitySource, ResetPassword, UpdateUser, User, UserKind,
    UserListQuery, UserStatus, SERVICE_ACCOUNT_DOMAIN,
};
use gatehouse_api::validation::{clean, normalize_email};
use gatehouse_api::{Page, Problem, Single};
use std::collections::BTreeMap;

use serde::Deserialize;
use uuid::Uuid;

use super::{links, page, single};
use crate::audit::{self, user_target, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path, Query};
use crate::guards;
use crate::store::Conn;
use crate::store::{self, groups, resets, roles, sessions, to_time, users};
use crate::AppState;

const WHAT: &str = "user";
/// How long a welcome link works.
pub(crate) const WELCOME_HOURS: i64 = 7 * 24;
/// How long a reset link an administrator sends works.
const ADMIN_LINK_HOURS: i64 = 24;

fn not_found() -> AppError {
    AppError::gone(WHAT)
}

/// A user as a response, with its `ETag`.
fn with_etag(status: StatusCode, user: User) -> Response {
    super::with_etag(status, user.version, user)
}

/// Maps UNIQUE violations on email and username to a 409 under the field.
fn unique_conflict(error: sqlx::Error) -> AppError {
    AppError::unique(
        error,
        &[
            (
                "users.email",
                "email",
                "Another user already has this email address.",
            ),
            (
                "users.username",
                "username",
                "Another user already has this username.",
            ),
        ],
    )
}

fn owned(value: &Option<String>) -> Option<String> {
    clean(value).map(str::to_owned)
}

/// Inserts a new local user from a validated request. The user joins the tenant's
/// default groups, but only those whose roles `granter` could grant (all of them when
/// the server itself creates the first administrator).
pub async fn insert_user(
    conn: &mut Conn,
    tenant: &str,
    request: &CreateUser,
    password_hash: Option<&str>,
    granter: Option<&Principal>,
) -> AppResult<User> {
    let now = to_time(store::now_ms());
    let id = Uuid::now_v7();
    let service = request.kind == UserKind::Service;
    let email = if service && request.email.trim().is_empty() {
        // Unique by the id's random tail, undeliverable by its reserved domain.
        let tail = id.simple().to_string();
        format!("svc-{}@{SERVICE_ACCOUNT_DOMAIN}", &tail[tail.len() - 12..])
    } else {
        normalize_email(&request.email)
    };
    let user = User {
        id,
        tenant_id: tenant.to_owned(),
        email,
        username: owned(&request.username),
        first_name: owned(&request.first_name),
        last_name: owned(&request.last_name),
        display_name: owned(&request.display_name),
        phone: owned(&request.phone),
        locale: owned(&request.locale),
        timezone: owned(&request.timezone),
        status: UserStatus::Active,
        status_reason: None,
        identity_source: IdentitySource::Local,
        kind: request.kind,
        email_verified: request.email_verified && !service,
        mfa_enabled: false,
        require_password_change: request.require_password_change && !service,
        custom_attributes: request.custom_attributes.clone(),
        created_at: now,
        updated_at: now,
        last_login_at: None,
        password_changed_at: password_hash.map(|_| now),
        version: 1,
    };
    users::insert(conn, &user, password_hash)
        .await
        .map_err(unique_conflict)?;
    for group in groups::default_groups(&mut *conn, tenant).await? {
        let grants = roles::granted_by_group(&mut *conn, group).await?;
        let grantable = granter.is_none_or(|p| {
            guards::ensure_can_grant(p, grants.iter().map(|(n, p)| (n.as_str(), p))).is_ok()
        });
        if grantable {
            groups::add_members(&mut *conn, group, &[user.id]).await?;
        } else {
            tracing::info!(%group, user = %user.id, "default group skipped: it grants more than the creator may");
        }
    }
    Ok(user)
}

/// One page of users, searched, filtered and sorted.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), UserListQuery),
    responses((status = 200, body = Page<User>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<UserListQuery>,
) -> AppResult<Json<Page<User>>> {
    query.validate().map_err(AppError::Validation)?;
    let (found, total) = users::list(&state.db, &tenant, &query).await?;
    Ok(page(
        found,
        total.pagination(query.page(), query.per_page()),
    ))
}

/// Every user the list's filters match, in its order, as CSV with the columns asked for
/// (header first). Streamed: rows go out as they are read, never all held.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users/export", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), UserExportQuery),
    responses(
        (status = 200, description = "One row per user, header first", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, description = "Unknown or repeated columns, or a search the server will not run", body = Problem),
    ))]
pub async fn export(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<UserExportQuery>,
) -> AppResult<Response> {
    let columns = query.columns().map_err(AppError::Validation)?;
    let filter = query.filter();
    Ok(super::csv_download("users.csv", |out| async move {
        users::export_csv(&state.db, &tenant, &filter, &columns, &out).await
    }))
}

/// Creates a local user, with a password or without one; with `send_welcome_email`
/// they get a link to choose their password. They join the default groups whose roles
/// the caller could grant.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/users", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = CreateUser,
    responses(
        (status = 201, body = Single<User>, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "Email or username taken", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<CreateUser>,
) -> AppResult<Response> {
    request.validate().map_err(AppError::Validation)?;
    if request.send_welcome_email {
        links::require_mail(&state, "send_welcome_email")?;
    }
    let password_hash = match request.password.clone() {
        Some(p) => Some(state.hasher.hash(p).await?),
        None => None,
    };
    let mut tx = store::begin_write(&state.db).await?;
    let user = insert_user(
        &mut tx,
        &tenant,
        &request,
        password_hash.as_deref(),
        Some(&principal),
    )
    .await?;
    if request.send_welcome_email {
        links::mail_password_link(&mut tx, &state, &user, MailKind::Welcome, WELCOME_HOURS).await?;
    }
    let mut changes = audit::created(&user);
    if password_hash.is_some() {
        changes.push(Change::secret("password"));
    }
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserCreated,
        user_target(&user),
    )
    .changes(changes);
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    state.mailer.queued.notify_one();
    let location = url::user(&tenant, user.id);
    let mut response = with_etag(StatusCode::CREATED, user);
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// One user.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)),
    responses((status = 200, body = Single<User>, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let user = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(with_etag(StatusCode::OK, user))
}

/// Changes the fields present in the body. Requires `If-Match` with the version the
/// change is based on; a stale version gets 412 and changes nothing.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant_id}/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag of the version being changed")),
    request_body = UpdateUser,
    responses(
        (status = 200, body = Single<User>, headers(("ETag" = String))),
        (status = 404, body = Problem),
        (status = 409, description = "Email or username taken", body = Problem),
        (status = 412, description = "Someone else changed the user first", body = Problem),
        (status = 422, body = Problem),
        (status = 428, description = "If-Match missing", body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<UpdateUser>,
) -> AppResult<Response> {
    patch.validate().map_err(AppError::Validation)?;
    let mut user = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let version = if_match.check(user.version)?;
    if patch.is_empty() {
        return Ok(with_etag(StatusCode::OK, user));
    }
    let moving = patch
        .email
        .as_deref()
        .is_some_and(|e| normalize_email(e) != user.email);
    let before = user.clone();
    apply(&mut user, patch);
    let mut tx = store::begin_write(&state.db).await?;
    if moving {
        // Password links went to the old address; they must not outlive it.
        resets::end_all(&mut tx, id).await?;
    }
    let Some(saved) = users::save_profile(&mut tx, &user, version)
        .await
        .map_err(unique_conflict)?
    else {
        drop(tx);
        let current = users::get(&state.db, &tenant, id).await?;
        return Err(AppError::changed_meanwhile(
            current.map(|u| u.version),
            WHAT,
        ));
    };
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserUpdated,
        user_target(&saved),
    )
    .changes(audit::diff(&before, &saved));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(with_etag(StatusCode::OK, saved))
}

fn apply(user: &mut User, patch: UpdateUser) {
    let set = |field: &mut Option<String>, value: Option<String>| {
        if let Some(value) = value {
            *field = owned(&Some(value));
        }
    };
    if let Some(email) = patch.email {
        user.email = normalize_email(&email);
    }
    set(&mut user.username, patch.username);
    set(&mut user.first_name, patch.first_name);
    set(&mut user.last_name, patch.last_name);
    set(&mut user.display_name, patch.display_name);
    set(&mut user.phone, patch.phone);
    set(&mut user.locale, patch.locale);
    set(&mut user.timezone, patch.timezone);
    if let Some(verified) = patch.email_verified {
        user.email_verified = verified;
    }
    if let Some(require) = patch.require_password_change {
        user.require_password_change = require;
    }
    if let Some(attributes) = patch.custom_attributes {
        user.custom_attributes = attributes;
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteConfirmation {
    /// The user's email address, typed by the administrator to confirm.
    pub confirm_email: Option<String>,
}

/// Deletes a user after confirmation: they vanish from lists and cannot sign in.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path), DeleteConfirmation),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Problem),
        (status = 409, description = "Own account, or the last administrator", body = Problem),
        (status = 422, description = "Confirmation missing or wrong", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    Query(confirmation): Query<DeleteConfirmation>,
) -> AppResult<StatusCode> {
    let user = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let typed = confirmation.confirm_email.as_deref().map(normalize_email);
    if typed.as_deref() != Some(user.email.as_str()) {
        return Err(AppError::field(
            "confirm_email",
            "Type the user's email address exactly to confirm.",
        ));
    }
    guards::refuse_self(&principal, id, "delete", false)?;
    let mut tx = store::begin_write(&state.db).await?;
    if !users::soft_delete(&mut tx, &tenant, id).await? {
        return Err(not_found());
    }
    guards::ensure_admin_remains(&mut tx, &tenant, "delete this user").await?;
    sessions::revoke_all(&mut *tx, id).await?;
    resets::end_all(&mut tx, id).await?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserDeleted,
        user_target(&user),
    )
    .changes(audit::deleted(&user));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables, disables, locks or unlocks a user. Disabling or locking ends every session
/// of theirs at once; enabling them again brings none back.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/status", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)), request_body = ChangeStatus,
    responses(
        (status = 200, body = Single<User>, headers(("ETag" = String))),
        (status = 404, body = Problem),
        (status = 409, description = "Own account, or the last administrator", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(change): JsonBody<ChangeStatus>,
) -> AppResult<Response> {
    change.validate().map_err(AppError::Validation)?;
    let before = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let action = if change.status == UserStatus::Locked {
        "lock"
    } else {
        "disable"
    };
    if change.status != UserStatus::Active {
        guards::refuse_self(&principal, id, action, false)?;
    }
    let mut tx = store::begin_write(&state.db).await?;
    let reason = owned(&change.reason);
    let user = users::set_status(&mut tx, &tenant, id, change.status, reason.clone())
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserStatusChanged,
        user_target(&user),
    )
    .changes(audit::diff(&before, &user))
    .reason(reason.as_deref());
    audit::record(&mut tx, &tenant, event).await?;
    if change.status != UserStatus::Active {
        guards::ensure_admin_remains(&mut tx, &tenant, &format!("{action} this user")).await?;
        sessions::revoke_all(&mut *tx, id).await?;
        resets::end_all(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(with_etag(StatusCode::OK, user))
}

/// Sets a new password chosen by the administrator and signs the user out everywhere,
/// or (`EMAIL`) mails the user a single-use link to choose one.
/// Not for one's own account: that is the account page's change, which asks for the
/// current password.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/password/reset", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)), request_body = ResetPassword,
    responses(
        (status = 200, body = Single<User>, headers(("ETag" = String))),
        (status = 409, description = "Your own account: change it on your account page", body = Problem),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(reset): JsonBody<ResetPassword>,
) -> AppResult<Response> {
    // One's own password changes on the account page, which asks for the current one.
    guards::refuse_self(&principal, id, "set a new password for", true)?;
    let user = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    if user.kind == UserKind::Service {
        return Err(AppError::conflict(
            "Service accounts have no password and never sign in: give them an API key instead.",
        ));
    }
    reset.validate(&user.email).map_err(AppError::Validation)?;
    let Some(new_password) = reset.new_password else {
        // By email: a link to choose one; their sessions end when they use it.
        links::require_mail(&state, "method")?;
        let mut tx = store::begin_write(&state.db).await?;
        links::mail_password_link(
            &mut tx,
            &state,
            &user,
            MailKind::PasswordReset,
            ADMIN_LINK_HOURS,
        )
        .await?;
        let event = Event::new(
            Who::Caller(&principal),
            AuditAction::UserPasswordLinkSent,
            user_target(&user),
        );
        audit::record(&mut tx, &tenant, event).await?;
        tx.commit().await?;
        state.mailer.queued.notify_one();
        return Ok(with_etag(StatusCode::OK, user));
    };
    let hash = state.hasher.hash(new_password).await?;
    let mut tx = store::begin_write(&state.db).await?;
    let before = user;
    let user = users::set_password(&mut tx, &tenant, id, hash, reset.require_password_change)
        .await?
        .ok_or_else(not_found)?;
    sessions::revoke_all(&mut *tx, id).await?;
    let mut changes = vec![Change::secret("password")];
    changes.extend(audit::diff(&before, &user));
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserPasswordSet,
        user_target(&user),
    )
    .changes(changes);
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(with_etag(StatusCode::OK, user))
}

/// Turns off multi-factor authentication, for a user who lost their device.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/mfa/disable", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 200, body = Single<User>, headers(("ETag" = String))),
        (status = 409, description = "Your own account: turn it off on your account page", body = Problem),
    ))]
pub async fn disable_mfa(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    guards::refuse_self(&principal, id, "turn off two-step sign-in for", true)?;
    let before = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let mut tx = store::begin_write(&state.db).await?;
    let user = users::disable_mfa(&mut tx, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserMfaDisabled,
        user_target(&user),
    )
    .changes(audit::diff(&before, &user));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(with_etag(StatusCode::OK, user))
}

/// The groups a user belongs to.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/groups", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)),
    responses((status = 200, body = Single<Vec<GroupRef>>), (status = 404, body = Problem)))]
pub async fn groups_of(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<Vec<GroupRef>>>> {
    users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(single(groups::of_user(&state.db, id).await?))
}

/// The roles a user holds directly, and every role they hold with where it comes from.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/roles", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)),
    responses((status = 200, body = Single<UserRoles>), (status = 404, body = Problem)))]
pub async fn roles_of(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<UserRoles>>> {
    users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(single(user_roles(&state, id).await?))
}

async fn user_roles(state: &AppState, id: Uuid) -> AppResult<UserRoles> {
    let mut effective: BTreeMap<Uuid, EffectiveRole> = BTreeMap::new();
    let mut direct = Vec::new();
    for (role_id, name, permissions, group) in roles::effective_of_user(&state.db, id).await? {
        let entry = effective.entry(role_id).or_insert_with(|| EffectiveRole {
            role: RoleRef {
                id: role_id,
                name: name.clone(),
            },
            permissions: sessions::parse_permissions(&permissions).collect(),
            sources: Vec::new(),
        });
        match group {
            None => {
                entry.sources.push(RoleSource::Direct);
                direct.push(RoleRef { id: role_id, name });
            }
            Some((id, name)) => entry.sources.push(RoleSource::Group { id, name }),
        }
    }
    let mut effective: Vec<EffectiveRole> = effective.into_values().collect();
    effective.sort_by_key(|r| r.role.name.to_lowercase());
    for role in &mut effective {
        role.sources.sort();
    }
    direct.sort_by_key(|r| r.name.to_lowercase());
    let permissions = effective
        .iter()
        .flat_map(|r| r.permissions.iter().copied())
        .collect();
    Ok(UserRoles {
        direct,
        effective,
        permissions,
    })
}

/// Replaces the roles a user holds directly. Newly granted roles may only carry
/// permissions the caller holds; granting or taking away a role that carries
/// `roles:write` needs a recent confirmation of identity; the tenant keeps at least one
/// active administrator.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/roles", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)), request_body = SetUserRoles,
    responses(
        (status = 200, body = Single<UserRoles>),
        (status = 403, description = "A role carries permissions the caller lacks", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "It would remove the last administrator", body = Problem),
        (status = 422, description = "Unknown role ids", body = Problem),
    ))]
pub async fn set_roles(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(request): JsonBody<SetUserRoles>,
) -> AppResult<Json<Single<UserRoles>>> {
    request.validate().map_err(AppError::Validation)?;
    let user = users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    let wanted: Vec<Uuid> = request.role_ids.iter().copied().collect();
    let mut tx = store::begin_write(&state.db).await?;
    let current = roles::direct_of_user(&mut *tx, id).await?;
    let known =
        guards::roles_to_grant(&mut tx, &principal, &tenant, "role_ids", &wanted, &current).await?;
    let removed: Vec<Uuid> = current
        .iter()
        .copied()
        .filter(|r| !known.contains_key(r))
        .collect();
    let removed = roles::permissions_of(&mut tx, &tenant, &removed).await?;
    let changed = known
        .iter()
        .filter(|(role, _)| !current.contains(role))
        .chain(removed.iter())
        .map(|(_, (_, p))| p);
    guards::confirm_if_role_admin(&principal, changed)?;
    let names_before = roles::names_of(&mut tx, &tenant, &current).await?;
    roles::set_direct(&mut tx, id, &wanted).await?;
    guards::ensure_admin_remains(&mut tx, &tenant, "take Admin away from this user").await?;
    let names_after = roles::names_of(&mut tx, &tenant, &wanted).await?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::UserRolesChanged,
        user_target(&user),
    )
    .changes(
        audit::change("roles", names_before, names_after)
            .into_iter()
            .collect(),
    );
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(single(user_roles(&state, id).await?))
}

/// The latest mail about a user (password links, welcome), newest first.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/mail", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)),
    responses((status = 200, body = Single<Vec<Delivery>>)))]
pub async fn mail_of(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<Vec<Delivery>>>> {
    users::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(single(store::outbox::of_user(&state.db, id, 10).await?))
}
