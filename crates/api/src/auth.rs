//! Signing in, the signed-in identity, and first-run setup.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::users::User;
use crate::validation::{self as rules, Report};
use crate::{FieldError, Permission};

/// `POST /auth/login`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The tenant to sign in to; the default tenant when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// A bearer token and who it signs in. The token is shown only here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub permissions: BTreeSet<Permission>,
}

/// `GET /auth/me`: the signed-in user and what they may do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    /// Effective permissions: the union of the user's roles, direct and through groups.
    pub permissions: BTreeSet<Permission>,
}

impl Me {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

impl From<LoginResponse> for Me {
    fn from(login: LoginResponse) -> Self {
        Me {
            user: login.user,
            permissions: login.permissions,
        }
    }
}

/// `GET /setup`: whether the installation still needs its first administrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupStatus {
    pub required: bool,
}

/// `POST /setup`: creates the first administrator with the one-time setup token the
/// server printed at start, and signs them in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub token: String,
    pub email: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl SetupRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report
            .check("email", rules::email(&self.email))
            .check("password", rules::password(&self.password, &self.email))
            .check_opt(
                "display_name",
                crate::users::clean(&self.display_name),
                rules::display_name,
            );
        if self.token.trim().is_empty() {
            report.check(
                "token",
                Err("Open the setup link the server printed at start.".into()),
            );
        }
        report.finish()
    }
}

/// One entry of `GET /permissions`: the catalogue with descriptions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermissionInfo {
    pub name: Permission,
    pub area: String,
    pub description: String,
}

impl From<Permission> for PermissionInfo {
    fn from(p: Permission) -> Self {
        Self {
            name: p,
            area: p.area().to_owned(),
            description: p.description().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_request_checks_token_and_password() {
        let req = SetupRequest {
            token: " ".into(),
            email: "root@example.com".into(),
            password: "short".into(),
            display_name: None,
        };
        let fields: Vec<_> = req
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["password", "token"]);
    }

    #[test]
    fn me_reports_permissions() {
        let json = serde_json::json!({
            "user": serde_json::from_str::<serde_json::Value>(include_str!("../tests/fixtures/user.json")).unwrap(),
            "permissions": ["users:read", "groups:read"],
        });
        let me: Me = serde_json::from_value(json).unwrap();
        assert!(me.can(Permission::UsersRead));
        assert!(!me.can(Permission::UsersWrite));
        let login = LoginResponse {
            token: "t".into(),
            expires_at: me.user.created_at,
            user: me.user.clone(),
            permissions: me.permissions.clone(),
        };
        let back: LoginResponse =
            serde_json::from_str(&serde_json::to_string(&login).unwrap()).unwrap();
        assert_eq!(Me::from(back), me);
    }
}
