//! Users: the model, the requests that change them and the list query.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::query::{QueryPairs, SortOrder};
use crate::validation::{self as rules, clean, Report};
use crate::version::etag;
use crate::FieldError;

/// A person (or robot) who can sign in to a tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub tenant_id: String,
    pub email: String,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub status: UserStatus,
    /// Why the status was last changed, as the administrator wrote it.
    pub status_reason: Option<String>,
    pub identity_source: IdentitySource,
    /// A person, or a service account that only acts through API keys.
    #[serde(default)]
    pub kind: UserKind,
    pub email_verified: bool,
    pub mfa_enabled: bool,
    /// The user must choose a new password at their next sign-in.
    pub require_password_change: bool,
    pub custom_attributes: BTreeMap<String, String>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub last_login_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub password_changed_at: Option<DateTime<Utc>>,
    /// Increases with every change; send it back as `If-Match` to update safely.
    pub version: i64,
}

impl User {
    /// The name to show: display name, else first and last name, else the email.
    pub fn name(&self) -> String {
        if let Some(name) = self.display_name.as_deref().filter(|n| !n.is_empty()) {
            return name.to_owned();
        }
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if full.is_empty() {
            self.email.clone()
        } else {
            full
        }
    }

    /// The `ETag` of this version of the user.
    pub fn etag(&self) -> String {
        etag(self.version)
    }
}

/// A user named from elsewhere (a role's holders).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: Uuid,
    pub email: String,
    /// Display name, else first and last name, else the email.
    pub name: String,
}

impl From<&User> for UserRef {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            name: user.name(),
        }
    }
}

/// Where a user is in their lifecycle. Only `ACTIVE` users can sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    Active,
    PendingEmailVerification,
    PendingApproval,
    Disabled,
    Locked,
}

impl UserStatus {
    pub const ALL: [UserStatus; 5] = [
        UserStatus::Active,
        UserStatus::PendingEmailVerification,
        UserStatus::PendingApproval,
        UserStatus::Disabled,
        UserStatus::Locked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::PendingEmailVerification => "PENDING_EMAIL_VERIFICATION",
            UserStatus::PendingApproval => "PENDING_APPROVAL",
            UserStatus::Disabled => "DISABLED",
            UserStatus::Locked => "LOCKED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// A short human label.
    pub const fn label(self) -> &'static str {
        match self {
            UserStatus::Active => "Active",
            UserStatus::PendingEmailVerification => "Email unverified",
            UserStatus::PendingApproval => "Awaiting approval",
            UserStatus::Disabled => "Disabled",
            UserStatus::Locked => "Locked",
        }
    }
}

/// Who a user is: a person who signs in, or a service account that exists to own API
/// keys and can never sign in interactively (it has no password).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserKind {
    #[default]
    Person,
    Service,
}

impl UserKind {
    pub const ALL: [UserKind; 2] = [UserKind::Person, UserKind::Service];

    pub const fn as_str(self) -> &'static str {
        match self {
            UserKind::Person => "PERSON",
            UserKind::Service => "SERVICE",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            UserKind::Person => "Person",
            UserKind::Service => "Service account",
        }
    }
}

/// The domain of the addresses given to service accounts created without one: it is
/// reserved (RFC 2606), so no mail can ever be delivered there.
pub const SERVICE_ACCOUNT_DOMAIN: &str = "service-accounts.invalid";

/// Where a user's identity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentitySource {
    Local,
    Oidc,
    Saml,
    Scim,
    Ldap,
}

impl IdentitySource {
    pub const ALL: [IdentitySource; 5] = [
        IdentitySource::Local,
        IdentitySource::Oidc,
        IdentitySource::Saml,
        IdentitySource::Scim,
        IdentitySource::Ldap,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            IdentitySource::Local => "LOCAL",
            IdentitySource::Oidc => "OIDC",
            IdentitySource::Saml => "SAML",
            IdentitySource::Scim => "SCIM",
            IdentitySource::Ldap => "LDAP",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            IdentitySource::Local => "Local",
            IdentitySource::Oidc => "OIDC",
            IdentitySource::Saml => "SAML",
            IdentitySource::Scim => "SCIM",
            IdentitySource::Ldap => "LDAP",
        }
    }
}

