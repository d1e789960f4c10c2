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

/// The client's address, for sign-in throttling: the connection's peer, or, when the
/// server is told it sits behind a proxy (`--trust-proxy`), the last address of
/// `X-Forwarded-For` (the one the proxy itself saw; earlier ones are the client's word).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if state.settings.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty());
            if let Some(address) = forwarded {
                return Ok(ClientAddr(address.to_owned()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddr(peer))
    }
}
