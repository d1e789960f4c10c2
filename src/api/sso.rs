//! Single sign-on: a tenant's connections (list, create, change with If-Match, delete,
//! a dry run of the mappings), the sign-in page's buttons, and the code exchange that
//! ends a sign-in through an identity provider.

use gatehouse_api::auth::LoginResponse;
use gatehouse_api::endpoints::url;
use gatehouse_api::query::{encode, NameQuery, QueryPairs};
use gatehouse_api::sso::{
    ConnectionInput, DiscoverRequest, Discovery, ImportedMetadata, MetadataImport,
    PublicConnection, Simulation, SimulationInput, SsoConnection, SsoExchange,
};
use gatehouse_api::{Page, Single};
use gloo_net::http::Method;
use uuid::Uuid;

use super::{send, ApiError, Call};
use crate::config::api_url;
use crate::session::Session;

pub async fn list(session: Session, query: &NameQuery) -> Result<Page<SsoConnection>, ApiError> {
    send(
        session,
        Call::get(url::sso_connections(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

pub async fn get(session: Session, id: Uuid) -> Result<SsoConnection, ApiError> {
    let call = Call::get(url::sso_connection(&session.tenant(), id));
    Ok(send::<Single<SsoConnection>>(session, call).await?.data)
}

pub async fn create(
    session: Session,
    request: &ConnectionInput,
) -> Result<SsoConnection, ApiError> {
    let call = Call::new(Method::POST, url::sso_connections(&session.tenant())).json(request);
    Ok(send::<Single<SsoConnection>>(session, call).await?.data)
}

/// Replaces the connection at `version` (secrets left out are kept); a 412 means someone
/// else changed it first.
pub async fn update(
    session: Session,
    id: Uuid,
    version: i64,
    request: &ConnectionInput,
) -> Result<SsoConnection, ApiError> {
    let call = Call::new(Method::PUT, url::sso_connection(&session.tenant(), id))
        .json(request)
        .if_version(version);
    Ok(send::<Single<SsoConnection>>(session, call).await?.data)
}

pub async fn delete(session: Session, id: Uuid) -> Result<(), ApiError> {
    send(
        session,
        Call::new(Method::DELETE, url::sso_connection(&session.tenant(), id)),
    )
    .await
}

/// What a sign-in with these claims or attributes would grant; changes nothing.
pub async fn simulate(
    session: Session,
    id: Uuid,
    input: &SimulationInput,
) -> Result<Simulation, ApiError> {
    let call = Call::new(Method::POST, url::sso_simulate(&session.tenant(), id)).json(input);
    Ok(send::<Single<Simulation>>(session, call).await?.data)
}

/// The enabled connections the sign-in page offers (the default tenant's without one).
pub async fn public(
    session: Session,
    tenant: Option<String>,
) -> Result<Vec<PublicConnection>, ApiError> {
    let mut query = QueryPairs::default();
    query.push_opt("tenant_id", tenant);
    let call = Call::get(url::sso_public()).query(query).public();
    Ok(send::<Single<Vec<PublicConnection>>>(session, call)
        .await?
        .data)
}

/// Ends a sign-in through a provider: the single-use code from `/sso/done` for a session.
pub async fn exchange(session: Session, code: &str) -> Result<LoginResponse, ApiError> {
    let call = Call::new(Method::POST, url::sso_exchange())
        .json(&SsoExchange {
            code: code.to_owned(),
        })
        .public();
    Ok(send::<Single<LoginResponse>>(session, call).await?.data)
}

/// Where the browser goes to sign in through `id` (a full-page navigation: the server
/// answers with a redirect to the provider), coming back to `return_to` afterwards.
pub fn start_href(id: Uuid, return_to: &str) -> String {
    format!(
        "{}?return_to={}",
        api_url(&url::sso_start(id)),
        encode(return_to)
    )
}

/// The provider's published configuration, fetched by the server.
pub async fn discover(session: Session, issuer: &str) -> Result<Discovery, ApiError> {
    let request = DiscoverRequest {
        issuer: issuer.trim().to_owned(),
    };
    let call = Call::new(Method::POST, url::sso_discover(&session.tenant())).json(&request);
    Ok(send::<Single<Discovery>>(session, call).await?.data)
}

/// An IdP's SAML metadata, read by the server into a connection's settings.
pub async fn import_metadata(session: Session, xml: &str) -> Result<ImportedMetadata, ApiError> {
    let request = MetadataImport {
        xml: xml.to_owned(),
    };
    let call = Call::new(Method::POST, url::sso_metadata(&session.tenant())).json(&request);
    Ok(send::<Single<ImportedMetadata>>(session, call).await?.data)
}
