//! API keys: the signed-in user's own, a user's, and the tenant's; creating one (its
//! secret comes back this once), renaming and revoking.

use gatehouse_api::api_keys::{
    ApiKey, ApiKeyListQuery, CreateApiKey, CreatedApiKey, KeyRevokeResults, RevokeApiKey,
    RevokeApiKeys, UpdateApiKey,
};
use gatehouse_api::endpoints::url;
use gatehouse_api::{Page, Single};
use gloo_net::http::Method;
use uuid::Uuid;

use super::{send, ApiError, Call};
use crate::session::Session;

/// Every key of the tenant (`api_keys:read`).
pub async fn list(session: Session, query: &ApiKeyListQuery) -> Result<Page<ApiKey>, ApiError> {
    send(
        session,
        Call::get(url::api_keys(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

/// The signed-in user's own keys.
pub async fn list_mine(
    session: Session,
    query: &ApiKeyListQuery,
) -> Result<Page<ApiKey>, ApiError> {
    send(
        session,
        Call::get(url::my_api_keys()).query(query.to_pairs()),
    )
    .await
}

/// One user's keys: one's own, or anyone's with `api_keys:read`.
pub async fn list_of(
    session: Session,
    user: Uuid,
    query: &ApiKeyListQuery,
) -> Result<Page<ApiKey>, ApiError> {
    send(
        session,
        Call::get(url::user_api_keys(&session.tenant(), user)).query(query.to_pairs()),
    )
    .await
}

/// A new key of the signed-in user's, with its secret.
pub async fn create_mine(
    session: Session,
    request: &CreateApiKey,
) -> Result<CreatedApiKey, ApiError> {
    let call = Call::new(Method::POST, url::my_api_keys()).json(request);
    Ok(send::<Single<CreatedApiKey>>(session, call).await?.data)
}

/// A new key for `user` (a service account, typically), with its secret.
pub async fn create_for(
    session: Session,
    user: Uuid,
    request: &CreateApiKey,
) -> Result<CreatedApiKey, ApiError> {
    let call = Call::new(Method::POST, url::user_api_keys(&session.tenant(), user)).json(request);
    Ok(send::<Single<CreatedApiKey>>(session, call).await?.data)
}

pub async fn get(session: Session, id: Uuid) -> Result<ApiKey, ApiError> {
    let call = Call::get(url::api_key(&session.tenant(), id));
    Ok(send::<Single<ApiKey>>(session, call).await?.data)
}

/// Renames the key at `version`; a 412 means someone else changed it first.
pub async fn rename(
    session: Session,
    id: Uuid,
    version: i64,
    request: &UpdateApiKey,
) -> Result<ApiKey, ApiError> {
    let call = Call::new(Method::PATCH, url::api_key(&session.tenant(), id))
        .json(request)
        .if_version(version);
    Ok(send::<Single<ApiKey>>(session, call).await?.data)
}

/// Revokes one key at once (one's own, or anyone's with `api_keys:write`).
pub async fn revoke(
    session: Session,
    id: Uuid,
    request: &RevokeApiKey,
) -> Result<ApiKey, ApiError> {
    let call = Call::new(Method::POST, url::api_key_revoke(&session.tenant(), id)).json(request);
    Ok(send::<Single<ApiKey>>(session, call).await?.data)
}

/// Revokes many keys, each judged alone (`api_keys:write`).
pub async fn revoke_many(
    session: Session,
    request: &RevokeApiKeys,
) -> Result<KeyRevokeResults, ApiError> {
    let call = Call::new(Method::POST, url::api_keys_revoke(&session.tenant())).json(request);
    Ok(send::<Single<KeyRevokeResults>>(session, call).await?.data)
}