/// `POST /users`: a new local user. Without a password the user cannot sign in until
/// an administrator sets one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Required for people; a service account without one gets an address at
    /// `service-accounts.invalid`.
    #[serde(default)]
    pub email: String,
    /// `SERVICE` for an account that owns API keys and never signs in (no password,
    /// no welcome mail).
    #[serde(default)]
    pub kind: UserKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Write-only: hashed with Argon2id, never returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default)]
    pub require_password_change: bool,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default)]
    pub custom_attributes: BTreeMap<String, String>,
    /// Mail them a link to choose their password (instead of, or besides, setting one).
    #[serde(default)]
    pub send_welcome_email: bool,
}

/// The optional profile fields every user form shares, trimmed, for checking.
struct Profile<'a> {
    username: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    display_name: Option<&'a str>,
    phone: Option<&'a str>,
    locale: Option<&'a str>,
    timezone: Option<&'a str>,
    custom_attributes: Option<&'a BTreeMap<String, String>>,
}

impl Profile<'_> {
    fn check(&self, report: &mut Report) {
        report
            .check_opt("username", self.username, rules::username)
            .check_opt("first_name", self.first_name, rules::person_name)
            .check_opt("last_name", self.last_name, rules::person_name)
            .check_opt("display_name", self.display_name, rules::display_name)
            .check_opt("phone", self.phone, rules::phone)
            .check_opt("locale", self.locale, rules::locale)
            .check_opt("timezone", self.timezone, rules::timezone)
            .check_opt(
                "custom_attributes",
                self.custom_attributes,
                custom_attributes_rule,
            );
    }
}

/// At most 50 attributes, keys of 1–64 characters, values of at most 1,000.
pub fn custom_attributes_rule(attributes: &BTreeMap<String, String>) -> rules::Rule {
    if attributes.len() > 50 {
        return Err("At most 50 custom attributes.".into());
    }
    for (key, value) in attributes {
        if key.is_empty() || key.chars().count() > 64 {
            return Err("Attribute names have 1 to 64 characters.".into());
        }
        if value.chars().count() > 1000 {
            return Err(format!(
                "The value of {key} is longer than 1,000 characters."
            ));
        }
    }
    Ok(())
}

impl CreateUser {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        let service = self.kind == UserKind::Service;
        if !(service && self.email.trim().is_empty()) {
            report.check("email", rules::email(&self.email));
        }
        if service {
            if self.password.is_some() {
                report.check(
                    "password",
                    Err("Service accounts have no password: they act through API keys.".into()),
                );
            }
            if self.send_welcome_email {
                report.check(
                    "send_welcome_email",
                    Err("Service accounts never sign in, so there is no link to send.".into()),
                );
            }
            if clean(&self.display_name).is_none() {
                report.check(
                    "display_name",
                    Err(
                        "Name the service account after what it is for, such as \"CI deploy\"."
                            .into(),
                    ),
                );
            }
        }
        Profile {
            username: clean(&self.username),
            first_name: clean(&self.first_name),
            last_name: clean(&self.last_name),
            display_name: clean(&self.display_name),
            phone: clean(&self.phone),
            locale: clean(&self.locale),
            timezone: clean(&self.timezone),
            custom_attributes: Some(&self.custom_attributes),
        }
        .check(&mut report);
        report.check_opt("password", self.password.as_deref(), |p| {
            rules::password(p, &self.email)
        });
        report.finish()
    }
}

/// `PATCH /users/{id}`: only the fields present change. For optional text fields an
/// empty string clears the value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_password_change: Option<bool>,
    /// Replaces all custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<BTreeMap<String, String>>,
}

