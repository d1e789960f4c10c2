//! Tenant settings: the sign-in policy, and whether (and how well) mail goes out.

use gatehouse_api::auth::{SecuritySettings, UpdateSecuritySettings};
use gatehouse_api::endpoints::url;
use gatehouse_api::invites::{MailSettings, TestMail, TestMailResult};
use gatehouse_api::Single;
use gloo_net::http::Method;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn security(session: Session) -> Result<SecuritySettings, ApiError> {
    let call = Call::get(url::security_settings(&session.tenant()));
    Ok(send::<Single<SecuritySettings>>(session, call).await?.data)
}

/// Saves the policy over `version`; a 412 means someone else saved first.
pub async fn update_security(
    session: Session,
    version: i64,
    request: &UpdateSecuritySettings,
) -> Result<SecuritySettings, ApiError> {
    let call = Call::new(Method::PUT, url::security_settings(&session.tenant()))
        .json(request)
        .if_version(version);
    Ok(send::<Single<SecuritySettings>>(session, call).await?.data)
}

pub async fn mail(session: Session) -> Result<MailSettings, ApiError> {
    let call = Call::get(url::mail_settings(&session.tenant()));
    Ok(send::<Single<MailSettings>>(session, call).await?.data)
}

/// Sends a test message now and says whether the SMTP server took it.
pub async fn test_mail(session: Session, to: &str) -> Result<TestMailResult, ApiError> {
    let call = Call::new(Method::POST, url::mail_test(&session.tenant()))
        .json(&TestMail { to: to.to_owned() });
    Ok(send::<Single<TestMailResult>>(session, call).await?.data)
}
