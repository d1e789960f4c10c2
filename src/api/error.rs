//! What can go wrong with a request, in terms the console can show.

use std::fmt;

use gatehouse_api::problem::kinds;
use gatehouse_api::{FieldError, Problem};

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server could not be reached (offline, DNS, CORS, server down).
    Network(String),
    /// The server refused or failed, and said why.
    Problem(Problem),
    /// The server answered something the contract does not describe.
    Unexpected(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            _ => None,
        }
    }

    /// Messages to show under form fields (422, and 409 on a unique field).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Problem(p) => &p.errors,
            _ => &[],
        }
    }

    /// Someone else changed the object since it was loaded.
    pub fn is_stale(&self) -> bool {
        matches!(self, ApiError::Problem(p) if p.kind == kinds::STALE_VERSION)
    }

    /// The action needs the administrator to confirm their password first.
    pub fn needs_confirmation(&self) -> bool {
        matches!(self, ApiError::Problem(p) if p.kind == kinds::CONFIRM_IDENTITY)
    }

    /// The message of the first field error if there is one (a wrong code, a wrong
    /// password), else the problem's own message: what a one-field dialog shows.
    pub fn first_message(&self) -> String {
        self.field_errors()
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_else(|| self.message())
    }

    /// The sentence to show the administrator.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network(_) => {
                "The server could not be reached. Check your connection and try again.".into()
            }
            ApiError::Problem(p) => p.detail.clone().unwrap_or_else(|| p.title.clone()),
            ApiError::Unexpected(what) => format!("The server sent an unexpected answer ({what})."),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}
