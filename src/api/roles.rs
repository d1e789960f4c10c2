//! The roles endpoints.

use gatehouse_api::endpoints::url;
use gatehouse_api::query::QueryPairs;
use gatehouse_api::roles::{CreateRole, Role, RoleHolders, RoleListQuery, RoleRef, UpdateRole};
use gatehouse_api::{Page, Single};
use gloo_net::http::Method;
use uuid::Uuid;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn list(session: Session, query: &RoleListQuery) -> Result<Page<Role>, ApiError> {
    send(
        session,
        Call::get(url::roles(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

/// Every role of the tenant (there are few).
pub async fn all(session: Session) -> Result<Vec<Role>, ApiError> {
    Ok(send::<Page<Role>>(session, all_call(session)).await?.data)
}

/// Every role's id and name, for choosing one (read with a reader of two fields, not
/// a whole role's: the users list's role filter is in every first load).
pub async fn names(session: Session) -> Result<Vec<RoleRef>, ApiError> {
    Ok(send::<Page<RoleRef>>(session, all_call(session))
        .await?
        .data)
}

/// The request [`all`] and [`names`] make (the roles page sends it ahead of its code).
pub fn all_call(session: Session) -> Call {
    let query = RoleListQuery {
        per_page: Some(gatehouse_api::MAX_PER_PAGE),
        ..Default::default()
    };
    Call::get(url::roles(&session.tenant())).query(query.to_pairs())
}

pub async fn get(session: Session, id: Uuid) -> Result<Role, ApiError> {
    Ok(
        send::<Single<Role>>(session, Call::get(url::role(&session.tenant(), id)))
            .await?
            .data,
    )
}

pub async fn create(session: Session, request: &CreateRole) -> Result<Role, ApiError> {
    let call = Call::new(Method::POST, url::roles(&session.tenant())).json(request);
    Ok(send::<Single<Role>>(session, call).await?.data)
}

pub async fn update(
    session: Session,
    id: Uuid,
    version: i64,
    patch: &UpdateRole,
) -> Result<Role, ApiError> {
    let call = Call::new(Method::PATCH, url::role(&session.tenant(), id))
        .json(patch)
        .if_version(version);
    Ok(send::<Single<Role>>(session, call).await?.data)
}

/// Deletes a custom role, even if users or groups hold it.
pub async fn delete(session: Session, id: Uuid) -> Result<(), ApiError> {
    let mut query = QueryPairs::default();
    query.push_opt("force", Some(true));
    send(
        session,
        Call::new(Method::DELETE, url::role(&session.tenant(), id)).query(query),
    )
    .await
}

pub async fn holders(session: Session, id: Uuid) -> Result<RoleHolders, ApiError> {
    Ok(
        send::<Single<RoleHolders>>(session, Call::get(url::role_holders(&session.tenant(), id)))
            .await?
            .data,
    )
}
