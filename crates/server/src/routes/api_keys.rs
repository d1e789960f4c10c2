//! API keys: the signed-in user's own (`/api/v1/auth/me/api-keys`), a user's
//! (`.../users/{user_id}/api-keys`) and the tenant's (`.../api-keys`).
//!
//! Who may call what is in the endpoint table (everyone manages their own keys;
//! `api_keys:read` / `api_keys:write` reach other people's, never a stronger person's).
//! Here: a key never has a permission its owner lacks, nor one its creator lacks (so a
//! key cannot mint a stronger key), nor outlives the key that created it, and its
//! expiry keeps to the tenant's maximum. The secret is in the create answer only.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use gatehouse_api::api_keys::{
    ApiKey, ApiKeyListQuery, CreateApiKey, CreatedApiKey, KeyRevokeOutcome, KeyRevokeResult,
    KeyRevokeResults, RevokeApiKey, RevokeApiKeys, UpdateApiKey,
};
use gatehouse_api::audit::{AuditAction, TargetType};
use gatehouse_api::endpoints::url;
use gatehouse_api::users::UserStatus;
use gatehouse_api::validation::clean;
use gatehouse_api::{Page, Pagination, Permission, Problem, Single};
use uuid::Uuid;

use super::{page, single, with_etag};
use crate::audit::{self, Event, Who};
use crate::auth::{token, Principal};
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path, Query};
use crate::guards;
use crate::store::Conn;
use crate::store::{self, api_keys, sessions, tenants, users};
use crate::AppState;

const WHAT: &str = "API key";

async fn key_list(
    state: &AppState,
    tenant: &str,
    owner: Option<Uuid>,
    query: &ApiKeyListQuery,
) -> AppResult<Json<Page<ApiKey>>> {
    query.validate().map_err(AppError::Validation)?;
    let (found, total) = api_keys::list(&state.db, tenant, owner, query).await?;
    Ok(page(
        found,
        Pagination::new(query.page(), query.per_page(), total),
    ))
}

/// Issues a key for `owner` (see the module documentation for the rules).
async fn issue(
    state: &AppState,
    principal: &Principal,
    tenant: &str,
    owner: Uuid,
    request: CreateApiKey,
) -> AppResult<Response> {
    let now = Utc::now();
    let max_days = tenants::api_key_max_days(&state.db, tenant).await?;
    request
        .validate(now, max_days)
        .map_err(AppError::Validation)?;
    let user = users::get(&state.db, tenant, owner)
        .await?
        .ok_or_else(|| AppError::gone("user"))?;
    if user.status != UserStatus::Active {
        return Err(AppError::conflict(format!(
            "{} is {}: a key would not work until the account is active again.",
            user.email,
            user.status.label().to_lowercase()
        )));
    }
    let held = sessions::effective_permissions(&state.db, owner).await?;
    let power: BTreeSet<Permission> = match &request.permissions {
        Some(subset) => {
            let foreign: Vec<&str> = subset.difference(&held).map(|p| p.as_str()).collect();
            if !foreign.is_empty() {
                return Err(AppError::field(
                    "permissions",
                    format!(
                        "{} does not hold {}: a key can only be limited to permissions its owner has.",
                        user.email,
                        foreign.join(", ")
                    ),
                ));
            }
            subset.clone()
        }
        None => held,
    };
    guards::ensure_can_issue(principal, &power)?;
    let expires_at = request.expires.resolve(now).map(|t| t.timestamp_millis());
    if let Some(parent) = principal.api_key {
        let parent_expiry = api_keys::get(&state.db, tenant, parent)
            .await?
            .and_then(|k| k.expires_at);
        if let Some(limit) = parent_expiry {
            if expires_at.is_none_or(|at| at > limit.timestamp_millis()) {
                return Err(AppError::field(
                    "expires",
                    format!(
                        "A key cannot create a key that outlives it: this one expires on {}.",
                        limit.format("%Y-%m-%d %H:%M UTC")
                    ),
                ));
            }
        }
    }
    let (prefix, secret) = token::generate_api_key();
    let id = Uuid::now_v7();
    let mut tx = store::begin_write(&state.db).await?;
    api_keys::insert(
        &mut tx,
        &api_keys::NewKey {
            id,
            tenant,
            owner,
            name: request.name.trim(),
            prefix: &prefix,
            secret_hash: &token::hash(&secret),
            permissions: request.permissions.as_ref(),
            created_by: principal.user_id,
            expires_at,
        },
    )
    .await?;
    let changes = [
        audit::change("name", (), request.name.trim()),
        audit::change("owner", (), users::names_in(&mut tx, &[owner], 1).await?),
        audit::change("expires_at", (), expires_at.map(store::to_time)),
        audit::change("permissions", (), request.permissions.as_ref()),
    ];
    let target = audit::target(
        TargetType::ApiKey,
        id,
        api_keys::label(request.name.trim(), &prefix),
    );
    let event = Event::new(Who::Caller(principal), AuditAction::ApiKeyCreated, target)
        .changes(changes.into_iter().flatten().collect());
    audit::record(&mut tx, tenant, event).await?;
    tx.commit().await?;
    let key = api_keys::get(&state.db, tenant, id)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    tracing::info!(key = %id, prefix = %prefix, owner = %owner, "API key issued");
    let location = url::api_key(tenant, id);
    let mut response = (StatusCode::CREATED, single(CreatedApiKey { key, secret })).into_response();
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// The signed-in user's keys.
#[utoipa::path(get, path = "/api/v1/auth/me/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(ApiKeyListQuery),
    responses((status = 200, body = Page<ApiKey>)))]
