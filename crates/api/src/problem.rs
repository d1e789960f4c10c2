//! RFC 9457 problem details: the one error format of the API.

use serde::{Deserialize, Serialize};

use crate::Permission;

/// The media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error response. `kind` (JSON `type`) is a stable identifier clients can match on;
/// `title` is a short human summary and `detail` says what happened in this case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per invalid field (422 only), so a form can show each under its field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The permission the caller lacks (403 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_permission: Option<Permission>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What is wrong with one field of a request body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The JSON name of the field, as in the request body.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The stable `type` identifiers of problems.
pub mod kinds {
    pub const BAD_REQUEST: &str = "urn:gatehouse:problem:bad-request";
    pub const VALIDATION: &str = "urn:gatehouse:problem:validation";
    pub const UNAUTHENTICATED: &str = "urn:gatehouse:problem:unauthenticated";
    pub const FORBIDDEN: &str = "urn:gatehouse:problem:forbidden";
    pub const NOT_FOUND: &str = "urn:gatehouse:problem:not-found";
    /// A link's secret that worked once and does not any more (used, replaced, revoked,
    /// expired): ask for a new one.
    pub const GONE: &str = "urn:gatehouse:problem:gone";
    pub const METHOD_NOT_ALLOWED: &str = "urn:gatehouse:problem:method-not-allowed";
    pub const CONFLICT: &str = "urn:gatehouse:problem:conflict";
    pub const STALE_VERSION: &str = "urn:gatehouse:problem:stale-version";
    pub const PRECONDITION_REQUIRED: &str = "urn:gatehouse:problem:precondition-required";
    pub const PAYLOAD_TOO_LARGE: &str = "urn:gatehouse:problem:payload-too-large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "urn:gatehouse:problem:unsupported-media-type";
    pub const TOO_MANY_REQUESTS: &str = "urn:gatehouse:problem:too-many-requests";
    /// The server is too busy (or a request took too long); try again shortly.
    pub const UNAVAILABLE: &str = "urn:gatehouse:problem:unavailable";
    /// The action needs a recent confirmation of identity: `POST /auth/me/confirm`,
    /// then repeat the request.
    pub const CONFIRM_IDENTITY: &str = "urn:gatehouse:problem:confirm-identity";
    /// The session must change its password first.
    pub const PASSWORD_CHANGE_REQUIRED: &str = "urn:gatehouse:problem:password-change-required";
    /// The session must set up a second factor first.
    pub const MFA_ENROLMENT_REQUIRED: &str = "urn:gatehouse:problem:mfa-enrolment-required";
    pub const INTERNAL: &str = "urn:gatehouse:problem:internal";
}
