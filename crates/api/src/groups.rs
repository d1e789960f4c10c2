//! Groups: people who share roles, and membership changes in bulk.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::roles::RoleRef;
use crate::validation::{self as rules, Report};
use crate::FieldError;

pub const GROUP_NAME_MAX_CHARS: usize = 100;
/// Most user ids one membership request may name.
pub const MAX_MEMBERS_PER_REQUEST: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: Uuid,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    /// A `#rrggbb` colour for the group's chip.
    pub color: String,
    /// New users join default groups automatically.
    pub is_default: bool,
    /// Roles every member holds through the group.
    pub roles: Vec<RoleRef>,
    pub member_count: u64,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl Group {
    pub fn etag(&self) -> String {
        crate::version::etag(self.version)
    }
}

/// A group named from elsewhere (a user's groups, a role's holders).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRef {
    pub id: Uuid,
    pub name: String,
    pub color: String,
}

/// The colour rule: `#` and six hex digits.
pub fn color_rule(value: &str) -> rules::Rule {
    let ok = value.len() == 7
        && value.starts_with('#')
        && value[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err("Choose a colour like #2f5bd3.".into())
    }
}

fn check_name(report: &mut Report, name: &str) {
    let name = name.trim();
    if name.is_empty() {
        report.check("name", Err("Give the group a name.".into()));
    } else {
        report.check("name", rules::text(name, GROUP_NAME_MAX_CHARS));
    }
}

/// The colour new groups get when none is chosen.
pub const DEFAULT_COLOR: &str = "#2f5bd3";

/// `POST /groups`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub role_ids: Vec<Uuid>,
}

fn default_color() -> String {
    DEFAULT_COLOR.to_owned()
}

impl Default for CreateGroup {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            color: default_color(),
            is_default: false,
            role_ids: Vec::new(),
        }
    }
}

impl CreateGroup {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        check_name(&mut report, &self.name);
        report
            .check(
                "description",
                rules::text(&self.description, crate::roles::DESCRIPTION_MAX_CHARS),
            )
            .check("color", color_rule(&self.color))
            .check(
                "role_ids",
                rules::id_count(self.role_ids.len(), rules::MAX_ROLE_IDS),
            );
        report.finish()
    }
}

/// `PATCH /groups/{id}` (`If-Match` required).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Replaces the roles the group grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_ids: Option<Vec<Uuid>>,
}

impl UpdateGroup {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if let Some(name) = &self.name {
            check_name(&mut report, name);
        }
        report
            .check_opt("description", self.description.as_deref(), |d| {
                rules::text(d, crate::roles::DESCRIPTION_MAX_CHARS)
            })
            .check_opt("color", self.color.as_deref(), color_rule)
            .check_opt("role_ids", self.role_ids.as_ref(), |ids| {
                rules::id_count(ids.len(), rules::MAX_ROLE_IDS)
            });
        report.finish()
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// `GET /groups` query: page, page size and a name search.
pub type GroupListQuery = crate::query::NameQuery;

/// `POST` / `DELETE /groups/{id}/members`: many users at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MembersChange {
    pub user_ids: Vec<Uuid>,
}

impl MembersChange {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if self.user_ids.is_empty() {
            report.check("user_ids", Err("Choose at least one user.".into()));
        } else if self.user_ids.len() > MAX_MEMBERS_PER_REQUEST {
            report.check(
                "user_ids",
                Err(format!(
                    "At most {MAX_MEMBERS_PER_REQUEST} users per request."
                )),
            );
        }
        report.finish()
    }
}

/// What happened to one user of a membership change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberOutcome {
    Added,
    AlreadyMember,
    Removed,
    NotMember,
    /// No such user in this tenant (or deleted).
    UserNotFound,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberResult {
    pub user_id: Uuid,
    pub outcome: MemberOutcome,
}

/// The per-user results of a membership change, in request order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembersResult {
    pub results: Vec<MemberResult>,
    pub member_count: u64,
}

impl MembersResult {
    /// How many users had `outcome`.
    pub fn count(&self, outcome: MemberOutcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_requests_validate_and_round_trip() {
        let create: CreateGroup = serde_json::from_str(r#"{"name":"Ops"}"#).unwrap();
        assert_eq!(create.color, DEFAULT_COLOR);
        assert_eq!(create.validate(), Ok(()));
        let bad = CreateGroup {
            name: String::new(),
            color: "red".into(),
            ..Default::default()
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "color"]);
        let patch = UpdateGroup {
            color: Some("#00FF7f".into()),
            ..Default::default()
        };
        assert_eq!(patch.validate(), Ok(()));
        assert_eq!(
            serde_json::from_str::<UpdateGroup>(&serde_json::to_string(&patch).unwrap()).unwrap(),
            patch
        );
    }

    #[test]
    fn member_changes_are_bounded() {
        assert_eq!(
            MembersChange::default().validate().unwrap_err()[0].field,
            "user_ids"
        );
        let many = MembersChange {
            user_ids: vec![Uuid::nil(); MAX_MEMBERS_PER_REQUEST + 1],
        };
        assert!(many.validate().is_err());
        let result = MembersResult {
            results: vec![
                MemberResult {
                    user_id: Uuid::nil(),
                    outcome: MemberOutcome::Added,
                },
                MemberResult {
                    user_id: Uuid::nil(),
                    outcome: MemberOutcome::UserNotFound,
                },
            ],
            member_count: 1,
        };
        assert_eq!(result.count(MemberOutcome::Added), 1);
        assert_eq!(
            serde_json::to_value(&result).unwrap()["results"][1]["outcome"],
            "user_not_found"
        );
    }
}
