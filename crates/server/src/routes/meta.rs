//! Health and the OpenAPI document.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::store::engine::query;
use crate::AppState;

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The server and its database answer", body = String)))]
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match query("SELECT 1").execute(&state.db).await {
        Ok(_) => (axum::http::StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API")))]
pub async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/json")],
        state.openapi_json.clone(),
    )
}
