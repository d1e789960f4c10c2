//! Signing in, the signed-in identity, and first-run setup.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// Something a session must do before it can do anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// An administrator asked the user to choose a new password.
    PasswordChange,
    /// The tenant's policy requires a second factor, and the user has none yet.
    MfaEnrolment,
}

deserialize_by_wire_name!(Requirement, ["password_change", "mfa_enrolment"]);

impl Requirement {
    pub const ALL: [Requirement; 2] = [Requirement::PasswordChange, Requirement::MfaEnrolment];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Requirement::PasswordChange => "password_change",
            Requirement::MfaEnrolment => "mfa_enrolment",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// What the user is asked to do, in their words.
    pub const fn explanation(self) -> &'static str {
        match self {
            Requirement::PasswordChange => {
                "Choose a new password before you continue: an administrator asked you to."
            }
            Requirement::MfaEnrolment => {
                "Set up two-step sign-in before you continue: your organisation requires it."
            }
        }
    }
}

/// A bearer token and who it signs in. The token is shown only here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub permissions: BTreeSet<Permission>,
    /// What the session must do first; until then every other endpoint answers 403.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
}

/// The password was right and the account has a second factor: sign-in continues with
/// `POST /auth/login/mfa` and this challenge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaChallenge {
    /// Single use, valid for a few minutes.
    pub challenge: String,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub expires_at: DateTime<Utc>,
}

/// The answer to `POST /auth/login`: a session, or the second step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "step", rename_all = "snake_case", try_from = "LoginStepFields")]
pub enum LoginStep {
    SignedIn(Box<LoginResponse>),
    MfaRequired(MfaChallenge),
}

/// Every field either step may have, read in one pass. serde's own reading of an
/// internally tagged enum buffers the whole object first, which puts a second copy of
/// every field's reader (a `User`'s among them) in the console's first download.
#[derive(Deserialize)]
struct LoginStepFields {
    step: StepName,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    expires_at: DateTime<Utc>,
    token: Option<String>,
    user: Option<User>,
    permissions: Option<BTreeSet<Permission>>,
    requirement: Option<Requirement>,
    challenge: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StepName {
    SignedIn,
    MfaRequired,
}

impl TryFrom<LoginStepFields> for LoginStep {
    type Error = &'static str;

    fn try_from(fields: LoginStepFields) -> Result<Self, Self::Error> {
        let expires_at = fields.expires_at;
        Ok(match fields.step {
            StepName::SignedIn => LoginStep::SignedIn(Box::new(LoginResponse {
                token: fields.token.ok_or("missing field `token`")?,
                expires_at,
                user: fields.user.ok_or("missing field `user`")?,
                permissions: fields.permissions.ok_or("missing field `permissions`")?,
                requirement: fields.requirement,
            })),
            StepName::MfaRequired => LoginStep::MfaRequired(MfaChallenge {
                challenge: fields.challenge.ok_or("missing field `challenge`")?,
                expires_at,
            }),
        })
    }
}

/// `POST /auth/login/mfa`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginMfaRequest {
    pub challenge: String,
    /// The six digits the authenticator app shows, or an unused recovery code.
    pub code: String,
}

/// `GET /auth/me`: the signed-in user and what they may do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    /// Effective permissions: the union of the user's roles, direct and through groups.
    pub permissions: BTreeSet<Permission>,
    /// What the session must do before anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    /// Whether the tenant's policy requires this user to have a second factor.
    #[serde(default)]
    pub mfa_required: bool,
}

impl Me {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Permissions `other` holds that this user does not: if any, this user may not
    /// change `other`'s account.
    pub fn lacks_of<'a>(
        &'a self,
        other: &'a BTreeSet<Permission>,
    ) -> impl Iterator<Item = Permission> + 'a {
        other.iter().copied().filter(|p| !self.can(*p))
    }
}

