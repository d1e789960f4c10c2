//! The API's routes. Each handler is annotated for the OpenAPI document; the router is
//! built from those annotations, so the served routes and the document cannot disagree.

pub mod account;
pub mod auth;
pub mod groups;
pub mod meta;
pub mod roles;
pub mod settings;
pub mod setup;
pub mod users;

use axum::http::header::ETAG;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use gatehouse_api::{Meta, Page, Pagination, Single};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::Modify;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{request_id, AppState};

/// `meta` of a response to the current request.
pub fn meta() -> Meta {
    Meta {
        request_id: request_id::current().unwrap_or_default(),
        timestamp: Utc::now(),
    }
}

/// `{"data": ..., "meta": ...}`.
pub fn single<T>(data: T) -> Json<Single<T>> {
    Json(Single { data, meta: meta() })
}

/// One resource with the `ETag` of its version.
pub fn with_etag<T: Serialize>(status: StatusCode, version: i64, data: T) -> Response {
    (
        status,
        [(ETAG, gatehouse_api::version::etag(version))],
        single(data),
    )
        .into_response()
}

/// `{"data": [...], "pagination": ..., "meta": ...}`.
pub fn page<T>(data: Vec<T>, pagination: Pagination) -> Json<Page<T>> {
    Json(Page {
        data,
        pagination,
        meta: meta(),
    })
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        description = "User and access management. Every `/api/v1` route except sign-in and setup \
                       needs `Authorization: Bearer <token>`; errors are RFC 9457 problem details.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "setup", description = "First-run setup"),
        (name = "auth", description = "Signing in and out"),
        (name = "account", description = "The signed-in user's own password, sessions and second factor"),
        (name = "settings", description = "Tenant settings"),
        (name = "tenants", description = "Tenants"),
        (name = "users", description = "Users"),
        (name = "roles", description = "Roles: named sets of permissions"),
        (name = "groups", description = "Groups: members share the roles the group grants"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every API route, with the OpenAPI document describing them.
pub fn api() -> (axum::Router<AppState>, OpenApi) {
    use utoipa::OpenApi as _;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::health))
        .routes(routes!(meta::openapi))
        .routes(routes!(setup::status, setup::complete))
        .routes(routes!(auth::login))
        .routes(routes!(auth::login_mfa))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(account::change_password))
        .routes(routes!(account::end_other_sessions))
        .routes(routes!(account::confirm))
        .routes(routes!(account::start_totp))
        .routes(routes!(account::confirm_totp))
        .routes(routes!(account::disable_mfa))
        .routes(routes!(account::new_recovery_codes))
        .routes(routes!(settings::get_security, settings::update_security))
        .routes(routes!(auth::permissions))
        .routes(routes!(auth::tenants))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(users::set_status))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::disable_mfa))
        .routes(routes!(users::groups_of))
        .routes(routes!(users::roles_of, users::set_roles))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::get, roles::update, roles::delete))
        .routes(routes!(roles::holders))
        .routes(routes!(groups::list, groups::create))
        .routes(routes!(groups::get, groups::update, groups::delete))
        .routes(routes!(
            groups::members,
            groups::add_members,
            groups::remove_members
        ))
        .split_for_parts()
}
