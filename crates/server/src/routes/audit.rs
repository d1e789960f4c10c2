//! `/api/v1/tenants/{tenant_id}/audit`: reading the audit log. There is no endpoint that
//! changes or deletes an event.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use gatehouse_api::audit::{AuditPage, AuditQuery};
use gatehouse_api::Problem;

use super::meta;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::store::audit;
use crate::AppState;

/// Events newest first, filtered; `next_cursor` leads to older ones.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/audit", tag = "audit", security(("bearer" = [])),
    params(("tenant_id" = String, Path), AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    query.validate().map_err(AppError::Validation)?;
    let (data, next_cursor) = audit::list(&state.db, &tenant, &query).await?;
    Ok(Json(AuditPage {
        data,
        next_cursor,
        meta: meta(),
    }))
}

/// Every event the filters match, newest first, as CSV (header first), streamed.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/audit/export", tag = "audit", security(("bearer" = [])),
    params(("tenant_id" = String, Path), AuditQuery),
    responses(
        (status = 200, description = "One row per event, header first", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn export(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    query.validate().map_err(AppError::Validation)?;
    Ok(super::csv_download("audit.csv", |out| async move {
        audit::export_csv(&state.db, &tenant, &query, &out).await
    }))
}