impl UpdateUser {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report.check_opt("email", self.email.as_deref(), rules::email);
        Profile {
            username: clean(&self.username),
            first_name: clean(&self.first_name),
            last_name: clean(&self.last_name),
            display_name: clean(&self.display_name),
            phone: clean(&self.phone),
            locale: clean(&self.locale),
            timezone: clean(&self.timezone),
            custom_attributes: self.custom_attributes.as_ref(),
        }
        .check(&mut report);
        report.finish()
    }

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// `PUT /users/{id}/status`: enable, disable, lock or unlock a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeStatus {
    /// `ACTIVE`, `DISABLED` or `LOCKED`; pending states are reached only through sign-up flows.
    pub status: UserStatus,
    #[serde(default)]
    pub reason: Option<String>,
    /// Accepted for compatibility; ignored. Disabling or locking a user always ends
    /// every session they have, and enabling them again brings none back.
    #[serde(default)]
    pub terminate_sessions: bool,
}

impl ChangeStatus {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if !matches!(
            self.status,
            UserStatus::Active | UserStatus::Disabled | UserStatus::Locked
        ) {
            report.check("status", Err("Choose Active, Disabled or Locked.".into()));
        }
        report.check_opt("reason", self.reason.as_deref(), rules::reason);
        report.finish()
    }
}

/// How an administrator resets a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PasswordResetMethod {
    /// The administrator sets the new password.
    Set,
    /// The user gets an email with a single-use link to choose one.
    Email,
}

/// `POST /users/{id}/password/reset`. Setting a password signs the user out everywhere;
/// so does using the emailed link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub method: PasswordResetMethod,
    /// Write-only; with `SET` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<String>,
    /// Ask the user to choose their own password at the next sign-in (`SET` only).
    #[serde(default)]
    pub require_password_change: bool,
}

impl ResetPassword {
    pub fn validate(&self, email: &str) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        match (self.method, self.new_password.as_deref()) {
            (PasswordResetMethod::Set, Some(password)) => {
                report.check("new_password", rules::password(password, email));
            }
            (PasswordResetMethod::Set, None) => {
                report.check("new_password", Err("Enter the new password.".into()));
            }
            (PasswordResetMethod::Email, Some(_)) => {
                report.check(
                    "new_password",
                    Err("A reset by email lets the user choose; send no password.".into()),
                );
            }
            (PasswordResetMethod::Email, None) => {}
        }
        report.finish()
    }
}

/// Columns the users list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserSortBy {
    #[default]
    CreatedAt,
    LastLoginAt,
    Email,
    DisplayName,
}

impl UserSortBy {
    pub const fn as_str(self) -> &'static str {
        match self {
            UserSortBy::CreatedAt => "created_at",
            UserSortBy::LastLoginAt => "last_login_at",
            UserSortBy::Email => "email",
            UserSortBy::DisplayName => "display_name",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::CreatedAt,
            Self::LastLoginAt,
            Self::Email,
            Self::DisplayName,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    /// The natural direction: newest first for times, A to Z for text.
    pub const fn default_order(self) -> SortOrder {
        match self {
            UserSortBy::CreatedAt | UserSortBy::LastLoginAt => SortOrder::Desc,
            UserSortBy::Email | UserSortBy::DisplayName => SortOrder::Asc,
        }
    }
}

/// `GET /users` query: the same struct describes the console's URL, so a link to a
/// filtered list is a link to the same API query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 25, at most 200).
    pub per_page: Option<u32>,
    /// Case-insensitive match on email, username, first, last and display name.
    pub search: Option<String>,
    pub status: Option<UserStatus>,
    pub identity_source: Option<IdentitySource>,
    /// People only, or service accounts only.
    pub kind: Option<UserKind>,
    pub mfa_enabled: Option<bool>,
    pub sort_by: Option<UserSortBy>,
    pub sort_order: Option<SortOrder>,
    /// Only members of this group.
    pub group_id: Option<Uuid>,
    /// Only users holding this role, directly or through a group.
    pub role_id: Option<Uuid>,
}

crate::paged_query!(UserListQuery, sorted by UserSortBy);

