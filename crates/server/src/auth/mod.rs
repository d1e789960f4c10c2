//! Authentication and authorisation, decided in one place.
//!
//! [`authorize`] runs for every API route. It looks the route up in the contract's
//! endpoint table ([`gatehouse_api::endpoints`]): public routes pass; everything else
//! needs a valid bearer token, the permission the table names, and a tenant in the path
//! that is the caller's own. A route missing from the table is refused, so a new endpoint
//! is closed until someone decides who may call it.

pub mod password;
pub mod token;

use std::collections::BTreeSet;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_api::endpoints::{Access, Endpoint};
use gatehouse_api::Permission;
use uuid::Uuid;

use crate::error::AppError;
use crate::store::sessions;
use crate::AppState;

/// The signed-in caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: Uuid,
    pub tenant_id: String,
    pub permissions: BTreeSet<Permission>,
    /// Hash of the bearer token, so sign-out can revoke exactly this session.
    pub token_hash: Vec<u8>,
}

impl Principal {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer_token(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Resolves a bearer token to its principal.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let token_hash = token::hash(token);
    let owner = sessions::find_owner(&state.db, &token_hash)
        .await?
        .ok_or_else(|| {
            AppError::Unauthenticated(
                "Your session has expired or was ended. Sign in again.".into(),
            )
        })?;
    let permissions = sessions::effective_permissions(&state.db, owner.user_id).await?;
    Ok(Principal {
        user_id: owner.user_id,
        tenant_id: owner.tenant_id,
        permissions,
        token_hash,
    })
}

/// The authorisation layer (see the module documentation).
pub async fn authorize(
    State(state): State<AppState>,
    matched: MatchedPath,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(endpoint) = Endpoint::find(request.method().as_str(), matched.as_str()) else {
        tracing::error!(
            route = matched.as_str(),
            "route has no entry in the endpoint table; refusing"
        );
        return AppError::Forbidden {
            detail: "This endpoint is not available.".into(),
            permission: None,
        }
        .into_response();
    };
    if endpoint.access == Access::Public {
        return next.run(request).await;
    }
    let Some(token) = bearer_token(&request) else {
        return AppError::Unauthenticated("Sign in to continue.".into()).into_response();
    };
    let principal = match authenticate(&state, token).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    if let Some(tenant) = params
        .iter()
        .find_map(|(name, value)| (name == "tenant_id").then_some(value))
    {
        if tenant != principal.tenant_id {
            return AppError::NotFound(format!("There is no tenant {tenant:?}.")).into_response();
        }
    }
    if let Some(permission) = endpoint.permission() {
        if !principal.can(permission) {
            return AppError::missing_permission(permission).into_response();
        }
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}
