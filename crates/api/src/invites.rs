//! Invites, the mail that carries them, and password resets by link.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::groups::GroupRef;
use crate::query::{QueryPairs, SortOrder};
use crate::roles::RoleRef;
use crate::users::UserRef;
use crate::validation::{self as rules, clean, Report};
use crate::FieldError;

/// Most addresses one invite request may carry.
pub const MAX_INVITES_PER_REQUEST: usize = 500;
/// Longest an invite may stay open.
pub const MAX_INVITE_DAYS: u32 = 90;
/// How long an invite stays open when the request does not say.
pub const DEFAULT_INVITE_DAYS: u32 = 7;
pub const MESSAGE_MAX_CHARS: usize = 1000;

/// Where an invite is. `EXPIRED` is a pending invite past its expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InviteStatus {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

deserialize_by_wire_name!(InviteStatus, named_by as_str);

impl InviteStatus {
    pub const ALL: [InviteStatus; 4] = [
        InviteStatus::Pending,
        InviteStatus::Accepted,
        InviteStatus::Expired,
        InviteStatus::Revoked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            InviteStatus::Pending => "PENDING",
            InviteStatus::Accepted => "ACCEPTED",
            InviteStatus::Expired => "EXPIRED",
            InviteStatus::Revoked => "REVOKED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            InviteStatus::Pending => "Pending",
            InviteStatus::Accepted => "Accepted",
            InviteStatus::Expired => "Expired",
            InviteStatus::Revoked => "Revoked",
        }
    }
}

/// Where a message is in the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt.
    Queued,
    Sent,
    /// The last attempt failed; `next_attempt_at` says when it is tried again, if ever.
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "QUEUED",
            DeliveryStatus::Sent => "SENT",
            DeliveryStatus::Failed => "FAILED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// What a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MailKind {
    Invite,
    Welcome,
    PasswordReset,
}

impl MailKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            MailKind::Invite => "INVITE",
            MailKind::Welcome => "WELCOME",
            MailKind::PasswordReset => "PASSWORD_RESET",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Invite, Self::Welcome, Self::PasswordReset]
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            MailKind::Invite => "Invitation",
            MailKind::Welcome => "Welcome (set a password)",
            MailKind::PasswordReset => "Password reset link",
        }
    }
}

/// One message: where it is, and what went wrong last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: Uuid,
    pub kind: MailKind,
    pub to: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invite {
    pub id: Uuid,
    pub tenant_id: String,
    pub email: String,
    pub status: InviteStatus,
    /// Granted on acceptance.
    pub roles: Vec<RoleRef>,
    /// Joined on acceptance.
    pub groups: Vec<GroupRef>,
    pub message: Option<String>,
    pub invited_by: Option<UserRef>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub accepted_at: Option<DateTime<Utc>>,
    /// The user the invite became.
    pub user: Option<UserRef>,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// The latest message carrying it; none when mail is not configured.
    pub delivery: Option<Delivery>,
}

/// `POST /invites`: invite up to 500 addresses at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInvites {
    pub emails: Vec<String>,
    #[serde(default)]
    pub role_ids: Vec<Uuid>,
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
    /// Days until the invites expire (default 7, at most 90).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
    /// Or an exact time (within 90 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// A note to include in the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl CreateInvites {
    /// Checks the request as a whole (each address is judged on its own).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if self.emails.is_empty() {
            report.check("emails", Err("Enter at least one email address.".into()));
        }
        report
            .check(
                "emails",
                rules::id_count(self.emails.len(), MAX_INVITES_PER_REQUEST),
            )
            .check(
                "role_ids",
                rules::id_count(self.role_ids.len(), rules::MAX_ROLE_IDS),
            )
            .check(
                "group_ids",
                rules::id_count(self.group_ids.len(), rules::MAX_ROLE_IDS),
            )
            .check_opt("message", clean(&self.message), |m| {
                if m.chars().count() > MESSAGE_MAX_CHARS {
                    Err(format!("At most {MESSAGE_MAX_CHARS} characters."))
                } else {
                    Ok(())
                }
            });
        match (self.expires_in_days, self.expires_at) {
            (Some(_), Some(_)) => {
                report.check(
                    "expires_at",
                    Err("Give the days or the date, not both.".into()),
                );
            }
            (Some(days), None) if !(1..=MAX_INVITE_DAYS).contains(&days) => {
                report.check(
                    "expires_in_days",
                    Err(format!("Choose 1 to {MAX_INVITE_DAYS} days.")),
                );
            }
            (None, Some(at)) if at <= now => {
                report.check("expires_at", Err("Choose a time in the future.".into()));
            }
            (None, Some(at)) if at > now + chrono::Duration::days(MAX_INVITE_DAYS.into()) => {
                report.check(
                    "expires_at",
                    Err(format!("Invites last at most {MAX_INVITE_DAYS} days.")),
                );
            }
            _ => {}
        }
        report.finish()
    }

    /// When the invites expire.
    pub fn expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.expires_at.unwrap_or_else(|| {
            now + chrono::Duration::days(self.expires_in_days.unwrap_or(DEFAULT_INVITE_DAYS).into())
        })
    }
}

