//! The audit log: one event for every change made through the API and every sign-in,
//! written in the same transaction as the change, never altered afterwards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::query::QueryPairs;
use crate::validation::{self as rules, Report};
use crate::{FieldError, Meta};

/// Defines the actions from one table: variant, wire name and label. Nothing about an
/// action is written anywhere else, so none can be left out of [`AuditAction::ALL`].
macro_rules! actions {
    ($($variant:ident = $name:literal, $label:literal;)*) => {
        /// What an event records. Serialised as `area.verb`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum AuditAction {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl AuditAction {
            const COUNT: usize = [$(AuditAction::$variant),*].len();

            /// Every action, grouped by area.
            pub const ALL: [AuditAction; Self::COUNT] = [$(AuditAction::$variant),*];

            /// The wire name, `area.verb`.
            pub const fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $name,)* }
            }

            /// What happened, in an administrator's words.
            pub const fn label(self) -> &'static str {
                match self { $(AuditAction::$variant => $label,)* }
            }
        }
    };
}

actions! {
    UserCreated = "user.created", "User created";
    UserUpdated = "user.updated", "User edited";
    UserStatusChanged = "user.status_changed", "User status changed";
    UserDeleted = "user.deleted", "User deleted";
    UserPasswordSet = "user.password_set", "Password set by an administrator";
    UserPasswordLinkSent = "user.password_link_sent", "Password link sent";
    UserMfaDisabled = "user.mfa_disabled", "Two-step sign-in turned off";
    UserRolesChanged = "user.roles_changed", "User's roles changed";
    GroupCreated = "group.created", "Group created";
    GroupUpdated = "group.updated", "Group edited";
    GroupDeleted = "group.deleted", "Group deleted";
    GroupMembersAdded = "group.members_added", "Members added";
    GroupMembersRemoved = "group.members_removed", "Members removed";
    RoleCreated = "role.created", "Role created";
    RoleUpdated = "role.updated", "Role edited";
    RoleDeleted = "role.deleted", "Role deleted";
    InviteCreated = "invite.created", "Invite sent";
    InviteResent = "invite.resent", "Invite sent again";
    InviteRevoked = "invite.revoked", "Invite revoked";
    InviteAccepted = "invite.accepted", "Invite accepted";
    ApiKeyCreated = "api_key.created", "API key created";
    ApiKeyUpdated = "api_key.updated", "API key renamed";
    ApiKeyRevoked = "api_key.revoked", "API key revoked";
    SsoConnectionCreated = "sso.created", "SSO connection created";
    SsoConnectionUpdated = "sso.updated", "SSO connection edited";
    SsoConnectionDeleted = "sso.deleted", "SSO connection deleted";
    SettingsUpdated = "settings.updated", "Settings changed";
    SignedIn = "auth.signed_in", "Signed in";
    SignInFailed = "auth.sign_in_failed", "Sign-in failed";
    LockedOut = "auth.locked_out", "Sign-in blocked after failures";
    SignedOut = "auth.signed_out", "Signed out";
    OtherSessionsEnded = "auth.other_sessions_ended", "Other sessions ended";
    PasswordChanged = "auth.password_changed", "Own password changed";
    PasswordReset = "auth.password_reset", "Password reset by link";
    MfaEnabled = "auth.mfa_enabled", "Two-step sign-in turned on";
    MfaTurnedOff = "auth.mfa_turned_off", "Own two-step sign-in turned off";
    RecoveryCodesReplaced = "auth.recovery_codes_replaced", "Recovery codes replaced";
}

/// The schema names the wire values (`user.created`), which the derive cannot see
/// through the table macro.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AuditAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("What an event records, `area.verb`."))
            .enum_values(Some(AuditAction::ALL.iter().map(|a| a.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AuditAction {}

deserialize_by_wire_name!(AuditAction, named_by as_str);

impl AuditAction {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// The kind of thing an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetType {
    User,
    Group,
    Role,
    Invite,
    ApiKey,
    SsoConnection,
    Tenant,
}

deserialize_by_wire_name!(TargetType, named_by as_str);

impl TargetType {
    pub const ALL: [TargetType; 7] = [
        TargetType::User,
        TargetType::Group,
        TargetType::Role,
        TargetType::Invite,
        TargetType::ApiKey,
        TargetType::SsoConnection,
        TargetType::Tenant,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            TargetType::User => "user",
            TargetType::Group => "group",
            TargetType::Role => "role",
            TargetType::Invite => "invite",
            TargetType::ApiKey => "api_key",
            TargetType::SsoConnection => "sso_connection",
            TargetType::Tenant => "tenant",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            TargetType::User => "User",
            TargetType::Group => "Group",
            TargetType::Role => "Role",
            TargetType::Invite => "Invite",
            TargetType::ApiKey => "API key",
            TargetType::SsoConnection => "SSO connection",
            TargetType::Tenant => "Settings",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// Who acted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A signed-in person (or someone signing in, for sign-in events).
    User { id: Uuid, name: String },
    /// An API key, acting as its owner.
    ApiKey {
        id: Uuid,
        name: String,
        owner_id: Uuid,
        owner_name: String,
    },
    /// The server itself (first administrator from the environment, SSO provisioning).
    System,
    /// Nobody known: a failed sign-in for an address that matches no one.
    Anonymous,
}

impl Actor {
    /// The person behind the action, when there is one.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::ApiKey { owner_id, .. } => Some(*owner_id),
            Actor::System | Actor::Anonymous => None,
        }
    }
}

/// What an event is about, named as it was then (the thing may be gone since).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    #[serde(rename = "type")]
    pub kind: TargetType,
    pub id: String,
    pub name: String,
}

/// One field an event changed. A secret's values are never recorded: `secret` is true
/// and both values are absent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

impl Change {
    /// A secret that changed; what it was or became is not recorded.
    pub fn secret(field: &str) -> Self {
        Self {
            field: field.to_owned(),
            before: None,
            after: None,
            secret: true,
        }
    }
}

/// The cursor of the page that follows `event`.
pub fn cursor_after(event: &AuditEvent) -> String {
    format!("{}.{}", event.occurred_at.timestamp_millis(), event.id)
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Increases with every event recorded.
    pub id: i64,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    pub action: AuditAction,
    pub target: Target,
    pub changes: Vec<Change>,
    pub reason: Option<String>,
    /// The request that made the change; a bulk action's events share one.
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

/// `{"data": [...], "next_cursor": ..., "meta": ...}`: a page of events, newest first.
/// `next_cursor` fetches the next (older) page; events that arrive meanwhile never
/// shift it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub data: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
    pub meta: Meta,
}

/// `GET /audit`: filters, and where the page starts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Events by this person (directly or through one of their API keys).
    pub actor_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub target_type: Option<TargetType>,
    pub target_id: Option<String>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub to: Option<DateTime<Utc>>,
    /// Case-insensitive match on actor and target names, reason and changed values.
    pub search: Option<String>,
    /// Events of one request (a bulk action's events share one).
    pub request_id: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Events per page (default 50, at most 200).
    pub per_page: Option<u32>,
}

