//! The API's routes. Each handler is annotated for the OpenAPI document; the router is
//! built from those annotations, so the served routes and the document cannot disagree.

pub mod account;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod groups;
pub mod import;
pub mod invites;
pub mod links;
pub mod meta;
pub mod password;
pub mod roles;
pub mod settings;
pub mod setup;
pub mod sso;
pub mod sso_signin;
pub mod users;

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG};
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

/// A CSV download named `filename`, whose body `produce` sends in chunks as it reads
/// them: nothing is held whole. If it fails midway the body ends in an error, so the
/// client sees a broken download, never a file that looks complete.
pub fn csv_download<F>(
    filename: &str,
    produce: impl FnOnce(tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>) -> F,
) -> Response
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let failed = sender.clone();
    let work = produce(sender);
    tokio::spawn(async move {
        if let Err(error) = work.await {
            tracing::warn!(%error, "export stopped");
            let _ = failed
                .send(Err(std::io::Error::other("the export stopped")))
                .await;
        }
    });
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        description = "User and access management. Every `/api/v1` route except sign-in and setup \
                       needs `Authorization: Bearer <token>`; errors are RFC 9457 problem details.",
    ),
    modifiers(&BearerAuth),
    // Enums that only appear in query parameters are not collected from the handlers.
    components(schemas(
        gatehouse_api::users::UserSortBy,
        gatehouse_api::invites::InviteSortBy,
        gatehouse_api::api_keys::ApiKeySortBy,
        gatehouse_api::api_keys::ApiKeyStatus,
        gatehouse_api::users::UserKind,
        gatehouse_api::sso::SsoProtocol,
        gatehouse_api::query::SortOrder
    )),
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
        (name = "invites", description = "Invitations by email, and accepting them"),
        (name = "sso", description = "Single sign-on: OpenID Connect and SAML 2.0 connections, their group mappings, and signing in through them"),
        (name = "audit", description = "The audit log: every change made through the API and every sign-in, newest first; append-only"),
        (name = "api-keys", description = "API keys: `Authorization: Bearer gh_...` acts as the key's owner, with at most the owner's permissions"),
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
    let (router, mut openapi) = routes();
    name_operations(&mut openapi);
    document_errors(&mut openapi);
    (router, openapi)
}

/// Every operation's mutable handle, with its method.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> [(&'static str, &mut Option<utoipa::openapi::path::Operation>); 5] {
    [
        ("GET", &mut item.get),
        ("POST", &mut item.post),
        ("PUT", &mut item.put),
        ("PATCH", &mut item.patch),
        ("DELETE", &mut item.delete),
    ]
}

/// Operation ids unique across areas (`users_get`, `roles_get`): the handlers' names
/// prefixed with their tag.
fn name_operations(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for (_, operation) in operations(item) {
            if let Some(operation) = operation.as_mut() {
                let tag = operation
                    .tags
                    .as_ref()
                    .and_then(|t| t.first().cloned())
                    .unwrap_or_default();
                if let Some(id) = operation.operation_id.as_mut() {
                    *id = format!("{tag}_{id}");
                }
            }
        }
    }
}

/// The document as served: JSON, with OpenAPI links from each "create" to what can be
/// done with the object it created (its id is `data.id` of the answer), so a client or
/// a stateful test can follow them. Written on the JSON, because utoipa 5 serialises
/// its link objects with snake_case keys (`operation_id`), which no reader accepts.
pub fn document_json(openapi: &OpenApi) -> serde_json::Result<serde_json::Value> {
    use serde_json::{json, Map, Value};

    let mut document = serde_json::to_value(openapi)?;
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(document);
    };
    let methods = ["get", "post", "put", "patch", "delete"];
    let targets: Vec<(String, String, Vec<String>)> = paths
        .iter()
        .flat_map(|(path, item)| {
            methods.iter().filter_map(move |m| {
                let id = item.get(m)?.get("operationId")?.as_str()?.to_owned();
                let params = path
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split('}').next().map(str::to_owned))
                    .collect();
                Some((path.clone(), id, params))
            })
        })
        .collect();
    for (collection, item) in paths.iter_mut() {
        let Some(created) = item.pointer_mut("/post/responses/201") else {
            continue;
        };
        let prefix = format!("{collection}/{{");
        let mut links = Map::new();
        for (path, operation_id, params) in &targets {
            let Some(new_param) = path
                .strip_prefix(&prefix)
                .and_then(|rest| rest.split('}').next())
            else {
                continue;
            };
            let parameters: Map<String, Value> = params
                .iter()
                .map(|param| {
                    let value = if param == new_param {
                        "$response.body#/data/id".to_owned()
                    } else {
                        format!("$request.path.{param}")
                    };
                    (param.clone(), Value::String(value))
                })
                .collect();
            links.insert(
                operation_id.clone(),
                json!({"operationId": operation_id, "parameters": parameters}),
            );
        }
        if !links.is_empty() {
            created["links"] = Value::Object(links);
        }
    }
    Ok(document)
}