/// What became of one address of an invite request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InviteOutcome {
    Invited,
    AlreadyAUser,
    /// A pending invite exists; it was left as it is.
    AlreadyInvited,
    Invalid,
    /// Named earlier in the same request.
    Duplicate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteResult {
    /// The address as it was sent.
    pub email: String,
    pub outcome: InviteOutcome,
    /// Why, for `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The new invite (`invited`) or the pending one (`already_invited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<Invite>,
    /// The link to accept, shown this once (`invited`), when the server does not send
    /// mail: then sharing it is up to the administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitesResult {
    /// One per address, in order.
    pub results: Vec<InviteResult>,
    /// Whether the server sends mail; if not, the links are the only way to share.
    pub mail_configured: bool,
}

/// `POST /invites/{id}/resend`: a new code and a new expiry; the old code is dead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResentInvite {
    pub invite: Invite,
    /// The new link, shown this once, when the server does not send mail (with mail it
    /// goes to the address only).
    pub link: Option<String>,
    pub mail_configured: bool,
}

/// `POST /invites/revoke`: the listed invites, or every pending one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokeInvites {
    #[serde(default)]
    pub ids: Vec<Uuid>,
    #[serde(default)]
    pub all_pending: bool,
}

impl RevokeInvites {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if self.ids.is_empty() && !self.all_pending {
            report.check(
                "ids",
                Err("Choose invites to revoke, or all pending ones.".into()),
            );
        }
        if !self.ids.is_empty() && self.all_pending {
            report.check("ids", Err("Give ids or all_pending, not both.".into()));
        }
        report
            .check(
                "ids",
                rules::id_count(self.ids.len(), MAX_INVITES_PER_REQUEST),
            )
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevokeOutcome {
    Revoked,
    /// Already accepted, expired or revoked.
    NotPending,
    NotFound,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeResult {
    pub id: Uuid,
    pub outcome: RevokeOutcome,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeResults {
    pub results: Vec<RevokeResult>,
}

/// Columns the invites list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InviteSortBy {
    #[default]
    CreatedAt,
    ExpiresAt,
    Email,
}

impl InviteSortBy {
    pub const fn as_str(self) -> &'static str {
        match self {
            InviteSortBy::CreatedAt => "created_at",
            InviteSortBy::ExpiresAt => "expires_at",
            InviteSortBy::Email => "email",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::CreatedAt, Self::ExpiresAt, Self::Email]
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    /// Newest first for the time invited; soonest first for expiry; A to Z for email.
    pub const fn default_order(self) -> SortOrder {
        match self {
            InviteSortBy::CreatedAt => SortOrder::Desc,
            InviteSortBy::ExpiresAt | InviteSortBy::Email => SortOrder::Asc,
        }
    }
}

/// `GET /invites` query, also the console's URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct InviteListQuery {
    pub page: Option<u32>,
    /// Items per page (default 25, at most 200).
    pub per_page: Option<u32>,
    /// Part of the invited address.
    pub search: Option<String>,
    pub status: Option<InviteStatus>,
    pub sort_by: Option<InviteSortBy>,
    pub sort_order: Option<SortOrder>,
}

crate::paged_query!(InviteListQuery, sorted by InviteSortBy);

impl InviteListQuery {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        Report::new()
            .check_opt("search", self.search.as_deref(), rules::search)
            .finish()
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => q.page = value.parse().ok(),
                "per_page" => q.per_page = value.parse().ok(),
                "search" => q.search = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "status" => q.status = InviteStatus::parse(value),
                "sort_by" => q.sort_by = InviteSortBy::parse(value),
                "sort_order" => q.sort_order = SortOrder::parse(value),
                _ => {}
            }
        }
        q
    }

    pub fn to_pairs(&self) -> QueryPairs {
        let mut pairs = QueryPairs::default();
        pairs
            .push_opt("search", self.search_term())
            .push_opt("status", self.status.map(InviteStatus::as_str))
            .push_opt("sort_by", self.sort_by.map(InviteSortBy::as_str))
            .push_opt("sort_order", self.sort_order.map(SortOrder::as_str))
            .push_opt("page", self.page.filter(|&p| p > 1))
            .push_opt("per_page", self.per_page);
        pairs
    }
}

/// A secret from a link (`#code=...`, `#token=...`), sent in a body, never in a URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteCode {
    pub code: String,
}

/// `POST /invites/lookup`: what the invitee sees before accepting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteLookup {
    pub tenant_name: String,
    pub email: String,
    pub invited_by: Option<String>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub expires_at: DateTime<Utc>,
}

/// `POST /invites/accept`: becomes an active user, signed in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvite {
    pub code: String,
    /// Write-only.
    pub password: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
}

