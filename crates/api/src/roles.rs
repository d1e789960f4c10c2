//! Roles: named sets of permissions, and who holds them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{self as rules, Report};
use crate::{FieldError, Permission};

pub const ROLE_NAME_MAX_CHARS: usize = 64;
pub const DESCRIPTION_MAX_CHARS: usize = 500;

/// A role of a tenant. Built-in roles (Viewer, Editor, Admin) cannot be changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Role {
    pub id: Uuid,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub permissions: BTreeSet<Permission>,
    /// `viewer`, `editor` or `admin` for the built-in roles; absent for custom roles.
    pub builtin: Option<String>,
    /// Users holding the role directly.
    pub user_count: u64,
    /// Groups granting the role to their members.
    pub group_count: u64,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl Role {
    pub fn is_builtin(&self) -> bool {
        self.builtin.is_some()
    }

    pub fn etag(&self) -> String {
        crate::version::etag(self.version)
    }
}

/// A role named from elsewhere (a user's or a group's roles).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleRef {
    pub id: Uuid,
    pub name: String,
}

fn check_name(report: &mut Report, name: &str) {
    let name = name.trim();
    if name.is_empty() {
        report.check("name", Err("Give the role a name.".into()));
    } else {
        report.check("name", rules::text(name, ROLE_NAME_MAX_CHARS));
    }
}

/// `POST /roles`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: BTreeSet<Permission>,
}

impl CreateRole {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        check_name(&mut report, &self.name);
        report.check(
            "description",
            rules::text(&self.description, DESCRIPTION_MAX_CHARS),
        );
        report.finish()
    }
}

/// `PATCH /roles/{id}`: the fields present change (`If-Match` required).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Replaces the role's permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeSet<Permission>>,
}

impl UpdateRole {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if let Some(name) = &self.name {
            check_name(&mut report, name);
        }
        report.check_opt("description", self.description.as_deref(), |d| {
            rules::text(d, DESCRIPTION_MAX_CHARS)
        });
        report.finish()
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// `GET /roles/{id}/holders`: who holds a role, directly and through groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleHolders {
    /// Users holding the role directly (the first 200; `direct_user_count` says how many in all).
    pub users: Vec<crate::users::UserRef>,
    pub direct_user_count: u64,
    /// Groups granting the role.
    pub groups: Vec<crate::groups::GroupRef>,
    /// Users holding the role directly or through a group.
    pub effective_user_count: u64,
}

/// `GET /roles` query: page, page size and a name search.
pub type RoleListQuery = crate::query::NameQuery;

/// Where a user's role comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoleSource {
    /// Granted to the user directly.
    Direct,
    /// Granted to the members of a group.
    Group { id: Uuid, name: String },
}

/// One role a user holds, with every way they hold it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EffectiveRole {
    pub role: RoleRef,
    pub permissions: BTreeSet<Permission>,
    pub sources: Vec<RoleSource>,
}

/// `GET /users/{id}/roles`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRoles {
    pub direct: Vec<RoleRef>,
    pub effective: Vec<EffectiveRole>,
    /// The union of the effective roles' permissions.
    pub permissions: BTreeSet<Permission>,
}

/// `PUT /users/{id}/roles`: the user's direct roles, replaced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetUserRoles {
    pub role_ids: BTreeSet<Uuid>,
}

impl SetUserRoles {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        Report::new()
            .check(
                "role_ids",
                rules::id_count(self.role_ids.len(), rules::MAX_ROLE_IDS),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_requests_validate_and_round_trip() {
        let create: CreateRole = serde_json::from_str(
            r#"{"name":"Support","permissions":["users:read","users:write"]}"#,
        )
        .unwrap();
        assert_eq!(create.permissions.len(), 2);
        assert_eq!(create.validate(), Ok(()));
        assert_eq!(
            serde_json::from_str::<CreateRole>(&serde_json::to_string(&create).unwrap()).unwrap(),
            create
        );
        let blank = CreateRole {
            name: "  ".into(),
            ..Default::default()
        };
        assert_eq!(blank.validate().unwrap_err()[0].field, "name");
        assert!(
            serde_json::from_str::<CreateRole>(r#"{"name":"x","permissions":["users:fly"]}"#)
                .is_err()
        );
        let patch = UpdateRole {
            description: Some("x".repeat(501)),
            ..Default::default()
        };
        assert_eq!(patch.validate().unwrap_err()[0].field, "description");
        assert!(UpdateRole::default().is_empty());
    }

    #[test]
    fn role_sources_are_tagged() {
        let group = RoleSource::Group {
            id: Uuid::nil(),
            name: "Ops".into(),
        };
        let json = serde_json::to_value(&group).unwrap();
        assert_eq!(json["kind"], "group");
        assert_eq!(
            serde_json::to_value(RoleSource::Direct).unwrap()["kind"],
            "direct"
        );
        assert_eq!(serde_json::from_value::<RoleSource>(json).unwrap(), group);
    }

    #[test]
    fn list_query_pairs_round_trip() {
        let q = RoleListQuery {
            page: Some(2),
            per_page: Some(50),
            search: Some("sup".into()),
        };
        assert_eq!(RoleListQuery::from_pairs(q.to_pairs().iter()), q);
    }
}