impl From<LoginResponse> for Me {
    fn from(login: LoginResponse) -> Self {
        Me {
            user: login.user,
            permissions: login.permissions,
            requirement: login.requirement,
            mfa_required: false,
        }
    }
}

/// `POST /auth/me/password`: a signed-in user changes their own password. Other
/// sessions of the user end; this one goes on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// Write-only.
    pub current_password: String,
    /// Write-only.
    pub new_password: String,
}

impl ChangePassword {
    pub fn validate(&self, email: &str) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if self.current_password.is_empty() {
            report.check(
                "current_password",
                Err("Enter your current password.".into()),
            );
        }
        report.check("new_password", rules::password(&self.new_password, email));
        if !self.new_password.is_empty() && self.new_password == self.current_password {
            report.check(
                "new_password",
                Err("Choose a password different from the current one.".into()),
            );
        }
        report.finish()
    }
}

/// `POST /auth/me/confirm`: proves again who is at the keyboard, before a dangerous
/// action. One of the two.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A current code from the authenticator app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Until when a confirmation covers dangerous actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Confirmed {
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub valid_until: DateTime<Utc>,
}

/// A QR code as its modules, row by row, so the console can draw it as SVG without
/// any image decoding: `size` rows of `size` characters, `1` dark and `0` light.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QrModules {
    pub size: u32,
    pub rows: Vec<String>,
}

/// `POST /auth/me/mfa/totp`: a new authenticator secret, not active until confirmed
/// with a first code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    /// The key in base32, for typing into an app by hand.
    pub secret: String,
    /// `otpauth://totp/...`, what the QR code holds.
    pub otpauth_uri: String,
    pub qr: QrModules,
}

/// `POST /auth/me/mfa/totp/confirm`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotp {
    pub code: String,
}

/// Single-use codes for signing in without the authenticator app. Shown once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// How many sessions an action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub ended: u64,
}

/// Who must use a second factor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MfaPolicy {
    /// Each user decides.
    #[default]
    Optional,
    /// Every user who signs in with a password.
    Everyone,
    /// Holders of the chosen roles (directly or through a group).
    Roles,
}

deserialize_by_wire_name!(MfaPolicy, named_by as_str);

impl MfaPolicy {
    pub const ALL: [MfaPolicy; 3] = [MfaPolicy::Optional, MfaPolicy::Everyone, MfaPolicy::Roles];