impl AcceptInvite {
    pub fn validate(&self, email: &str) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report
            .check("password", rules::password(&self.password, email))
            .check_opt(
                "given_name",
                Some(self.given_name.trim()).filter(|v| !v.is_empty()),
                rules::person_name,
            )
            .check_opt(
                "family_name",
                Some(self.family_name.trim()).filter(|v| !v.is_empty()),
                rules::person_name,
            );
        report.finish()
    }
}

/// `POST /auth/password/forgot`: always answered the same, whatever the address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// The same answer for every address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgotPasswordAnswer {
    pub message: String,
}

/// `POST /auth/password/reset/lookup`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetToken {
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetLookup {
    pub email: String,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub expires_at: DateTime<Utc>,
}

/// `POST /auth/password/reset`: a new password with the token from the link. Every
/// session of the user ends.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetWithToken {
    pub token: String,
    /// Write-only.
    pub new_password: String,
}

/// The tenant's mail settings, as far as the console needs them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailSettings {
    /// Whether the server was started with an SMTP server to send through.
    pub configured: bool,
    /// The sender, when configured.
    pub from: Option<String>,
}

/// `POST /settings/mail/test`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestMail {
    pub to: String,
}

/// Whether the test message left, and if not why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestMailResult {
    pub delivered: bool,
    pub error: Option<String>,
}

/// One address as typed in "Invite people", checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedAddress {
    /// As typed (`Ada <ada@example.com>` or `ada@example.com`).
    pub raw: String,
    /// The address, normalised, when it is one.
    pub email: Option<String>,
    /// The name before `<...>`, if any.
    pub name: Option<String>,
    pub error: Option<String>,
    /// The same address appeared earlier in the text.
    pub duplicate: bool,
}

/// Where the first item of `text` ends: `Name <address>` (the name possibly quoted, with
/// separators inside the quotes) runs to the closing `>`; a bare address to the next
/// separator or space.
fn item_end(text: &str) -> usize {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '<' => {
                return text[i..]
                    .find('>')
                    .map_or(text.len(), |close| i + close + 1)
            }
            ',' | ';' | '\n' => return i,
            c if c.is_whitespace() && !text[i..].trim_start().starts_with('<') => {
                // A space ends a bare address, but not a name followed by `<address>`.
                let before_angle = text[i..]
                    .find(['<', ',', ';', '\n'])
                    .is_some_and(|j| text[i + j..].starts_with('<'));
                if !before_angle {
                    return i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Splits pasted text into addresses: separated by commas, semicolons, spaces or new
/// lines, each either `address` or `Name <address>`; each is checked with the shared
/// email rule and repeats are marked.
pub fn parse_addresses(text: &str) -> Vec<ParsedAddress> {
    let mut items = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
        if rest.is_empty() {
            break;
        }
        let end = item_end(rest);
        items.push(rest[..end].trim().to_owned());
        rest = &rest[end..];
    }
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .map(|raw| {
            let (name, address) = match (raw.find('<'), raw.rfind('>')) {
                (Some(open), Some(close)) if open < close => (
                    Some(raw[..open].trim().trim_matches('"').to_owned()).filter(|n| !n.is_empty()),
                    raw[open + 1..close].trim().to_owned(),
                ),
                _ => (None, raw.clone()),
            };
            let error = rules::email(&address).err();
            let email = error.is_none().then(|| rules::normalize_email(&address));
            let duplicate = email.as_ref().is_some_and(|e| !seen.insert(e.clone()));
            ParsedAddress {
                raw,
                email,
                name,
                error,
                duplicate,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_addresses_are_split_checked_and_deduplicated() {
        let parsed = parse_addresses(
            "ada@example.com, Grace Hopper <grace@example.com>;\n not-an-address  ADA@example.com\n\"Lin, Alan\" <alan@example.com>",
        );
        let summary: Vec<_> = parsed
            .iter()
            .map(|p| (p.email.clone(), p.error.is_some(), p.duplicate))
            .collect();
        assert_eq!(
            summary,
            [
                (Some("ada@example.com".into()), false, false),
                (Some("grace@example.com".into()), false, false),
                (None, true, false),
                (Some("ada@example.com".into()), false, true),
                (Some("alan@example.com".into()), false, false),
            ]
        );
        assert_eq!(parsed[1].name.as_deref(), Some("Grace Hopper"));
        assert!(parse_addresses(" ,, \n").is_empty());
    }

    #[test]
    fn invite_requests_have_bounds() {
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let too_long = CreateInvites {
            emails: vec!["a@b.co".into()],
            expires_in_days: Some(91),
            ..Default::default()
        };
        assert_eq!(
            too_long.validate(now).unwrap_err()[0].field,
            "expires_in_days"
        );
        let none = CreateInvites::default();
        assert_eq!(none.validate(now).unwrap_err()[0].field, "emails");
        let fine = CreateInvites {
            emails: vec!["a@b.co".into()],
            ..Default::default()
        };
        assert_eq!(fine.validate(now), Ok(()));
        assert_eq!(fine.expiry(now), now + chrono::Duration::days(7));
        assert!(RevokeInvites::default().validate().is_err());
    }
}
