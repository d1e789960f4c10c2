//! The groups endpoints.

use gatehouse_api::endpoints::url;
use gatehouse_api::groups::{
    CreateGroup, Group, GroupListQuery, GroupRef, MembersChange, MembersResult, UpdateGroup,
};
use gatehouse_api::users::{User, UserListQuery};
use gatehouse_api::{Page, Single};
use gloo_net::http::Method;
use uuid::Uuid;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn list(session: Session, query: &GroupListQuery) -> Result<Page<Group>, ApiError> {
    send(
        session,
        Call::get(url::groups(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

pub async fn get(session: Session, id: Uuid) -> Result<Group, ApiError> {
    Ok(
        send::<Single<Group>>(session, Call::get(url::group(&session.tenant(), id)))
            .await?
            .data,
    )
}

/// A group's id, name and colour (read with the reader the users list has already, not a
/// whole group's: the group filter shows the chosen group's name).
pub async fn reference(session: Session, id: Uuid) -> Result<GroupRef, ApiError> {
    Ok(
        send::<Single<GroupRef>>(session, Call::get(url::group(&session.tenant(), id)))
            .await?
            .data,
    )
}

pub async fn create(session: Session, request: &CreateGroup) -> Result<Group, ApiError> {
    let call = Call::new(Method::POST, url::groups(&session.tenant())).json(request);
    Ok(send::<Single<Group>>(session, call).await?.data)
}

pub async fn update(
    session: Session,
    id: Uuid,
    version: i64,
    patch: &UpdateGroup,
) -> Result<Group, ApiError> {
    let call = Call::new(Method::PATCH, url::group(&session.tenant(), id))
        .json(patch)
        .if_version(version);
    Ok(send::<Single<Group>>(session, call).await?.data)
}

pub async fn delete(session: Session, id: Uuid) -> Result<(), ApiError> {
    send(
        session,
        Call::new(Method::DELETE, url::group(&session.tenant(), id)),
    )
    .await
}

pub async fn members(
    session: Session,
    id: Uuid,
    query: &UserListQuery,
) -> Result<Page<User>, ApiError> {
    send(
        session,
        Call::get(url::group_members(&session.tenant(), id)).query(query.to_pairs()),
    )
    .await
}

pub async fn add_members(
    session: Session,
    id: Uuid,
    user_ids: Vec<Uuid>,
) -> Result<MembersResult, ApiError> {
    let call = Call::new(Method::POST, url::group_members(&session.tenant(), id))
        .json(&MembersChange { user_ids });
    Ok(send::<Single<MembersResult>>(session, call).await?.data)
}

pub async fn remove_members(
    session: Session,
    id: Uuid,
    user_ids: Vec<Uuid>,
) -> Result<MembersResult, ApiError> {
    let call = Call::new(Method::DELETE, url::group_members(&session.tenant(), id))
        .json(&MembersChange { user_ids });
    Ok(send::<Single<MembersResult>>(session, call).await?.data)
}
