//! Extractors whose rejections are problem details, plus the signed-in principal.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::header::IF_MATCH;
use axum::http::request::Parts;

use crate::auth::Principal;
use crate::error::AppError;
use crate::AppState;

/// `axum::Json` with problem-details rejections (400 for bad JSON or shape, 413, 415).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct JsonBody<T>(pub T);

/// `axum::extract::Query` with a problem-details rejection.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` with a 404 problem for ids that cannot exist.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// The versions named by `If-Match`. Writes of existing objects require it, so that a
/// stale form cannot overwrite someone else's change: 428 without it, 400 when it is not
/// a list of entity tags, 412 when none is the current version (RFC 9110 §13.1.1).
pub struct IfMatch(pub gatehouse_api::version::IfMatch);

impl IfMatch {
    /// The version the write goes ahead on: the current one, when the header names it
    /// (or is `*`); otherwise 412, saying which version is current.
    pub fn check(&self, current: i64) -> Result<i64, AppError> {
        if self.0.matches(current) {
            Ok(current)
        } else {
            Err(AppError::StaleVersion { current })
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let value = parts
            .headers
            .get(IF_MATCH)
            .ok_or(AppError::PreconditionRequired)?;
        value
            .to_str()
            .ok()
            .and_then(gatehouse_api::version::IfMatch::parse)
            .map(IfMatch)
            .ok_or_else(|| {
                AppError::BadRequest(
                    "If-Match must be an entity tag this server sent, such as \"3\", or *.".into(),
                )
            })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| AppError::Unauthenticated("Sign in to continue.".into()))
    }
}

/// The client's address, for sign-in throttling (see [`crate::audit::client_address`]).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(ClientAddr(crate::audit::client_address(
            &parts.headers,
            parts.extensions.get::<ConnectInfo<SocketAddr>>(),
            state.settings.trust_proxy,
        )))
    }
}
