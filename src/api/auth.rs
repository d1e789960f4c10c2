//! Sign-in (both steps), sign-out, the signed-in identity and first-run setup.

use gatehouse_api::auth::{
    LoginMfaRequest, LoginRequest, LoginResponse, LoginStep, Me, SetupRequest, SetupStatus,
};
use gatehouse_api::endpoints::url;
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