pub async fn my_list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ApiKeyListQuery>,
) -> AppResult<Json<Page<ApiKey>>> {
    key_list(
        &state,
        &principal.tenant_id,
        Some(principal.user_id),
        &query,
    )
    .await
}

/// A new key of the signed-in user's; the answer holds its secret, this once.
#[utoipa::path(post, path = "/api/v1/auth/me/api-keys", tag = "api-keys", security(("bearer" = [])),
    request_body = CreateApiKey,
    responses(
        (status = 201, body = Single<CreatedApiKey>, headers(("Location" = String))),
        (status = 409, description = "The owner is not active", body = Problem),
    ))]
pub async fn my_create(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(request): JsonBody<CreateApiKey>,
) -> AppResult<Response> {
    let tenant = principal.tenant_id.clone();
    issue(&state, &principal, &tenant, principal.user_id, request).await
}

/// A user's keys: their own, or anyone's with `api_keys:read`.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path), ApiKeyListQuery),
    responses((status = 200, body = Page<ApiKey>)))]
pub async fn user_list(
    State(state): State<AppState>,
    Path((tenant, user)): Path<(String, Uuid)>,
    Query(query): Query<ApiKeyListQuery>,
) -> AppResult<Json<Page<ApiKey>>> {
    if users::get(&state.db, &tenant, user).await?.is_none() {
        return Err(AppError::gone("user"));
    }
    key_list(&state, &tenant, Some(user), &query).await
}

/// A new key for a user (a service account, typically): their own, or with
/// `api_keys:write` for someone no stronger than the caller. The answer holds its
/// secret, this once.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/users/{user_id}/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("user_id" = Uuid, Path)), request_body = CreateApiKey,
    responses(
        (status = 201, body = Single<CreatedApiKey>, headers(("Location" = String))),
        (status = 409, description = "The owner is not active", body = Problem),
    ))]
pub async fn user_create(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, user)): Path<(String, Uuid)>,
    JsonBody(request): JsonBody<CreateApiKey>,
) -> AppResult<Response> {
    issue(&state, &principal, &tenant, user, request).await
}

/// The tenant's keys: filter by owner, status or "expires within N days", search by
/// name or prefix, sort, page.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ApiKeyListQuery),
    responses((status = 200, body = Page<ApiKey>)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<ApiKeyListQuery>,
) -> AppResult<Json<Page<ApiKey>>> {
    key_list(&state, &tenant, None, &query).await
}

async fn load(state: &AppState, tenant: &str, id: Uuid) -> AppResult<ApiKey> {
    api_keys::get(&state.db, tenant, id)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))
}

/// One key (never its secret).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/api-keys/{key_id}", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("key_id" = Uuid, Path)),
    responses((status = 200, body = Single<ApiKey>, headers(("ETag" = String)))))]
pub async fn get(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let key = load(&state, &tenant, id).await?;
    Ok(with_etag(StatusCode::OK, key.version, key))
}

