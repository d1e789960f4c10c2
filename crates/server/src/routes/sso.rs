//! `/api/v1/tenants/{tenant_id}/sso/connections`: the identity providers a tenant trusts,
//! and `/api/v1/sso/connections`, the enabled ones its sign-in page offers.
//!
//! Client secrets and certificates are write-only in the sense that matters: a change
//! that leaves them out keeps them, and no answer contains a secret. Mapped roles and
//! groups go through the same no-escalation check as granting them directly.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use gatehouse_api::audit::{AuditAction, Change, Target, TargetType};
use gatehouse_api::endpoints::url;
use gatehouse_api::query::NameQuery;
use gatehouse_api::sso::{
    ConnectionInput, DiscoverRequest, Discovery, ImportedMetadata, MetadataImport,
    PublicConnection, PublicConnectionsQuery, Simulation, SimulationInput, SsoConnection,
    SsoProtocol, DEFAULT_GROUPS_CLAIM, DEFAULT_TOKEN_LEEWAY_SECONDS,
};
use gatehouse_api::{Page, Pagination, Problem, Single, DEFAULT_TENANT};
use uuid::Uuid;

use super::{page, single, with_etag};
use crate::audit::{self, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path, Query};
use crate::store::Conn;
use crate::store::{self, sso as store_sso};
use crate::{guards, sso, AppState};

const WHAT: &str = "SSO connection";
const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

async fn load(state: &AppState, tenant: &str, id: Uuid) -> AppResult<SsoConnection> {
    store_sso::get(&state.db, tenant, id, sso::certificate_info)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))
}

/// The stored form of a request, over `old` (whose secrets stay unless replaced).
fn to_stored(
    tenant: &str,
    id: Uuid,
    input: &ConnectionInput,
    old: Option<store_sso::Stored>,
) -> AppResult<store_sso::Stored> {
    let now = Utc::now();
    let old_secret = old.as_ref().and_then(|o| o.oidc_client_secret.clone());
    let old_certificate = old.as_ref().and_then(|o| o.saml_certificate.clone());
    let mut stored = store_sso::Stored {
        id,
        tenant_id: tenant.to_owned(),
        protocol: input.protocol,
        preset: input.preset,
        title: input.title.trim().to_owned(),
        enabled: input.enabled,
        first_sign_in: input.first_sign_in,
        groups_claim: input.preset.groups_claim().to_owned(),
        oidc_issuer: None,
        oidc_client_id: None,
        oidc_client_secret: None,
        oidc_scopes: Vec::new(),
        token_leeway_seconds: DEFAULT_TOKEN_LEEWAY_SECONDS,
        saml_entity_id: None,
        saml_login_url: None,
        saml_certificate: None,
    };
    if let Some(oidc) = &input.oidc {
        stored.oidc_issuer = Some(oidc.issuer.trim().trim_end_matches('/').to_owned());
        stored.oidc_client_id = Some(oidc.client_id.trim().to_owned());
        stored.oidc_client_secret = oidc
            .client_secret
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or(old_secret);
        stored.oidc_scopes = if oidc.scopes.is_empty() {
            DEFAULT_SCOPES.map(str::to_owned).to_vec()
        } else {
            oidc.scopes.clone()
        };
        if let Some(claim) = oidc.groups_claim.as_deref() {
            stored.groups_claim = claim.trim().to_owned();
        }
        stored.token_leeway_seconds = oidc
            .token_expiration_threshold_seconds
            .unwrap_or(DEFAULT_TOKEN_LEEWAY_SECONDS);
        if stored.oidc_client_secret.is_none() {
            return Err(AppError::field(
                "oidc.client_secret",
                "Enter the client secret the provider gave you.",
            ));
        }
    }
    if let Some(saml) = &input.saml {
        stored.saml_entity_id = Some(saml.idp_entity_id.trim().to_owned());
        stored.saml_login_url = Some(saml.login_url.trim().to_owned());
        stored.saml_certificate = match &saml.certificate_pem {
            Some(pem) => {
                sso::certificate(pem, now)
                    .map_err(|why| AppError::field("saml.certificate_pem", why))?;
                Some(pem.trim().to_owned())
            }
            None => old_certificate,
        };
        if let Some(attribute) = saml.groups_attribute.as_deref() {
            stored.groups_claim = attribute.trim().to_owned();
        }
        if stored.saml_certificate.is_none() {
            return Err(AppError::field(
                "saml.certificate_pem",
                "Paste the IdP's signing certificate (PEM).",
            ));
        }
    }
    if stored.groups_claim.is_empty() {
        stored.groups_claim = DEFAULT_GROUPS_CLAIM.to_owned();
    }
    Ok(stored)
}

