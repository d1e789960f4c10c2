//! API keys: long-lived secrets that authenticate scripts and CI jobs as their owner,
//! with at most the owner's permissions (or a chosen subset of them).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::query::{QueryPairs, SortOrder};
use crate::users::UserRef;
use crate::validation::{self as rules, clean, Report};
use crate::{FieldError, Permission};

/// Every key starts with this, so a leaked one is recognisable in a secret scanner.
pub const KEY_PREFIX: &str = "gh_";
/// Length of the visible part of a key after `gh_` (lowercase letters and digits).
pub const VISIBLE_PREFIX_CHARS: usize = 8;
/// Length of the secret part (letters and digits: about 238 random bits).
pub const SECRET_CHARS: usize = 40;
pub const NAME_MAX_CHARS: usize = 100;
/// The expiry choices the console offers, in days (the tenant's maximum caps them).
pub const EXPIRY_PRESETS_DAYS: [u32; 4] = [7, 30, 90, 365];
/// A key expiring within this many days is flagged in the lists.
pub const EXPIRING_SOON_DAYS: u32 = 7;
/// A tenant's maximum key lifetime until an administrator changes it.
pub const DEFAULT_MAX_KEY_DAYS: u32 = 365;
/// The longest maximum a tenant can set (short of "no limit").
pub const MAX_POLICY_DAYS: u32 = 3650;
/// Most keys one bulk revoke may name.
pub const MAX_REVOKE_IDS: usize = 500;

/// The two parts of a key, `gh_<prefix>_<secret>`, if it has that shape.
pub fn split_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix(KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == VISIBLE_PREFIX_CHARS
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && secret.len() == SECRET_CHARS
        && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    well_formed.then_some((prefix, secret))
}

/// Whether a bearer credential is meant as an API key (rather than a session token).
pub fn looks_like_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

/// Where a key is. `EXPIRED` is an active key past its expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiKeyStatus {
    Active,
    Expired,
    Revoked,
}

deserialize_by_wire_name!(ApiKeyStatus, named_by as_str);

impl ApiKeyStatus {
    pub const ALL: [ApiKeyStatus; 3] = [
        ApiKeyStatus::Active,
        ApiKeyStatus::Expired,
        ApiKeyStatus::Revoked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ApiKeyStatus::Active => "ACTIVE",
            ApiKeyStatus::Expired => "EXPIRED",
            ApiKeyStatus::Revoked => "REVOKED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub const fn label(self) -> &'static str {
        match self {
            ApiKeyStatus::Active => "Active",
            ApiKeyStatus::Expired => "Expired",
            ApiKeyStatus::Revoked => "Revoked",
        }
    }
}

/// A key as every endpoint shows it: never its secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: Uuid,
    pub tenant_id: String,
    pub name: String,
    /// The visible part, `gh_<prefix>_…`, to recognise a key without its secret.
    pub prefix: String,
    /// The user whose permissions the key acts with.
    pub owner: UserRef,
    pub created_by: Option<UserRef>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    /// Never, when absent.
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub expires_at: Option<DateTime<Utc>>,
    /// To the minute: recorded at most once a minute.
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub last_used_at: Option<DateTime<Utc>>,
    pub status: ApiKeyStatus,
    #[serde(default, deserialize_with = "crate::timestamp::deserialize_option")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<UserRef>,
    pub revoked_reason: Option<String>,
    /// The permissions the key is limited to; without a subset it has all its owner's.
    /// Either way it never has more than the owner holds at the time of each request.
    pub permissions: Option<BTreeSet<Permission>>,
    /// Send it back as `If-Match` to rename the key.
    pub version: i64,
}

impl ApiKey {
    /// `gh_<prefix>_…` as shown in lists.
    pub fn masked(&self) -> String {
        format!("{KEY_PREFIX}{}_…", self.prefix)
    }

    /// Whether an active key expires within `days` of `now`.
    pub fn expires_within(&self, now: DateTime<Utc>, days: u32) -> bool {
        self.status == ApiKeyStatus::Active
            && self
                .expires_at
                .is_some_and(|at| at <= now + Duration::days(days.into()))
    }
}

/// When a new key expires: in some days, at a time, or never (only where the tenant
/// allows keys without an expiry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyExpiry {
    InDays(u32),
    At(DateTime<Utc>),
    Never,
}

impl KeyExpiry {
    /// The expiry time this choice means, from `now`.
    pub fn resolve(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            KeyExpiry::InDays(days) => Some(now + Duration::days(days.into())),
            KeyExpiry::At(at) => Some(at),
            KeyExpiry::Never => None,
        }
    }
}

