//! Authenticating with an API key: `Authorization: Bearer gh_<prefix>_<secret>`.
//!
//! The key is found by its visible prefix and its hash compared in constant time. It
//! acts as its owner, with the owner's permissions as they are at this request (the
//! subset it was limited to, if any, cut down to them), only in its own tenant, and
//! only while it is neither revoked nor expired and its owner active.

use std::collections::BTreeSet;

use gatehouse_api::api_keys::split_key;
use gatehouse_api::Permission;

use super::{token, Principal};
use crate::error::AppError;
use crate::store::{self, api_keys, sessions};
use crate::AppState;

/// "Last used" is written at most this often per key, not on every request.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

fn not_valid() -> AppError {
    AppError::Unauthenticated(
        "This API key is not valid: it does not exist, or not in this tenant. Check that it was copied whole, or create a new one.".into(),
    )
}

/// The principal of an API key, used on `tenant` (the one in the path, if any).
pub async fn key_principal(
    state: &AppState,
    key: &str,
    tenant: Option<&str>,
) -> Result<Principal, AppError> {
    let Some((prefix, _)) = split_key(key) else {
        return Err(AppError::Unauthenticated(
            "That is not a well-formed API key: keys look like gh_, eight letters or digits, _, and forty letters or digits. Check that it was copied whole.".into(),
        ));
    };
    let found = api_keys::credentials(&state.db, prefix)
        .await?
        .filter(|k| constant_time_eq::constant_time_eq(&k.secret_hash, &token::hash(key)))
        .filter(|k| tenant.is_none_or(|t| t == k.tenant_id))
        .ok_or_else(not_valid)?;
    let now = store::now_ms();
    if let Some(at) = found.revoked_at {
        return Err(AppError::Unauthenticated(format!(
            "This API key was revoked on {}. Create a new one.",
            store::to_time(at).format("%Y-%m-%d %H:%M UTC")
        )));
    }
    if let Some(at) = found.expires_at.filter(|&at| at <= now) {
        return Err(AppError::Unauthenticated(format!(
            "This API key expired on {}. Create a new one.",
            store::to_time(at).format("%Y-%m-%d %H:%M UTC")
        )));
    }
    if !found.owner_active {
        return Err(AppError::Unauthenticated(
            "The owner of this API key is disabled, locked or deleted, so the key cannot be used."
                .into(),
        ));
    }
    let held = sessions::effective_permissions(&state.db, found.owner_id).await?;
    let permissions: BTreeSet<Permission> = match &found.permissions {
        Some(subset) => held.intersection(subset).copied().collect(),
        None => held,
    };
    if found
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION_MS)
    {
        let db = state.db.clone();
        let id = found.id;
        tokio::spawn(async move {
            if let Err(error) = api_keys::touch(&db, id, now).await {
                tracing::warn!(key = %id, %error, "could not record an API key's last use");
            }
        });
    }
    Ok(Principal {
        user_id: found.owner_id,
        tenant_id: found.tenant_id,
        permissions,
        token_hash: Vec::new(),
        // A key is a deliberate credential, not a session left open on a desk: what it
        // may do is decided by its permissions, not by a fresh password prompt.
        confirmed_at: now,
        requirement: None,
        api_key: Some(found.id),
    })
}