/// Changing or deleting a connection can take away what its mappings give: only someone
/// who holds every permission they carry may (403 otherwise).
async fn check_existing(
    conn: &mut Conn,
    state: &AppState,
    principal: &Principal,
    tenant: &str,
    id: Uuid,
) -> AppResult<()> {
    let Some(current) = store_sso::get(&state.db, tenant, id, sso::certificate_info).await? else {
        return Ok(());
    };
    for mapping in &current.mappings {
        let role_ids: Vec<Uuid> = mapping.roles.iter().map(|r| r.id).collect();
        let held = crate::store::roles::permissions_of(&mut *conn, tenant, &role_ids).await?;
        guards::ensure_can_revoke(principal, held.values().map(|(n, p)| (n.as_str(), p)))?;
        for group in &mapping.groups {
            let grants = crate::store::roles::granted_by_group(&mut *conn, group.id).await?;
            guards::ensure_can_revoke(principal, grants.iter().map(|(n, p)| (n.as_str(), p)))?;
        }
    }
    Ok(())
}

fn target(connection: &SsoConnection) -> Target {
    audit::target(
        TargetType::SsoConnection,
        connection.id,
        connection.title.clone(),
    )
}

/// Saves a connection and its mappings in one transaction, after the checks, and
/// records the change.
async fn save(
    state: &AppState,
    principal: &Principal,
    tenant: &str,
    input: &ConnectionInput,
    stored: &store_sso::Stored,
    version: Option<i64>,
) -> AppResult<()> {
    let (role_ids, group_ids) = sso::mapped_ids(&input.mappings);
    let mut tx = store::begin_write(&state.db).await?;
    if version.is_some() {
        check_existing(&mut tx, state, principal, tenant, stored.id).await?;
    }
    guards::ensure_can_grant_through(&mut tx, principal, tenant, &role_ids, &group_ids).await?;
    let before = store_sso::get_in(&mut tx, tenant, stored.id, sso::certificate_info).await?;
    if !store_sso::save(&mut tx, stored, version).await? {
        drop(tx);
        let current = store_sso::get(&state.db, tenant, stored.id, sso::certificate_info).await?;
        return Err(AppError::changed_meanwhile(
            current.map(|c| c.version),
            WHAT,
        ));
    }
    store_sso::set_mappings(&mut tx, stored.id, &input.mappings).await?;
    let after = store_sso::get_in(&mut tx, tenant, stored.id, sso::certificate_info)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    let (action, mut changes) = match &before {
        Some(before) => (
            AuditAction::SsoConnectionUpdated,
            audit::diff(before, &after),
        ),
        None => (AuditAction::SsoConnectionCreated, audit::created(&after)),
    };
    let secret_given = input
        .oidc
        .as_ref()
        .is_some_and(|o| o.client_secret.as_deref().is_some_and(|s| !s.is_empty()));
    if secret_given && before.is_some() {
        changes.push(Change::secret("oidc.client_secret"));
    }
    let event = Event::new(Who::Caller(principal), action, target(&after)).changes(changes);
    audit::record(&mut tx, tenant, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant's connections, searched by title.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/sso/connections", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path), NameQuery),
    responses((status = 200, body = Page<SsoConnection>)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<NameQuery>,
) -> AppResult<Json<Page<SsoConnection>>> {
    query.validate().map_err(AppError::Validation)?;
    let (found, total) = store_sso::list(&state.db, &tenant, &query, sso::certificate_info).await?;
    Ok(page(
        found,
        Pagination::new(query.page(), query.per_page(), total),
    ))
}

/// A new connection. Mapping roles or groups takes `roles:write` or `groups:write` and
/// only what the caller could grant directly.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/sso/connections", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = ConnectionInput,
    responses(
        (status = 201, body = Single<SsoConnection>, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "A mapping grants what the caller cannot", body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(input): JsonBody<ConnectionInput>,
) -> AppResult<Response> {
    input.validate(true).map_err(AppError::Validation)?;
    let stored = to_stored(&tenant, Uuid::now_v7(), &input, None)?;
    save(&state, &principal, &tenant, &input, &stored, None).await?;
    let connection = load(&state, &tenant, stored.id).await?;
    tracing::info!(connection = %stored.id, protocol = ?stored.protocol, "SSO connection created");
    let mut response = with_etag(StatusCode::CREATED, connection.version, connection);
    if let Ok(value) = url::sso_connection(&tenant, stored.id).parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// One connection (never its client secret).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/sso/connections/{connection_id}", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("connection_id" = Uuid, Path)),
    responses((status = 200, body = Single<SsoConnection>, headers(("ETag" = String)))))]
pub async fn get(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let connection = load(&state, &tenant, id).await?;
    Ok(with_etag(StatusCode::OK, connection.version, connection))
}

/// Replaces a connection's settings and mappings (`If-Match` required). A client secret
/// or certificate left out is kept.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant_id}/sso/connections/{connection_id}", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("connection_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = ConnectionInput,
    responses(
        (status = 200, body = Single<SsoConnection>, headers(("ETag" = String))),
        (status = 412, body = Problem),
        (status = 428, body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
    if_match: IfMatch,
    JsonBody(input): JsonBody<ConnectionInput>,
) -> AppResult<Response> {
    input.validate(false).map_err(AppError::Validation)?;
    let version = if_match.check(load(&state, &tenant, id).await?.version)?;
    let old = store_sso::stored(&state.db, Some(&tenant), id).await?;
    let stored = to_stored(&tenant, id, &input, old)?;
    save(&state, &principal, &tenant, &input, &stored, Some(version)).await?;
    let connection = load(&state, &tenant, id).await?;
    Ok(with_etag(StatusCode::OK, connection.version, connection))
}

/// Deletes a connection. People who signed in through it keep their accounts (and
/// memberships) but can no longer sign in through it.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/sso/connections/{connection_id}", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("connection_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<StatusCode> {
    let mut tx = store::begin_write(&state.db).await?;
    check_existing(&mut tx, &state, &principal, &tenant, id).await?;
    let before = store_sso::get_in(&mut tx, &tenant, id, sso::certificate_info)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    if !store_sso::delete(&mut tx, &tenant, id).await? {
        return Err(AppError::gone(WHAT));
    }
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::SsoConnectionDeleted,
        target(&before),
    )
    .changes(audit::deleted(&before));
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a sign-in with these claims (OIDC) or attributes (SAML) would grant, and which
/// mapping grants each: nothing changes.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/sso/connections/{connection_id}/simulate", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("connection_id" = Uuid, Path)), request_body = SimulationInput,
    responses((status = 200, body = Single<Simulation>)))]