/// Page size of the audit list when the client does not ask for one.
pub const DEFAULT_AUDIT_PER_PAGE: u32 = 50;

impl AuditQuery {
    pub fn per_page(&self) -> u32 {
        self.per_page
            .unwrap_or(DEFAULT_AUDIT_PER_PAGE)
            .clamp(1, crate::MAX_PER_PAGE)
    }

    pub fn search_term(&self) -> Option<&str> {
        rules::clean(&self.search)
    }

    /// Where the page starts: below this (time in ms, event id).
    pub fn position(&self) -> Option<(i64, i64)> {
        let (time, id) = self.cursor.as_deref()?.split_once('.')?;
        Some((time.parse().ok()?, id.parse().ok()?))
    }

    /// 422 for a cursor this server did not hand out, a reversed time range, or a
    /// search it will not run.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report.check_opt("search", self.search.as_deref(), rules::search);
        if self.cursor.is_some() && self.position().is_none() {
            report.check(
                "cursor",
                Err("Use the next_cursor of a previous page.".into()),
            );
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from >= to {
                report.check("to", Err("The end must come after the start.".into()));
            }
        }
        report.finish()
    }

    /// Reads the query from decoded `key=value` pairs, ignoring what it cannot parse.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (key, value) in pairs {
            let text = || Some(value.to_owned()).filter(|v| !v.is_empty());
            match key {
                "actor_id" => q.actor_id = value.parse().ok(),
                "action" => q.action = AuditAction::parse(value),
                "target_type" => q.target_type = TargetType::parse(value),
                "target_id" => q.target_id = text(),
                "from" => q.from = crate::timestamp::read(value),
                "to" => q.to = crate::timestamp::read(value),
                "search" => q.search = text(),
                "request_id" => q.request_id = text(),
                "cursor" => q.cursor = text(),
                "per_page" => q.per_page = value.parse().ok(),
                _ => {}
            }
        }
        q
    }

    /// The query as decoded pairs, leaving out what is unset.
    pub fn to_pairs(&self) -> QueryPairs {
        let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut pairs = QueryPairs::default();
        pairs
            .push_opt("actor_id", self.actor_id)
            .push_opt("action", self.action.map(AuditAction::as_str))
            .push_opt("target_type", self.target_type.map(TargetType::as_str))
            .push_opt("target_id", self.target_id.as_deref())
            .push_opt("from", self.from.map(stamp))
            .push_opt("to", self.to.map(stamp))
            .push_opt("search", self.search_term())
            .push_opt("request_id", self.request_id.as_deref())
            .push_opt("cursor", self.cursor.as_deref())
            .push_opt("per_page", self.per_page);
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_by_wire_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
        }
    }

    #[test]
    fn query_survives_the_address_bar() {
        let query = AuditQuery {
            actor_id: Some(Uuid::nil()),
            action: Some(AuditAction::UserUpdated),
            target_type: Some(TargetType::User),
            target_id: Some("abc".into()),
            from: "2026-01-02T03:04:05Z".parse().ok(),
            search: Some("grace".into()),
            cursor: Some("1767225600000.42".into()),
            ..AuditQuery::default()
        };
        let back = AuditQuery::from_pairs(query.to_pairs().iter());
        assert_eq!(back, query);
    }

    #[test]
    fn a_cursor_not_handed_out_and_a_reversed_range_are_refused() {
        let bad = AuditQuery {
            cursor: Some("abc".into()),
            from: "2026-01-02T00:00:00Z".parse().ok(),
            to: "2026-01-01T00:00:00Z".parse().ok(),
            ..AuditQuery::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["cursor", "to"]);
    }
}
