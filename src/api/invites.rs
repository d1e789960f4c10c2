//! Invites: listing and sending them (administrators), and looking one up and
//! accepting it (the invitee, signed out).

use gatehouse_api::auth::LoginResponse;
use gatehouse_api::endpoints::url;
use gatehouse_api::invites::{
    AcceptInvite, CreateInvites, Invite, InviteCode, InviteListQuery, InviteLookup, InvitesResult,
    ResentInvite, RevokeInvites, RevokeResults,
};
use gatehouse_api::{Page, Single};
use gloo_net::http::Method;
use uuid::Uuid;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn list(session: Session, query: &InviteListQuery) -> Result<Page<Invite>, ApiError> {
    send(
        session,
        Call::get(url::invites(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

/// Invites every address of the request; each gets its own outcome.
pub async fn create(session: Session, request: &CreateInvites) -> Result<InvitesResult, ApiError> {
    let call = Call::new(Method::POST, url::invites(&session.tenant())).json(request);
    Ok(send::<Single<InvitesResult>>(session, call).await?.data)
}

/// A new code and expiry (the old link dies), mailed again.
pub async fn resend(session: Session, id: Uuid) -> Result<ResentInvite, ApiError> {
    let call = Call::new(Method::POST, url::invite_resend(&session.tenant(), id));
    Ok(send::<Single<ResentInvite>>(session, call).await?.data)
}

pub async fn revoke(session: Session, id: Uuid) -> Result<Invite, ApiError> {
    let call = Call::new(Method::POST, url::invite_revoke(&session.tenant(), id));
    Ok(send::<Single<Invite>>(session, call).await?.data)
}

pub async fn revoke_many(
    session: Session,
    request: &RevokeInvites,
) -> Result<RevokeResults, ApiError> {
    let call = Call::new(Method::POST, url::invites_revoke(&session.tenant())).json(request);
    Ok(send::<Single<RevokeResults>>(session, call).await?.data)
}

/// What the invite in a link is for (410 when it is not valid any more).
pub async fn lookup(session: Session, code: &str) -> Result<InviteLookup, ApiError> {
    let call = Call::new(Method::POST, url::invite_lookup())
        .json(&InviteCode {
            code: code.to_owned(),
        })
        .public();
    Ok(send::<Single<InviteLookup>>(session, call).await?.data)
}

/// Becomes the invited user, signed in.
pub async fn accept(session: Session, request: &AcceptInvite) -> Result<LoginResponse, ApiError> {
    let call = Call::new(Method::POST, url::invite_accept())
        .json(request)
        .public();
    Ok(send::<Single<LoginResponse>>(session, call).await?.data)
}
