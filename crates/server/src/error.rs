//! `AppError`: every way a request can fail, rendered as RFC 9457 problem details.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_api::auth::Requirement;
use gatehouse_api::problem::{kinds, PROBLEM_JSON};
use gatehouse_api::{FieldError, Permission, Problem};

use crate::request_id;

/// What went wrong, in terms a client can act on. Internal errors are logged with their
/// cause and reach the client only as "something went wrong" with the request id.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    #[error("forbidden: {detail}")]
    Forbidden {
        detail: String,
        permission: Option<Permission>,
    },
    #[error("not found: {0}")]
    NotFound(String),
    /// A link (invite, password reset) that no longer works.
    #[error("gone: {0}")]
    Gone(String),
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("stale version")]
    StaleVersion { current: i64 },
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Too many attempts (sign-in throttling); `retry_after` in seconds.
    #[error("too many requests: {detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// The server is saturated (password hashing, or the database's write lock) and sheds
    /// the request.
    #[error("busy")]
    Busy,
    /// The request took longer than the server allows.
    #[error("timed out")]
    Timeout,
    /// The action needs a recent confirmation of identity.
    #[error("confirm identity")]
    ConfirmIdentity,
    /// The session must change its password or set up MFA first.
    #[error("requirement pending: {0:?}")]
    RequirementPending(Requirement),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// 404 for an object of the kind `what` ("user", "role") that does not exist.
    pub fn gone(what: &str) -> Self {
        AppError::NotFound(format!(
            "There is no such {what}; it may have been deleted."
        ))
    }

    /// A conditional write found the object changed since it was read: 412 with the
    /// version it is at now, or 404 if it is gone.
    pub fn changed_meanwhile(current: Option<i64>, what: &str) -> Self {
        match current {
            Some(current) => AppError::StaleVersion { current },
            None => AppError::gone(what),
        }
    }

    /// 409 under a field for a UNIQUE violation named in `fields` (constraint text,
    /// field, message); any other error as it is.
    pub fn unique(error: sqlx::Error, fields: &[(&str, &str, &str)]) -> Self {
        for (constraint, field, message) in fields {
            if crate::store::is_unique_violation(&error, constraint) {
                return AppError::conflict_on(field, message);
            }
        }
        error.into()
    }

    /// 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// 409 that a form can show under `field`.
    pub fn conflict_on(field: &str, message: &str) -> Self {
        AppError::Conflict {
            detail: message.to_owned(),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// 409 without a field.
    pub fn conflict(detail: impl Into<String>) -> Self {
        AppError::Conflict {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn missing_permission(permission: Permission) -> Self {
        AppError::Forbidden {
            detail: format!(
                "You need the {permission} permission for this. Ask an administrator to grant you a role that has it."
            ),
            permission: Some(permission),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            AppError::ConfirmIdentity | AppError::RequirementPending(_) => StatusCode::FORBIDDEN,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(self) -> Problem {
        let status = self.status();
        let (kind, title, detail, errors, missing_permission) = match self {
            AppError::BadRequest(detail) => (kinds::BAD_REQUEST, "Bad request", Some(detail), vec![], None),
            AppError::Validation(errors) => (
                kinds::VALIDATION,
                "Some fields need attention",
                Some(summarise(&errors)),
                errors,
                None,
            ),
            AppError::Unauthenticated(detail) => {
                (kinds::UNAUTHENTICATED, "Sign-in required", Some(detail), vec![], None)
            }
            AppError::Forbidden { detail, permission } => {
                (kinds::FORBIDDEN, "Not allowed", Some(detail), vec![], permission)
            }
            AppError::NotFound(detail) => (kinds::NOT_FOUND, "Not found", Some(detail), vec![], None),
            AppError::Gone(detail) => (kinds::GONE, "Link no longer valid", Some(detail), vec![], None),
            AppError::Conflict { detail, errors } => (kinds::CONFLICT, "Conflict", Some(detail), errors, None),
            AppError::StaleVersion { current } => (
                kinds::STALE_VERSION,
                "Changed by someone else",
                Some(format!(
                    "Someone else changed this since you loaded it (it is now at version {current}). Reload to see their changes, then make yours again."
                )),
                vec![],
                None,
            ),
            AppError::PreconditionRequired => (
                kinds::PRECONDITION_REQUIRED,
                "Version required",
                Some("Send the version you are changing in an If-Match header (the ETag of your last read), so that nobody's changes are overwritten.".into()),
                vec![],
                None,
            ),
            AppError::PayloadTooLarge => (
                kinds::PAYLOAD_TOO_LARGE,
                "Request too large",
                Some("The request body is larger than the 1 MiB limit.".into()),
                vec![],
                None,
            ),
            AppError::UnsupportedMediaType => (
                kinds::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                Some("Send the request body as JSON with Content-Type: application/json.".into()),
                vec![],
                None,
            ),
            AppError::MethodNotAllowed => (
                kinds::METHOD_NOT_ALLOWED,
                "Method not allowed",
                Some("This resource does not support that HTTP method.".into()),
                vec![],
                None,
            ),
            AppError::TooManyRequests { detail, .. } => (
                kinds::TOO_MANY_REQUESTS,
                "Too many attempts",
                Some(detail),
                vec![],
                None,
            ),
            AppError::Busy => (
                kinds::UNAVAILABLE,
                "Server busy",
                Some("The server is handling too many requests at once. Try again in a moment.".into()),
                vec![],
                None,
            ),
            AppError::Timeout => (
                kinds::UNAVAILABLE,
                "Request took too long",
                Some("The server did not finish this request in time. Try again; if it keeps happening, report the request id.".into()),
                vec![],
                None,
            ),
            AppError::ConfirmIdentity => (
                kinds::CONFIRM_IDENTITY,
                "Confirm it is you",
                Some("This action needs you to confirm your password (or a code from your authenticator app) first.".into()),
                vec![],
                None,
            ),
            AppError::RequirementPending(requirement) => (
                match requirement {
                    Requirement::PasswordChange => kinds::PASSWORD_CHANGE_REQUIRED,
                    Requirement::MfaEnrolment => kinds::MFA_ENROLMENT_REQUIRED,
                },
                "Action required first",
                Some(requirement.explanation().into()),
                vec![],
                None,
            ),
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                (
                    kinds::INTERNAL,
                    "Something went wrong",
                    Some("The server could not complete the request. Try again; if it keeps failing, report the request id.".into()),
                    vec![],
                    None,
                )
            }
        };
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
            missing_permission,
            request_id: request_id::current(),
        }
    }
}

fn summarise(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field, one.message),
        _ => format!("{} fields are invalid.", errors.len()),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = match &self {
            AppError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            AppError::Busy | AppError::Timeout => Some(1),
            _ => None,
        };
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.max(1).into());
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    /// SQLite's "database is locked" (busy or locked after the busy timeout) means the
    /// server is overloaded with writes, not broken: 503 with Retry-After, as for any
    /// other overload.
    fn from(error: sqlx::Error) -> Self {
        // SQLite: busy or locked. PostgreSQL: a lock not granted in time, a
        // serialization failure or deadlock, too many connections. Either: no
        // connection free in time.
        let busy = matches!(&error, sqlx::Error::PoolTimedOut)
            || matches!(&error, sqlx::Error::Database(e)
            if matches!(e.code().as_deref(), Some("5" | "6" | "517" | "262" | "55P03" | "40001" | "40P01" | "53300")));
        if busy {
            tracing::warn!(%error, "database busy");
            AppError::Busy
        } else {
            AppError::Internal(error.into())
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                // serde's message names the field and what was expected, e.g.
                // "unknown field `admin`" or "status: unknown variant `SLEEPING`".
                AppError::BadRequest(format!(
                    "The request body does not match the expected shape: {}",
                    e.body_text().trim_start_matches(
                        "Failed to deserialize the JSON body into the target type: "
                    )
                ))
            }
            JsonRejection::JsonSyntaxError(_) => {
                AppError::BadRequest("The request body is not valid JSON.".into())
            }
            JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge
            }
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(format!(
            "The query string is invalid: {}",
            rejection
                .body_text()
                .trim_start_matches("Failed to deserialize query string: ")
        ))
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound("Nothing exists at this address.".into())
    }
}

/// Result of a handler.
pub type AppResult<T> = Result<T, AppError>;
