//! Authentication and authorisation, decided in one place.
//!
//! [`authorize`] runs for every API route. It looks the route up in the contract's
//! endpoint table ([`gatehouse_api::endpoints`]): public routes pass; everything else
//! needs a valid bearer token, a session that owes nothing (or an endpoint that helps it
//! pay: changing the password, setting up MFA), the permission the table names, and a
//! tenant in the path that is the caller's own. Writes to a user named in the path are
//! refused when that user holds a permission the caller does not, and endpoints the
//! table marks as dangerous need a recent proof of identity. A route missing from the
//! table is refused, so a new endpoint is closed until someone decides who may call it.

pub mod api_keys;
pub mod mfa;
pub mod password;
pub mod token;

use std::collections::BTreeSet;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_api::auth::Requirement;
use gatehouse_api::endpoints::{Access, Endpoint, Method};
use gatehouse_api::Permission;
use uuid::Uuid;

use crate::error::AppError;
use crate::guards;
use crate::store::{self, sessions};
use crate::AppState;

/// The signed-in caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: Uuid,
    pub tenant_id: String,
    pub permissions: BTreeSet<Permission>,
    /// Hash of the bearer token, so sign-out can revoke exactly this session.
    pub token_hash: Vec<u8>,
    /// When the session last proved who is at the keyboard (ms since the epoch).
    pub confirmed_at: i64,
    /// What the session must do before anything else.
    pub requirement: Option<Requirement>,
    /// The API key the request authenticated with, when it was not a session.
    pub api_key: Option<Uuid>,
}

impl Principal {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Someone acting without a request of their own (an inviter whose invite is being
    /// accepted): what they may do, nothing more.
    pub fn without_session(
        user_id: Uuid,
        tenant_id: String,
        permissions: BTreeSet<Permission>,
    ) -> Self {
        Self {
            user_id,
            tenant_id,
            permissions,
            token_hash: Vec::new(),
            confirmed_at: 0,
            requirement: None,
            api_key: None,
        }
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

/// Resolves a bearer token (a session's, or an API key used on `tenant`) to its
/// principal.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    tenant: Option<&str>,
) -> Result<Principal, AppError> {
    if gatehouse_api::api_keys::looks_like_key(token) {
        api_keys::key_principal(state, token, tenant).await
    } else {
        session_principal(state, token::hash(token)).await
    }
}

/// The principal of the session with this token hash, as it stands now (after a
/// password change, say).
pub async fn session_principal(
    state: &AppState,
    token_hash: Vec<u8>,
) -> Result<Principal, AppError> {
    let owner = sessions::find_owner(&state.db, &token_hash)
        .await?
        .ok_or_else(|| {
            AppError::Unauthenticated(
                "Your session has expired or was ended. Sign in again.".into(),
            )
        })?;
    let permissions = sessions::effective_permissions(&state.db, owner.user_id).await?;
    let requirement = if owner.require_password_change {
        Some(Requirement::PasswordChange)
    } else if owner.mfa_enrolment_required {
        Some(Requirement::MfaEnrolment)
    } else {
        None
    };
    Ok(Principal {
        user_id: owner.user_id,
        tenant_id: owner.tenant_id,
        permissions,
        token_hash,
        confirmed_at: owner.confirmed_at,
        requirement,
        api_key: None,
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
    let param = |wanted: &str| {
        params
            .iter()
            .find_map(|(name, value)| (name == wanted).then(|| value.to_owned()))
    };
    let tenant = param("tenant_id");
    let principal = match authenticate(&state, token, tenant.as_deref()).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    if let Some(tenant) = &tenant {
        if *tenant != principal.tenant_id {
            return AppError::NotFound(format!("There is no tenant {tenant:?}.")).into_response();
        }
    }
    let target = Target {
        tenant,
        user: param("user_id"),
        key: param("key_id"),
    };
    if let Err(refusal) = check(&state, endpoint, &principal, target).await {
        return refusal.into_response();
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// What the path of a request names: its tenant, a user, an API key.
struct Target {
    tenant: Option<String>,
    user: Option<String>,
    key: Option<String>,
}

/// What a signed-in caller must satisfy for `endpoint`, in the order a person would
/// want to hear it: first what the session owes, then the permission, then whether the
/// target is theirs to change, last a fresh proof of identity.
async fn check(
    state: &AppState,
    endpoint: &Endpoint,
    principal: &Principal,
    target: Target,
) -> Result<(), AppError> {
    if principal.api_key.is_some() && endpoint.session_only {
        return Err(AppError::Forbidden {
            detail: "API keys cannot do this: it concerns a signed-in session (signing out, passwords, second factors). Sign in to the console instead.".into(),
            permission: None,
        });
    }
    if let Some(requirement) = principal.requirement {
        if !endpoint.while_restricted {
            return Err(AppError::RequirementPending(requirement));
        }
    }
    let user = target.user.as_deref().and_then(|u| u.parse::<Uuid>().ok());
    let mut owner = user;
    match endpoint.access {
        Access::Requires(permission) if !principal.can(permission) => {
            return Err(AppError::missing_permission(permission));
        }
        Access::OwnOr(permission) => {
            if let (Some(tenant), Some(key)) = (&target.tenant, &target.key) {
                if let Ok(key) = key.parse::<Uuid>() {
                    owner = store::api_keys::owner_of(&state.db, tenant, key).await?;
                }
            }
            let own = owner.is_some_and(|o| o == principal.user_id);
            if !own && !principal.can(permission) {
                return Err(AppError::missing_permission(permission));
            }
        }
        _ => {}
    }
    let writes_to_owner =
        endpoint.acts_on_user() || (endpoint.method != Method::Get && target.key.is_some());
    if writes_to_owner {
        if let (Some(tenant), Some(owner)) = (&target.tenant, owner) {
            guards::ensure_not_stronger(&state.db, principal, tenant, owner).await?;
        }
    }
    if endpoint.recent_auth {
        guards::ensure_recently_confirmed(principal)?;
    }
    Ok(())
}
