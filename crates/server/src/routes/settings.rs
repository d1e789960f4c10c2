//! `/api/v1/tenants/{tenant_id}/settings/security`: who must use a second factor.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use gatehouse_api::auth::{SecuritySettings, UpdateSecuritySettings};
use gatehouse_api::{Problem, Single};
use uuid::Uuid;

use super::with_etag;
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path};
use crate::store::{roles, tenants};
use crate::AppState;

async fn current(state: &AppState, tenant: &str) -> AppResult<SecuritySettings> {
    tenants::security(&state.db, tenant)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no tenant {tenant:?}.")))
}

/// The tenant's sign-in policy.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/settings/security", tag = "settings", security(("bearer" = [])),
    params(("tenant_id" = String, Path)),
    responses((status = 200, body = Single<SecuritySettings>, headers(("ETag" = String)))))]
pub async fn get_security(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> AppResult<Response> {
    let settings = current(&state, &tenant).await?;
    Ok(with_etag(StatusCode::OK, settings.version, settings))
}

/// Changes who must use a second factor (`If-Match` required). Users it newly
/// concerns set one up at their next sign-in, before anything else.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant_id}/settings/security", tag = "settings", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateSecuritySettings,
    responses(
        (status = 200, body = Single<SecuritySettings>, headers(("ETag" = String))),
        (status = 412, body = Problem),
        (status = 422, description = "Unknown roles, or no role chosen", body = Problem),
        (status = 428, body = Problem),
    ))]
pub async fn update_security(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    if_match: IfMatch,
    JsonBody(request): JsonBody<UpdateSecuritySettings>,
) -> AppResult<Response> {
    request.validate().map_err(AppError::Validation)?;
    let version = if_match.check(current(&state, &tenant).await?.version)?;
    let role_ids: Vec<Uuid> = request.mfa_role_ids.iter().copied().collect();
    let mut tx = state.db.begin().await?;
    let known = roles::permissions_of(&mut tx, &tenant, &role_ids).await?;
    if let Some(unknown) = role_ids.iter().find(|r| !known.contains_key(r)) {
        return Err(AppError::field(
            "mfa_role_ids",
            format!("There is no role {unknown} in this tenant."),
        ));
    }
    if !tenants::set_security(&mut tx, &tenant, version, request.mfa_policy, &role_ids).await? {
        drop(tx);
        let current = current(&state, &tenant).await?;
        return Err(AppError::changed_meanwhile(
            Some(current.version),
            "setting",
        ));
    }
    tx.commit().await?;
    let saved = current(&state, &tenant).await?;
    Ok(with_etag(StatusCode::OK, saved.version, saved))
}
