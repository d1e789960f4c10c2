//! A typed client for the Gatehouse API: one function per endpoint, over gloo-net.
//!
//! Every call goes through [`send`], which adds the bearer token, turns problem details
//! into [`ApiError`], and, when the session has expired mid-work, asks the administrator
//! to sign in again (see [`Session::wait_for_sign_in`]) and retries; when a dangerous
//! action needs a fresh proof of identity, it asks for the password the same way (see
//! [`Session::wait_for_confirmation`]). Nothing on screen is lost either way.

pub mod account;
mod ahead;
pub mod api_keys;
pub mod audit;
pub mod auth;
mod error;
pub mod groups;
pub mod invites;
mod json;
pub mod roles;
pub mod settings;
pub mod sso;
pub mod users;

pub use ahead::send_ahead;
pub use error::ApiError;
pub use json::from_str as read_json;

use gatehouse_api::query::QueryPairs;
use gatehouse_api::Problem;
use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::api_url;
use crate::session::Session;

/// One request to the API.
pub struct Call {
    method: Method,
    path: String,
    query: QueryPairs,
    body: Option<Result<String, String>>,
    if_match: Option<String>,
    /// Whether a 401 means "session expired" (and not "wrong password").
    reauthenticate: bool,
}

impl Call {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: QueryPairs::default(),
            body: None,
            if_match: None,
            reauthenticate: true,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// Adds query parameters.
    pub fn query(mut self, query: QueryPairs) -> Self {
        self.query = query;
        self
    }

    /// The JSON body. A value that cannot be serialised (never expected of the
    /// contract's types) fails the call rather than sending it without a body.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        self.body = Some(serde_json::to_string(body).map_err(|e| e.to_string()));
        self
    }

    /// Makes the write conditional on the object still being at `version`.
    pub fn if_version(mut self, version: i64) -> Self {
        self.if_match = Some(gatehouse_api::version::etag(version));
        self
    }

    /// For sign-in and setup: a 401 is an answer, not an expired session.
    pub fn public(mut self) -> Self {
        self.reauthenticate = false;
        self
    }

    /// What makes two calls the same request, for reusing an answer sent ahead: only a
    /// GET, by its address and the session it is made for.
    fn reuse_key(&self, token: Option<&str>) -> Option<String> {
        (self.method == Method::GET && self.body.is_none()).then(|| {
            format!(
                "{} {}",
                self.query.append_to(&self.path),
                token.unwrap_or_default()
            )
        })
    }

    fn build(&self, token: Option<&str>) -> Result<gloo_net::http::Request, ApiError> {
        let mut request = RequestBuilder::new(&api_url(&self.path))
            .query(self.query.iter())
            .method(self.method.clone())
            .header("Accept", "application/json");
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(version) = &self.if_match {
            request = request.header("If-Match", version);
        }
        let request = match &self.body {
            Some(Ok(body)) => request
                .header("Content-Type", "application/json")
                .body(body.clone()),
            Some(Err(error)) => {
                return Err(ApiError::Unexpected(format!(
                    "the request could not be written: {error}"
                )))
            }
            None => request.build(),
        };
        request.map_err(|e| ApiError::Unexpected(e.to_string()))
    }
}

/// Sends a call and decodes the answer (`()` for 204).
pub async fn send<T: DeserializeOwned>(session: Session, call: Call) -> Result<T, ApiError> {
    let text = send_text(session, call).await?;
    let text = if text.is_empty() { "null" } else { &text };
    json::from_str(text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// The body of a successful answer as text (a CSV download).
pub async fn fetch_text(session: Session, call: Call) -> Result<String, ApiError> {
    send_text(session, call).await
}

/// The body of a successful answer. Not generic, so the request and sign-in-again logic
/// is compiled once rather than per response type (it is the bulk of the client).
async fn send_text(session: Session, call: Call) -> Result<String, ApiError> {
    let token = session.token();
    let first = match ahead::take(&call, token.as_deref()) {
        Some(answer) => answer.await,
        None => send_once(&call, token.as_deref()).await,
    };
    let retry = match &first {
        Err(ApiError::Problem(p)) if p.status == 401 && call.reauthenticate && token.is_some() => {
            session.wait_for_sign_in().await
        }
        Err(error) if error.needs_confirmation() && call.reauthenticate => {
            session.wait_for_confirmation().await
        }
        _ => false,
    };
    if retry {
        send_once(&call, session.token().as_deref()).await
    } else {
        first
    }
}

async fn send_once(call: &Call, token: Option<&str>) -> Result<String, ApiError> {
    let response = call
        .build(token)?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    Err(match json::from_str::<Problem>(&text) {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Problem(Problem {
            kind: "about:blank".into(),
            title: format!("The server answered {status}"),
            status,
            detail: None,
            errors: Vec::new(),
            missing_permission: None,
            request_id: None,
        }),
    })
}
