//! Sign-in (both steps), sign-out, the signed-in identity, first-run setup, and the
//! password link for those who forgot theirs.

use gatehouse_api::auth::{
    LoginMfaRequest, LoginRequest, LoginResponse, LoginStep, Me, SetupRequest, SetupStatus,
};
use gatehouse_api::endpoints::url;
use gatehouse_api::invites::{
    ForgotPassword, ForgotPasswordAnswer, ResetLookup, ResetToken, ResetWithToken,
};
use gatehouse_api::Single;
use gloo_net::http::Method;

use super::{send, ApiError, Call};
use crate::session::Session;

/// The password step: a session, or a challenge for the second factor.
pub async fn login(session: Session, request: &LoginRequest) -> Result<LoginStep, ApiError> {
    let call = Call::new(Method::POST, url::login()).json(request).public();
    Ok(send::<Single<LoginStep>>(session, call).await?.data)
}

/// The second step: an authenticator or recovery code for the challenge.
pub async fn login_mfa(
    session: Session,
    request: &LoginMfaRequest,
) -> Result<LoginResponse, ApiError> {
    let call = Call::new(Method::POST, url::login_mfa())
        .json(request)
        .public();
    Ok(send::<Single<LoginResponse>>(session, call).await?.data)
}

pub async fn logout(session: Session) -> Result<(), ApiError> {
    send(session, Call::new(Method::POST, url::logout()).public()).await
}

pub async fn me(session: Session) -> Result<Me, ApiError> {
    Ok(send::<Single<Me>>(session, Call::get(url::me()).public())
        .await?
        .data)
}

pub async fn setup_status(session: Session) -> Result<SetupStatus, ApiError> {
    Ok(
        send::<Single<SetupStatus>>(session, Call::get(url::setup()).public())
            .await?
            .data,
    )
}

pub async fn setup(session: Session, request: &SetupRequest) -> Result<LoginResponse, ApiError> {
    let call = Call::new(Method::POST, url::setup()).json(request).public();
    Ok(send::<Single<LoginResponse>>(session, call).await?.data)
}

/// Asks for a password link; the answer is the same whether or not the address exists.
pub async fn forgot_password(
    session: Session,
    request: &ForgotPassword,
) -> Result<ForgotPasswordAnswer, ApiError> {
    let call = Call::new(Method::POST, url::password_forgot())
        .json(request)
        .public();
    Ok(send::<Single<ForgotPasswordAnswer>>(session, call)
        .await?
        .data)
}

/// Whose password the link in hand changes (410 when it is not valid any more).
pub async fn password_link(session: Session, token: &str) -> Result<ResetLookup, ApiError> {
    let call = Call::new(Method::POST, url::password_reset_lookup())
        .json(&ResetToken {
            token: token.to_owned(),
        })
        .public();
    Ok(send::<Single<ResetLookup>>(session, call).await?.data)
}

/// Sets the new password with the link's token; every session of the user ends.
pub async fn reset_password(session: Session, request: &ResetWithToken) -> Result<(), ApiError> {
    let call = Call::new(Method::POST, url::password_reset())
        .json(request)
        .public();
    send(session, call).await
}