impl UserListQuery {
    /// 422 for a search the server will not run (too long, too many words, control
    /// characters).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        Report::new()
            .check_opt("search", self.search.as_deref(), rules::search)
            .finish()
    }

    /// Reads the query from decoded `key=value` pairs, ignoring what it cannot parse
    /// (a hand-edited URL should still show a list).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => q.page = value.parse().ok(),
                "per_page" => q.per_page = value.parse().ok(),
                "search" => q.search = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "status" => q.status = UserStatus::parse(value),
                "identity_source" => q.identity_source = IdentitySource::parse(value),
                "kind" => q.kind = UserKind::parse(value),
                "mfa_enabled" => q.mfa_enabled = value.parse().ok(),
                "sort_by" => q.sort_by = UserSortBy::parse(value),
                "sort_order" => q.sort_order = SortOrder::parse(value),
                "group_id" => q.group_id = value.parse().ok(),
                "role_id" => q.role_id = value.parse().ok(),
                _ => {}
            }
        }
        q
    }

    /// The query as decoded pairs, leaving out what is unset.
    pub fn to_pairs(&self) -> QueryPairs {
        let mut pairs = QueryPairs::default();
        pairs
            .push_opt("search", self.search_term())
            .push_opt("status", self.status.map(UserStatus::as_str))
            .push_opt(
                "identity_source",
                self.identity_source.map(IdentitySource::as_str),
            )
            .push_opt("kind", self.kind.map(UserKind::as_str))
            .push_opt("mfa_enabled", self.mfa_enabled)
            .push_opt("sort_by", self.sort_by.map(UserSortBy::as_str))
            .push_opt("sort_order", self.sort_order.map(SortOrder::as_str))
            .push_opt("group_id", self.group_id)
            .push_opt("role_id", self.role_id)
            .push_opt("page", self.page.filter(|&p| p > 1))
            .push_opt("per_page", self.per_page);
        pairs
    }
}

