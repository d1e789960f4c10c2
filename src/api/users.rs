//! The users endpoints.

use std::collections::BTreeSet;

use gatehouse_api::bulk::{BulkRequest, BulkResult};
use gatehouse_api::endpoints::url;
use gatehouse_api::groups::GroupRef;
use gatehouse_api::import::{ImportReport, ImportRequest};
use gatehouse_api::invites::Delivery;
use gatehouse_api::query::QueryPairs;
use gatehouse_api::roles::{SetUserRoles, UserRoles};
use gatehouse_api::users::{
    ChangeStatus, CreateUser, PasswordResetMethod, ResetPassword, UpdateUser, User, UserListQuery,
};
use gatehouse_api::{Page, Single};
use gloo_net::http::Method;
use uuid::Uuid;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn list(session: Session, query: &UserListQuery) -> Result<Page<User>, ApiError> {
    send(
        session,
        Call::get(url::users(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

pub async fn get(session: Session, id: Uuid) -> Result<User, ApiError> {
    Ok(
        send::<Single<User>>(session, Call::get(url::user(&session.tenant(), id)))
            .await?
            .data,
    )
}

pub async fn create(session: Session, request: &CreateUser) -> Result<User, ApiError> {
    let call = Call::new(Method::POST, url::users(&session.tenant())).json(request);
    Ok(send::<Single<User>>(session, call).await?.data)
}

/// Saves changes made to `version` of the user; a 412 means someone else saved first.
pub async fn update(
    session: Session,
    id: Uuid,
    version: i64,
    patch: &UpdateUser,
) -> Result<User, ApiError> {
    let call = Call::new(Method::PATCH, url::user(&session.tenant(), id))
        .json(patch)
        .if_version(version);
    Ok(send::<Single<User>>(session, call).await?.data)
}

pub async fn set_status(
    session: Session,
    id: Uuid,
    change: &ChangeStatus,
) -> Result<User, ApiError> {
    let call = Call::new(Method::PUT, url::user_status(&session.tenant(), id)).json(change);
    Ok(send::<Single<User>>(session, call).await?.data)
}

pub async fn reset_password(
    session: Session,
    id: Uuid,
    reset: &ResetPassword,
) -> Result<User, ApiError> {
    let call = Call::new(
        Method::POST,
        url::user_password_reset(&session.tenant(), id),
    )
    .json(reset);
    Ok(send::<Single<User>>(session, call).await?.data)
}

/// Mails the user a single-use link to choose a new password; the current one works
/// until they use it.
pub async fn send_reset_link(session: Session, id: Uuid) -> Result<User, ApiError> {
    let request = ResetPassword {
        method: PasswordResetMethod::Email,
        new_password: None,
        require_password_change: false,
    };
    reset_password(session, id, &request).await
}

pub async fn disable_mfa(session: Session, id: Uuid) -> Result<User, ApiError> {
    let call = Call::new(Method::POST, url::user_mfa_disable(&session.tenant(), id));
    Ok(send::<Single<User>>(session, call).await?.data)
}

/// Deletes the user; `confirm_email` must be the user's email, as typed by the admin.
pub async fn delete(session: Session, id: Uuid, confirm_email: &str) -> Result<(), ApiError> {
    let mut query = QueryPairs::default();
    query.push_opt("confirm_email", Some(confirm_email));
    send(
        session,
        Call::new(Method::DELETE, url::user(&session.tenant(), id)).query(query),
    )
    .await
}

pub async fn groups_of(session: Session, id: Uuid) -> Result<Vec<GroupRef>, ApiError> {
    Ok(
        send::<Single<Vec<GroupRef>>>(session, Call::get(url::user_groups(&session.tenant(), id)))
            .await?
            .data,
    )
}

pub async fn roles_of(session: Session, id: Uuid) -> Result<UserRoles, ApiError> {
    Ok(
        send::<Single<UserRoles>>(session, Call::get(url::user_roles(&session.tenant(), id)))
            .await?
            .data,
    )
}

/// Replaces the user's direct roles.
pub async fn set_roles(
    session: Session,
    id: Uuid,
    role_ids: BTreeSet<Uuid>,
) -> Result<UserRoles, ApiError> {
    let call = Call::new(Method::PUT, url::user_roles(&session.tenant(), id))
        .json(&SetUserRoles { role_ids });
    Ok(send::<Single<UserRoles>>(session, call).await?.data)
}

/// The messages sent to the user (invites, welcomes, reset links), newest first.
pub async fn mail_of(session: Session, id: Uuid) -> Result<Vec<Delivery>, ApiError> {
    Ok(
        send::<Single<Vec<Delivery>>>(session, Call::get(url::user_mail(&session.tenant(), id)))
            .await?
            .data,
    )
}

/// Runs one action on many users (or, with `dry_run`, says what it would do); also
/// the request's id, which every audit event of the run carries.
pub async fn bulk(
    session: Session,
    request: &BulkRequest,
) -> Result<(BulkResult, String), ApiError> {
    let call = Call::new(Method::POST, url::users_bulk(&session.tenant())).json(request);
    let answer = send::<Single<BulkResult>>(session, call).await?;
    Ok((answer.data, answer.meta.request_id))
}

/// Every user the list's filters match, in its order, as CSV.
pub async fn export_csv(session: Session, query: &UserListQuery) -> Result<String, ApiError> {
    let call = Call::get(url::users_export(&session.tenant())).query(export_pairs(query));
    super::fetch_text(session, call).await
}

/// The list query without its paging, which an export does not take.
fn export_pairs(query: &UserListQuery) -> QueryPairs {
    let filter = UserListQuery {
        page: None,
        per_page: None,
        ..query.clone()
    };
    filter.to_pairs()
}

/// Creates and updates users from a CSV file (or, with `dry_run`, says what it would).
pub async fn import(session: Session, request: &ImportRequest) -> Result<ImportReport, ApiError> {
    let call = Call::new(Method::POST, url::users_import(&session.tenant())).json(request);
    Ok(send::<Single<ImportReport>>(session, call).await?.data)
}