/// `POST .../api-keys`: a new key. The answer carries its secret, this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    pub name: String,
    /// `{"in_days": 30}`, `{"at": "2027-01-01T00:00:00Z"}` or `"never"`.
    pub expires: KeyExpiry,
    /// Limit the key to these permissions (each must be one its owner holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeSet<Permission>>,
}

impl CreateApiKey {
    /// Checks the request against the tenant's maximum lifetime (`None`: no limit).
    pub fn validate(
        &self,
        now: DateTime<Utc>,
        max_days: Option<u32>,
    ) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report.check("name", name(&self.name));
        report.check("expires", expiry(self.expires, now, max_days));
        if self.permissions.as_ref().is_some_and(BTreeSet::is_empty) {
            report.check(
                "permissions",
                Err("Choose at least one permission, or leave the key unrestricted.".into()),
            );
        }
        report.finish()
    }
}

/// A key's name: 1 to 100 characters, no control characters.
pub fn name(value: &str) -> rules::Rule {
    if value.trim().is_empty() {
        return Err("Name the key after what uses it, such as \"CI deploy\".".into());
    }
    rules::text(value.trim(), NAME_MAX_CHARS)
}

/// An expiry within the tenant's maximum (`None`: no limit, and "never" allowed).
pub fn expiry(choice: KeyExpiry, now: DateTime<Utc>, max_days: Option<u32>) -> rules::Rule {
    let too_long = || match max_days {
        Some(days) => format!("This tenant's keys must expire within {days} days."),
        None => format!("Choose at most {MAX_POLICY_DAYS} days, or never."),
    };
    // Days are checked before any date arithmetic, which would overflow on huge values.
    let limit_days = max_days.unwrap_or(MAX_POLICY_DAYS);
    match choice {
        KeyExpiry::Never if max_days.is_some() => Err(too_long()),
        KeyExpiry::Never => Ok(()),
        KeyExpiry::InDays(0) => Err("Choose at least one day.".into()),
        KeyExpiry::InDays(days) if days > limit_days => Err(too_long()),
        KeyExpiry::InDays(_) => Ok(()),
        KeyExpiry::At(at) if at <= now => Err("Choose a time in the future.".into()),
        KeyExpiry::At(at) if at > now + Duration::days(limit_days.into()) => Err(too_long()),
        KeyExpiry::At(_) => Ok(()),
    }
}

/// The answer to creating a key: the key, and its secret, shown only here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    pub key: ApiKey,
    /// `gh_<prefix>_<secret>`: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// `PATCH .../api-keys/{key_id}` (with `If-Match`): rename.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateApiKey {
    pub name: String,
}

impl UpdateApiKey {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        Report::new().check("name", name(&self.name)).finish()
    }
}

/// `POST .../api-keys/{key_id}/revoke`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokeApiKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RevokeApiKey {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        Report::new()
            .check_opt("reason", clean(&self.reason), rules::reason)
            .finish()
    }
}

/// `POST /tenants/{tenant_id}/api-keys/revoke`: many keys at once, each judged alone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokeApiKeys {
    pub ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RevokeApiKeys {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if self.ids.is_empty() {
            report.check("ids", Err("Choose the keys to revoke.".into()));
        }
        report
            .check("ids", rules::id_count(self.ids.len(), MAX_REVOKE_IDS))
            .check_opt("reason", clean(&self.reason), rules::reason)
            .finish()
    }
}

/// What became of one key of a bulk revoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyRevokeOutcome {
    Revoked,
    /// Already revoked or expired.
    NotActive,
    NotFound,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRevokeResult {
    pub id: Uuid,
    pub outcome: KeyRevokeOutcome,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRevokeResults {
    pub results: Vec<KeyRevokeResult>,
}

/// Columns the keys lists can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiKeySortBy {
    #[default]
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    Name,
}

impl ApiKeySortBy {
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiKeySortBy::CreatedAt => "created_at",
            ApiKeySortBy::LastUsedAt => "last_used_at",
            ApiKeySortBy::ExpiresAt => "expires_at",
            ApiKeySortBy::Name => "name",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::CreatedAt,
            Self::LastUsedAt,
            Self::ExpiresAt,
            Self::Name,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    /// Newest first for creation and use; soonest first for expiry; A to Z for names.
    pub const fn default_order(self) -> SortOrder {
        match self {
            ApiKeySortBy::CreatedAt | ApiKeySortBy::LastUsedAt => SortOrder::Desc,
            ApiKeySortBy::ExpiresAt | ApiKeySortBy::Name => SortOrder::Asc,
        }
    }
}