pub async fn simulate(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
    JsonBody(input): JsonBody<SimulationInput>,
) -> AppResult<Json<Single<Simulation>>> {
    let connection = load(&state, &tenant, id).await?;
    let claim = match connection.protocol {
        SsoProtocol::Oidc => connection.oidc.as_ref().map(|o| o.groups_claim.clone()),
        SsoProtocol::Saml2 => connection.saml.as_ref().map(|s| s.groups_attribute.clone()),
    }
    .unwrap_or_else(|| DEFAULT_GROUPS_CLAIM.to_owned());
    let groups = sso::idp_groups(&input, &claim);
    Ok(single(sso::resolve(&connection.mappings, groups)))
}

/// The enabled connections of a tenant (the default one unless named), for the buttons
/// of its sign-in page.
#[utoipa::path(get, path = "/api/v1/sso/connections", tag = "sso",
    params(PublicConnectionsQuery),
    responses((status = 200, body = Single<Vec<PublicConnection>>)))]
pub async fn public(
    State(state): State<AppState>,
    Query(query): Query<PublicConnectionsQuery>,
) -> AppResult<Json<Single<Vec<PublicConnection>>>> {
    let tenant = query.tenant_id.as_deref().unwrap_or(DEFAULT_TENANT);
    Ok(single(store_sso::public(&state.db, tenant).await?))
}

/// Reads an OpenID provider's configuration for the new-connection form: what it
/// supports, and whether the issuer is right. Nothing is saved.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/sso/discover", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = DiscoverRequest,
    responses(
        (status = 200, body = Single<Discovery>),
        (status = 422, description = "Not reachable, not a configuration document, or another issuer", body = Problem),
    ))]
pub async fn discover(
    Path(_tenant): Path<String>,
    JsonBody(request): JsonBody<DiscoverRequest>,
) -> AppResult<Json<Single<Discovery>>> {
    request.validate().map_err(AppError::Validation)?;
    let found = sso::discover(&crate::oidc::http_client(), &request.issuer)
        .await
        .map_err(|why| AppError::field("issuer", why))?;
    Ok(single(found))
}

/// Reads an IdP's SAML metadata XML into the settings of a connection: entity id,
/// sign-in URL and signing certificate. Nothing is saved.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/sso/metadata", tag = "sso", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = MetadataImport,
    responses(
        (status = 200, body = Single<ImportedMetadata>),
        (status = 422, description = "Not SAML metadata, or no usable sign-in URL or certificate", body = Problem),
    ))]
pub async fn metadata(
    Path(_tenant): Path<String>,
    JsonBody(request): JsonBody<MetadataImport>,
) -> AppResult<Json<Single<ImportedMetadata>>> {
    let imported =
        sso::parse_metadata(&request.xml, Utc::now()).map_err(|why| AppError::field("xml", why))?;
    Ok(single(imported))
}
