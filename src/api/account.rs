//! The signed-in user's own account: password, sessions, second factor, confirmation.

use gatehouse_api::auth::{
    ChangePassword, ConfirmIdentity, ConfirmTotp, Confirmed, Me, RecoveryCodes, SessionsEnded,
    TotpEnrolment,
};
use gatehouse_api::endpoints::url;
use gatehouse_api::Single;
use gloo_net::http::Method;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn change_password(session: Session, request: &ChangePassword) -> Result<Me, ApiError> {
    let call = Call::new(Method::POST, url::my_password()).json(request);
    Ok(send::<Single<Me>>(session, call).await?.data)
}

pub async fn end_other_sessions(session: Session) -> Result<SessionsEnded, ApiError> {
    let call = Call::new(Method::POST, url::my_other_sessions_end());
    Ok(send::<Single<SessionsEnded>>(session, call).await?.data)
}

/// Proves again who is at the keyboard. Sent as is: a wrong password is a 422 here,
/// never a reason to ask again.
pub async fn confirm(session: Session, request: &ConfirmIdentity) -> Result<Confirmed, ApiError> {
    let call = Call::new(Method::POST, url::my_confirm()).json(request);
    Ok(send::<Single<Confirmed>>(session, call).await?.data)
}

pub async fn start_totp(session: Session) -> Result<TotpEnrolment, ApiError> {
    let call = Call::new(Method::POST, url::my_totp());
    Ok(send::<Single<TotpEnrolment>>(session, call).await?.data)
}

pub async fn confirm_totp(session: Session, code: String) -> Result<RecoveryCodes, ApiError> {
    let call = Call::new(Method::POST, url::my_totp_confirm()).json(&ConfirmTotp { code });
    Ok(send::<Single<RecoveryCodes>>(session, call).await?.data)
}

pub async fn disable_mfa(session: Session) -> Result<(), ApiError> {
    send(session, Call::new(Method::DELETE, url::my_mfa())).await
}

pub async fn new_recovery_codes(session: Session) -> Result<RecoveryCodes, ApiError> {
    let call = Call::new(Method::POST, url::my_recovery_codes());
    Ok(send::<Single<RecoveryCodes>>(session, call).await?.data)
}