/// Renames a key (`If-Match` required).
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant_id}/api-keys/{key_id}", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("key_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = UpdateApiKey,
    responses(
        (status = 200, body = Single<ApiKey>, headers(("ETag" = String))),
        (status = 412, body = Problem),
        (status = 428, body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    if_match: IfMatch,
    JsonBody(request): JsonBody<UpdateApiKey>,
) -> AppResult<Response> {
    request.validate().map_err(AppError::Validation)?;
    let before = load(&state, &tenant, id).await?;
    let version = if_match.check(before.version)?;
    let mut tx = store::begin_write(&state.db).await?;
    if !api_keys::rename(&mut tx, &tenant, id, version, request.name.trim()).await? {
        drop(tx);
        let current = api_keys::get(&state.db, &tenant, id).await?;
        return Err(AppError::changed_meanwhile(
            current.map(|k| k.version),
            WHAT,
        ));
    }
    let target = audit::target(
        TargetType::ApiKey,
        id,
        api_keys::label_in(&mut tx, id).await?,
    );
    let event = Event::new(Who::Caller(&principal), AuditAction::ApiKeyUpdated, target).changes(
        audit::change("name", &before.name, request.name.trim())
            .into_iter()
            .collect(),
    );
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    let key = load(&state, &tenant, id).await?;
    Ok(with_etag(StatusCode::OK, key.version, key))
}

/// Revokes a key at once: the next request with it gets 401.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/api-keys/{key_id}/revoke", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("key_id" = Uuid, Path)), request_body = RevokeApiKey,
    responses(
        (status = 200, body = Single<ApiKey>),
        (status = 409, description = "Already revoked or expired", body = Problem),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(request): JsonBody<RevokeApiKey>,
) -> AppResult<Json<Single<ApiKey>>> {
    request.validate().map_err(AppError::Validation)?;
    load(&state, &tenant, id).await?;
    let mut tx = store::begin_write(&state.db).await?;
    let revoked = api_keys::revoke(
        &mut tx,
        &tenant,
        id,
        Some(principal.user_id),
        clean(&request.reason),
    )
    .await?;
    if revoked {
        record_revoked(&mut tx, &principal, &tenant, id, clean(&request.reason)).await?;
    }
    tx.commit().await?;
    let key = load(&state, &tenant, id).await?;
    if !revoked {
        return Err(AppError::conflict(format!(
            "This key is already {}.",
            key.status.label().to_lowercase()
        )));
    }
    tracing::info!(key = %id, by = %principal.user_id, "API key revoked");
    Ok(single(key))
}

/// Revokes many keys: each is revoked, not active any more, or not found. When any
/// belongs to someone holding permissions the caller lacks, nothing is revoked (403).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/api-keys/revoke", tag = "api-keys", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = RevokeApiKeys,
    responses(
        (status = 200, body = Single<KeyRevokeResults>),
        (status = 403, description = "A key's owner is stronger than the caller; nothing revoked", body = Problem),
    ))]
pub async fn revoke_many(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<RevokeApiKeys>,
) -> AppResult<Json<Single<KeyRevokeResults>>> {
    request.validate().map_err(AppError::Validation)?;
    let mut owners = Vec::with_capacity(request.ids.len());
    for id in &request.ids {
        owners.push(api_keys::owner_of(&state.db, &tenant, *id).await?);
    }
    let mut tx = store::begin_write(&state.db).await?;
    let known: Vec<Uuid> = owners.iter().flatten().copied().collect();
    let stronger = guards::stronger_among(&mut tx, &principal, &tenant, &known).await?;
    if !stronger.is_empty() {
        let people = users::refs(&state.db, &stronger.into_iter().collect::<Vec<_>>()).await?;
        let mut emails: Vec<&str> = people.values().map(|p| p.email.as_str()).collect();
        emails.sort_unstable();
        return Err(AppError::Forbidden {
            detail: format!(
                "Nothing was revoked: some keys belong to people who hold permissions you do not ({}).",
                emails.join(", ")
            ),
            permission: None,
        });
    }
    let reason = clean(&request.reason);
    let mut results = Vec::with_capacity(request.ids.len());
    for (id, owner) in request.ids.iter().zip(owners) {
        let outcome = match owner {
            None => KeyRevokeOutcome::NotFound,
            Some(_)
                if api_keys::revoke(&mut tx, &tenant, *id, Some(principal.user_id), reason)
                    .await? =>
            {
                record_revoked(&mut tx, &principal, &tenant, *id, reason).await?;
                KeyRevokeOutcome::Revoked
            }
            Some(_) => KeyRevokeOutcome::NotActive,
        };
        results.push(KeyRevokeResult { id: *id, outcome });
    }
    tx.commit().await?;
    Ok(single(KeyRevokeResults { results }))
}

async fn record_revoked(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    id: Uuid,
    reason: Option<&str>,
) -> AppResult<()> {
    let target = audit::target(
        TargetType::ApiKey,
        id,
        api_keys::label_in(&mut *conn, id).await?,
    );
    let event = Event::new(Who::Caller(principal), AuditAction::ApiKeyRevoked, target)
        .changes(
            audit::change("status", "ACTIVE", "REVOKED")
                .into_iter()
                .collect(),
        )
        .reason(reason);
    audit::record(conn, tenant, event).await?;
    Ok(())
}