/// The error answers the server gives whatever the handler, by what the endpoint table
/// says of each route, so the document cannot forget them: 400 for malformed input,
/// 401 and 403 wherever a session is needed, 404 where the path names something (an
/// unknown tenant included), 413 and 415 where a body is taken, 429 and 503 where they
/// can happen. Every error answer is `application/problem+json`.
fn document_errors(openapi: &mut OpenApi) {
    use gatehouse_api::endpoints::{Access, Endpoint};
    use gatehouse_api::problem::PROBLEM_JSON;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            let (Some(operation), Some(endpoint)) =
                (operation.as_mut(), Endpoint::find(method, path))
            else {
                continue;
            };
            let takes_body = operation.request_body.is_some();
            let takes_query = operation.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
            });
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description));
            };
            add(
                "400",
                "Malformed request: invalid JSON, wrong types, unknown fields or query parameters",
            );
            if endpoint.access != Access::Public {
                add("401", "No session, or it has expired or ended");
                add("403", "Not allowed: a missing permission, a stronger target, a pending password change or MFA set-up, or a confirmation of identity needed");
            }
            if path.contains('{') {
                add(
                    "404",
                    "Nothing exists at this address (an unknown tenant or object)",
                );
            }
            if takes_body {
                add("413", "The body is larger than 1 MiB");
                add("415", "The body is not JSON");
            }
            if takes_body || takes_query {
                add(
                    "422",
                    "Some values are not acceptable; `errors` says which, field by field",
                );
            }
            if endpoint.access == Access::Public && method == "POST" {
                add("429", "Too many failed attempts; see Retry-After");
            }
            add(
                "503",
                "The server is busy or the request took too long; see Retry-After",
            );
            for (status, response) in responses.iter_mut() {
                if status.as_str() < "400" {
                    continue;
                }
                if let RefOr::T(response) = response {
                    if let Some(content) = response.content.shift_remove("application/json") {
                        response.content.insert(PROBLEM_JSON.to_owned(), content);
                    }
                }
            }
        }
    }
}

/// Largest import request: the file's 10 MB with room for JSON escaping.
pub const IMPORT_BODY_BYTES: usize = gatehouse_api::import::MAX_IMPORT_BYTES * 5 / 4;

fn routes() -> (axum::Router<AppState>, OpenApi) {
    use utoipa::OpenApi as _;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::health))
        .routes(routes!(meta::openapi))
        .routes(routes!(setup::status, setup::complete))
        .routes(routes!(auth::login))
        .routes(routes!(auth::login_mfa))
        .routes(routes!(password::forgot))
        .routes(routes!(password::lookup))
        .routes(routes!(password::reset))
        .routes(routes!(invites::lookup))
        .routes(routes!(invites::accept))
        .routes(routes!(invites::list, invites::create))
        .routes(routes!(invites::get))
        .routes(routes!(invites::resend))
        .routes(routes!(invites::revoke))
        .routes(routes!(invites::revoke_many))
        .routes(routes!(users::mail_of))
        .routes(routes!(settings::get_mail))
        .routes(routes!(settings::test_mail))
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
        .routes(routes!(api_keys::my_list, api_keys::my_create))
        .routes(routes!(api_keys::user_list, api_keys::user_create))
        .routes(routes!(api_keys::list))
        .routes(routes!(api_keys::get, api_keys::update))
        .routes(routes!(api_keys::revoke))
        .routes(routes!(api_keys::revoke_many))
        .routes(routes!(sso::public))
        .routes(routes!(sso_signin::start))
        .routes(routes!(sso_signin::callback))
        .routes(routes!(sso_signin::exchange))
        .routes(routes!(sso_signin::saml_acs))
        .routes(routes!(sso_signin::saml_metadata))
        .routes(routes!(sso::list, sso::create))
        .routes(routes!(sso::get, sso::update, sso::delete))
        .routes(routes!(sso::simulate))
        .routes(routes!(sso::discover))
        .routes(routes!(sso::metadata))
        .routes(routes!(auth::permissions))
        .routes(routes!(auth::tenants))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::export))
        .routes(routes!(bulk::run))
        // A CSV file may be bigger than any other body (10 MB, as JSON text).
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import::run))
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_BYTES)),
        )
        .routes(routes!(audit::list))
        .routes(routes!(audit::export))
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