    pub const fn as_str(self) -> &'static str {
        match self {
            MfaPolicy::Optional => "OPTIONAL",
            MfaPolicy::Everyone => "EVERYONE",
            MfaPolicy::Roles => "ROLES",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// `GET /tenants/{id}/settings/security`: the tenant's sign-in policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecuritySettings {
    pub mfa_policy: MfaPolicy,
    /// With `ROLES`: the roles whose holders must use a second factor.
    pub mfa_role_ids: BTreeSet<Uuid>,
    /// The longest an API key may live, in days; `null`: no limit, and keys may
    /// never expire.
    pub api_key_max_days: Option<u32>,
    /// How many days audit events are kept before they are pruned.
    pub audit_retention_days: u32,
    pub version: i64,
}

/// Audit events are kept this long unless the tenant says otherwise.
pub const DEFAULT_AUDIT_RETENTION_DAYS: u32 = 365;
/// The retention a tenant may choose: a day to ten years.
pub const AUDIT_RETENTION_RANGE: std::ops::RangeInclusive<u32> = 1..=3650;

/// `PUT /tenants/{id}/settings/security` (with `If-Match`). Users it newly concerns
/// are asked to set up a second factor at their next sign-in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateSecuritySettings {
    pub mfa_policy: MfaPolicy,
    #[serde(default)]
    pub mfa_role_ids: BTreeSet<Uuid>,
    /// Days (1 to 3650), or `null` for no limit; left as it is when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub api_key_max_days: Option<Option<u32>>,
    /// Days (1 to 3650) audit events are kept; left as it is when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_retention_days: Option<u32>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl UpdateSecuritySettings {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if let Some(Some(days)) = self.api_key_max_days {
            if !(1..=crate::api_keys::MAX_POLICY_DAYS).contains(&days) {
                report.check(
                    "api_key_max_days",
                    Err(format!(
                        "Choose 1 to {} days, or no limit.",
                        crate::api_keys::MAX_POLICY_DAYS
                    )),
                );
            }
        }
        if let Some(days) = self.audit_retention_days {
            if !AUDIT_RETENTION_RANGE.contains(&days) {
                report.check(
                    "audit_retention_days",
                    Err("Keep events for 1 to 3650 days.".into()),
                );
            }
        }
        if self.mfa_policy == MfaPolicy::Roles && self.mfa_role_ids.is_empty() {
            report.check(
                "mfa_role_ids",
                Err("Choose at least one role whose holders must use a second factor.".into()),
            );
        }
        report.check(
            "mfa_role_ids",
            rules::id_count(self.mfa_role_ids.len(), rules::MAX_ROLE_IDS),
        );
        report.finish()
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
                crate::validation::clean(&self.display_name),
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
            requirement: None,
        };
        let back: LoginResponse =
            serde_json::from_str(&serde_json::to_string(&login).unwrap()).unwrap();
        assert_eq!(Me::from(back.clone()), me);
        let signed_in = LoginStep::SignedIn(Box::new(back));
        let step = serde_json::to_value(&signed_in).unwrap();
        assert_eq!(step["step"], "signed_in");
        assert_eq!(step["token"], "t");
        assert_eq!(
            serde_json::from_value::<LoginStep>(step).unwrap(),
            signed_in
        );

        let second = LoginStep::MfaRequired(MfaChallenge {
            challenge: "c".into(),
            expires_at: me.user.created_at,
        });
        let step = serde_json::to_value(&second).unwrap();
        assert_eq!(step["step"], "mfa_required");
        assert_eq!(serde_json::from_value::<LoginStep>(step).unwrap(), second);
        let torn = serde_json::json!({"step": "signed_in", "expires_at": "2026-01-01T00:00:00Z"});
        let error = serde_json::from_value::<LoginStep>(torn).unwrap_err();
        assert!(error.to_string().contains("token"), "{error}");
    }

    #[test]
    fn password_change_needs_the_current_one_and_a_new_one() {
        let same = ChangePassword {
            current_password: "correct horse battery".into(),
            new_password: "correct horse battery".into(),
        };
        let fields: Vec<_> = same
            .validate("ada@example.com")
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["new_password"]);
        let blank = ChangePassword::default();
        assert_eq!(blank.validate("a@b.co").unwrap_err().len(), 2);
    }

    #[test]
    fn mfa_for_roles_needs_roles() {
        let policy = UpdateSecuritySettings {
            mfa_policy: MfaPolicy::Roles,
            mfa_role_ids: BTreeSet::new(),
            ..UpdateSecuritySettings::default()
        };
        assert_eq!(policy.validate().unwrap_err()[0].field, "mfa_role_ids");
        let retention = UpdateSecuritySettings {
            audit_retention_days: Some(0),
            ..UpdateSecuritySettings::default()
        };
        assert_eq!(
            retention.validate().unwrap_err()[0].field,
            "audit_retention_days"
        );
        let read = |json: &str| {
            serde_json::from_str::<UpdateSecuritySettings>(json)
                .unwrap()
                .api_key_max_days
        };
        assert_eq!(read(r#"{"mfa_policy":"OPTIONAL"}"#), None);
        assert_eq!(
            read(r#"{"mfa_policy":"OPTIONAL","api_key_max_days":null}"#),
            Some(None)
        );
        assert_eq!(
            read(r#"{"mfa_policy":"OPTIONAL","api_key_max_days":30}"#),
            Some(Some(30))
        );
        assert_eq!(
            serde_json::to_string(&MfaPolicy::Everyone).unwrap(),
            "\"EVERYONE\""
        );
    }
}
