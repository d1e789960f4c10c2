//! Signing in and out, the signed-in identity, the permission catalogue and tenants.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use gatehouse_api::auth::{LoginRequest, LoginResponse, Me, PermissionInfo};
use gatehouse_api::tenants::Tenant;
use gatehouse_api::users::{User, UserStatus};
use gatehouse_api::validation::normalize_email;
use gatehouse_api::{Permission, Problem, Single, DEFAULT_TENANT};

use super::single;
use crate::auth::{password, token, Principal};
use crate::error::{AppError, AppResult};
use crate::extract::JsonBody;
use crate::store::{sessions, tenants, users};
use crate::AppState;

/// Longest password sign-in will even try to verify.
const MAX_PASSWORD_BYTES: usize = 1024;

/// Opens a session for a user who just proved who they are.
pub async fn start_session(state: &AppState, user: User) -> AppResult<LoginResponse> {
    let token = token::generate(token::SESSION_PREFIX);
    let expires_at = Utc::now() + state.settings.session_ttl;
    sessions::create(
        &state.db,
        &token::hash(&token),
        user.id,
        expires_at.timestamp_millis(),
    )
    .await?;
    let permissions = sessions::effective_permissions(&state.db, user.id).await?;
    Ok(LoginResponse {
        token,
        expires_at,
        user,
        permissions,
    })
}

/// Sign in with email and password. Wrong email and wrong password get the same answer;
/// too many failures in a row lock the account.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = Single<LoginResponse>),
        (status = 401, description = "Wrong credentials, or the account cannot sign in", body = Problem),
    ))]
pub async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<LoginRequest>,
) -> AppResult<Json<Single<LoginResponse>>> {
    let wrong = || AppError::Unauthenticated("The email or password is not right.".into());
    if request.password.len() > MAX_PASSWORD_BYTES {
        return Err(wrong());
    }
    let tenant = request.tenant_id.as_deref().unwrap_or(DEFAULT_TENANT);
    let found =
        users::find_credentials(&state.db, tenant, &normalize_email(&request.email)).await?;
    let (user, stored_hash) = match found {
        Some(c) => (Some(c.user), c.password_hash),
        None => (None, None),
    };
    let has_password = stored_hash.is_some();
    let matches = password::verify(request.password, stored_hash).await?;
    let Some(user) = user else {
        return Err(wrong());
    };
    if !matches {
        if has_password && user.status == UserStatus::Active {
            let locked =
                users::record_failed_login(&state.db, user.id, state.settings.max_failed_logins)
                    .await?;
            if locked {
                sessions::revoke_all(&state.db, user.id).await?;
                tracing::warn!(user = %user.id, "account locked after repeated failed sign-ins");
            }
        }
        return Err(wrong());
    }
    let refusal = match user.status {
        UserStatus::Active => None,
        UserStatus::Disabled => {
            Some("This account is disabled. Ask an administrator to enable it.")
        }
        UserStatus::Locked => Some("This account is locked. Ask an administrator to unlock it."),
        UserStatus::PendingApproval => {
            Some("This account is waiting for an administrator's approval.")
        }
        UserStatus::PendingEmailVerification => {
            Some("Verify your email address before signing in.")
        }
    };
    if let Some(message) = refusal {
        return Err(AppError::Unauthenticated(message.into()));
    }
    let user = users::record_login(&state.db, user.id)
        .await?
        .ok_or_else(wrong)?;
    Ok(single(start_session(&state, user).await?))
}

/// Ends the caller's session (the token stops working at once).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, principal: Principal) -> AppResult<StatusCode> {
    sessions::revoke(&state.db, &principal.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user and their effective permissions.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Single<Me>), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<Me>>> {
    let user = users::get(&state.db, &principal.tenant_id, principal.user_id)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("Sign in again.".into()))?;
    Ok(single(Me {
        user,
        permissions: principal.permissions,
    }))
}

/// The permission catalogue, with what each permission allows.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Single<Vec<PermissionInfo>>), (status = 401, body = Problem)))]
pub async fn permissions() -> Json<Single<Vec<PermissionInfo>>> {
    single(
        Permission::ALL
            .into_iter()
            .map(PermissionInfo::from)
            .collect(),
    )
}

/// The tenants the caller belongs to.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = Single<Vec<Tenant>>), (status = 401, body = Problem)))]
pub async fn tenants(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<Vec<Tenant>>>> {
    let tenants = tenants::get(&state.db, &principal.tenant_id)
        .await?
        .into_iter()
        .collect();
    Ok(single(tenants))
}
