//! Tenant settings: the sign-in policy.

use gatehouse_api::auth::{SecuritySettings, UpdateSecuritySettings};
use gatehouse_api::endpoints::url;
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