/// `GET .../api-keys` query (tenant-wide and per user), also the console's URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ApiKeyListQuery {
    pub page: Option<u32>,
    /// Items per page (default 25, at most 200).
    pub per_page: Option<u32>,
    /// Part of the name, or the start of the prefix (with or without `gh_`).
    pub search: Option<String>,
    pub status: Option<ApiKeyStatus>,
    /// Only this user's keys (the tenant-wide list).
    pub owner_id: Option<Uuid>,
    /// Only active keys expiring within this many days.
    pub expires_within_days: Option<u32>,
    pub sort_by: Option<ApiKeySortBy>,
    pub sort_order: Option<SortOrder>,
}

crate::paged_query!(ApiKeyListQuery, sorted by ApiKeySortBy);

impl ApiKeyListQuery {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report.check_opt("search", self.search.as_deref(), rules::search);
        if self
            .expires_within_days
            .is_some_and(|d| d > MAX_POLICY_DAYS)
        {
            report.check(
                "expires_within_days",
                Err(format!("At most {MAX_POLICY_DAYS} days.")),
            );
        }
        report.finish()
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => q.page = value.parse().ok(),
                "per_page" => q.per_page = value.parse().ok(),
                "search" => q.search = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "status" => q.status = ApiKeyStatus::parse(value),
                "owner_id" => q.owner_id = value.parse().ok(),
                "expires_within_days" => q.expires_within_days = value.parse().ok(),
                "sort_by" => q.sort_by = ApiKeySortBy::parse(value),
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
            .push_opt("status", self.status.map(ApiKeyStatus::as_str))
            .push_opt("owner_id", self.owner_id)
            .push_opt("expires_within_days", self.expires_within_days)
            .push_opt("sort_by", self.sort_by.map(ApiKeySortBy::as_str))
            .push_opt("sort_order", self.sort_order.map(SortOrder::as_str))
            .push_opt("page", self.page.filter(|&p| p > 1))
            .push_opt("per_page", self.per_page);
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_only_when_well_formed() {
        let secret = "A".repeat(SECRET_CHARS);
        let key = format!("gh_abcd1234_{secret}");
        assert_eq!(split_key(&key), Some(("abcd1234", secret.as_str())));
        for bad in [
            "ghs_abcd1234".to_owned(),
            format!("gh_ABCD1234_{secret}"),
            format!("gh_abcd123_{secret}"),
            format!("gh_abcd1234_{secret}x"),
            format!("gh_abcd1234_{}", "-".repeat(SECRET_CHARS)),
            "gh_abcd1234".to_owned(),
        ] {
            assert_eq!(split_key(&bad), None, "{bad}");
        }
    }

    #[test]
    fn expiry_respects_the_tenant_maximum() {
        let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        assert!(expiry(KeyExpiry::InDays(365), now, Some(365)).is_ok());
        assert!(expiry(KeyExpiry::InDays(366), now, Some(365)).is_err());
        assert!(expiry(KeyExpiry::Never, now, Some(365)).is_err());
        assert!(expiry(KeyExpiry::Never, now, None).is_ok());
        assert!(expiry(KeyExpiry::InDays(0), now, None).is_err());
        assert!(expiry(KeyExpiry::At(now), now, None).is_err());
        assert!(expiry(KeyExpiry::At(now + Duration::days(30)), now, Some(30)).is_ok());
        assert!(expiry(KeyExpiry::At(now + Duration::days(31)), now, Some(30)).is_err());
        assert!(expiry(KeyExpiry::InDays(u32::MAX), now, None).is_err());
        assert!(expiry(KeyExpiry::InDays(u32::MAX), now, Some(365)).is_err());
    }

    #[test]
    fn the_create_request_reads_as_documented() {
        let request: CreateApiKey = serde_json::from_str(
            r#"{"name":"CI","expires":{"in_days":30},"permissions":["users:read"]}"#,
        )
        .unwrap();
        assert_eq!(request.expires, KeyExpiry::InDays(30));
        let never: CreateApiKey =
            serde_json::from_str(r#"{"name":"CI","expires":"never"}"#).unwrap();
        assert_eq!(never.expires, KeyExpiry::Never);
        assert!(serde_json::from_str::<CreateApiKey>(r#"{"name":"CI"}"#).is_err());
    }

    #[test]
    fn list_query_round_trips_through_pairs() {
        let q = ApiKeyListQuery {
            search: Some("deploy".into()),
            status: Some(ApiKeyStatus::Active),
            expires_within_days: Some(7),
            sort_by: Some(ApiKeySortBy::LastUsedAt),
            page: Some(3),
            ..Default::default()
        };
        let pairs = q.to_pairs();
        assert_eq!(ApiKeyListQuery::from_pairs(pairs.iter()), q);
    }
}