deserialize_by_wire_name!(
    UserStatus,
    [
        "ACTIVE",
        "PENDING_EMAIL_VERIFICATION",
        "PENDING_APPROVAL",
        "DISABLED",
        "LOCKED"
    ]
);
deserialize_by_wire_name!(UserKind, ["PERSON", "SERVICE"]);
deserialize_by_wire_name!(IdentitySource, ["LOCAL", "OIDC", "SAML", "SCIM", "LDAP"]);

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: Uuid::nil(),
            tenant_id: "default".into(),
            email: "ada@example.com".into(),
            username: Some("ada".into()),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            display_name: None,
            phone: None,
            locale: Some("en-GB".into()),
            timezone: Some("Europe/London".into()),
            status: UserStatus::PendingEmailVerification,
            status_reason: None,
            identity_source: IdentitySource::Saml,
            kind: UserKind::Person,
            email_verified: false,
            mfa_enabled: true,
            require_password_change: false,
            custom_attributes: BTreeMap::from([("team".into(), "engines".into())]),
            created_at: "2026-01-02T03:04:05Z".parse().unwrap(),
            updated_at: "2026-01-02T03:04:05Z".parse().unwrap(),
            last_login_at: None,
            password_changed_at: Some("2026-02-02T00:00:00.123Z".parse().unwrap()),
            version: 3,
        }
    }

    #[test]
    fn user_round_trips_with_wire_names() {
        let u = user();
        let json = serde_json::to_value(&u).unwrap();
        assert_eq!(json["status"], "PENDING_EMAIL_VERIFICATION");
        assert_eq!(json["identity_source"], "SAML");
        assert_eq!(json["created_at"], "2026-01-02T03:04:05Z");
        assert_eq!(serde_json::from_value::<User>(json).unwrap(), u);
        assert_eq!(u.name(), "Ada Lovelace");
        assert_eq!(u.etag(), "\"3\"");
    }

    #[test]
    fn requests_reject_unknown_fields() {
        let err =
            serde_json::from_str::<CreateUser>(r#"{"email":"a@b.co","admin":true}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `admin`"));
        assert!(serde_json::from_str::<UpdateUser>(r#"{"status":"ACTIVE"}"#).is_err());
    }

    #[test]
    fn requests_round_trip() {
        let create = CreateUser {
            email: "a@b.co".into(),
            password: Some("correct horse battery".into()),
            require_password_change: true,
            ..Default::default()
        };
        let json = serde_json::to_string(&create).unwrap();
        assert_eq!(serde_json::from_str::<CreateUser>(&json).unwrap(), create);
        let patch = UpdateUser {
            display_name: Some("Ada".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"display_name":"Ada"}"#
        );
        let status = ChangeStatus {
            status: UserStatus::Disabled,
            reason: Some("left".into()),
            terminate_sessions: true,
        };
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(serde_json::from_str::<ChangeStatus>(&json).unwrap(), status);
        let reset: ResetPassword =
            serde_json::from_str(r#"{"method":"SET","new_password":"correct horse battery"}"#)
                .unwrap();
        assert_eq!(reset.method, PasswordResetMethod::Set);
        assert_eq!(reset.validate("ada@example.com"), Ok(()));
        let email: ResetPassword = serde_json::from_str(r#"{"method":"EMAIL"}"#).unwrap();
        assert_eq!(email.validate("ada@example.com"), Ok(()));
        let both: ResetPassword =
            serde_json::from_str(r#"{"method":"EMAIL","new_password":"x"}"#).unwrap();
        assert_eq!(
            both.validate("a@b.co").unwrap_err()[0].field,
            "new_password"
        );
        assert!(serde_json::from_str::<ResetPassword>(r#"{"method":"FAX"}"#).is_err());
    }

    #[test]
    fn create_validation_names_each_field() {
        let bad = CreateUser {
            email: "nope".into(),
            username: Some("a b".into()),
            phone: Some("12".into()),
            password: Some("short".into()),
            ..Default::default()
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["email", "username", "phone", "password"]);
        let blank_optional = CreateUser {
            email: "a@b.co".into(),
            username: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(blank_optional.validate(), Ok(()));
    }

    #[test]
    fn status_change_only_to_settable_states() {
        let pending = ChangeStatus {
            status: UserStatus::PendingApproval,
            reason: None,
            terminate_sessions: false,
        };
        assert_eq!(pending.validate().unwrap_err()[0].field, "status");
    }

    #[test]
    fn list_query_survives_a_round_trip_through_pairs() {
        let q = UserListQuery {
            page: Some(3),
            per_page: Some(50),
            search: Some("ada lovelace".into()),
            status: Some(UserStatus::Locked),
            identity_source: Some(IdentitySource::Oidc),
            kind: Some(UserKind::Service),
            mfa_enabled: Some(false),
            sort_by: Some(UserSortBy::LastLoginAt),
            sort_order: Some(SortOrder::Asc),
            group_id: Some(Uuid::from_u128(7)),
            role_id: None,
        };
        let pairs = q.to_pairs();
        let back = UserListQuery::from_pairs(pairs.iter());
        assert_eq!(back, q);
        assert_eq!(
            pairs.to_query_string(),
            "search=ada%20lovelace&status=LOCKED&identity_source=OIDC&kind=SERVICE&mfa_enabled=false&sort_by=last_login_at&sort_order=asc&group_id=00000000-0000-0000-0000-000000000007&page=3&per_page=50"
        );
    }

    #[test]
    fn list_query_defaults_and_clamps() {
        let q = UserListQuery::from_pairs([
            ("page", "0"),
            ("per_page", "5000"),
            ("status", "BOGUS"),
            ("x", "y"),
        ]);
        assert_eq!((q.page(), q.per_page(), q.status), (1, 200, None));
        assert_eq!(q.sort_by(), UserSortBy::CreatedAt);
        assert_eq!(q.sort_order(), SortOrder::Desc);
        assert_eq!(
            UserListQuery {
                sort_by: Some(UserSortBy::Email),
                ..Default::default()
            }
            .sort_order(),
            SortOrder::Asc
        );
        assert!(UserListQuery::default().to_pairs().is_empty());
    }

    #[test]
    fn list_query_deserialises_from_a_query_string() {
        let q: UserListQuery =
            serde_json::from_value(serde_json::json!({"status": "ACTIVE", "sort_by": "email"}))
                .unwrap();
        assert_eq!(q.status, Some(UserStatus::Active));
        assert!(
            serde_json::from_value::<UserListQuery>(serde_json::json!({"status": "SLEEPING"}))
                .is_err()
        );
    }
}
