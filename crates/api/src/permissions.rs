//! The fixed permission catalogue and the built-in roles.
//!
//! Access in Gatehouse fits in one paragraph: every endpoint requires at most one
//! permission (see [`crate::endpoints`]); a role is a named set of permissions; a user
//! holds roles directly or through the groups they belong to, and may do exactly what the
//! union of those roles allows.

use serde::{Deserialize, Serialize};

/// One thing a signed-in user may be allowed to do. Serialised as `area:action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Permission {
    #[serde(rename = "users:read")]
    UsersRead,
    #[serde(rename = "users:write")]
    UsersWrite,
    #[serde(rename = "users:delete")]
    UsersDelete,
    #[serde(rename = "groups:read")]
    GroupsRead,
    #[serde(rename = "groups:write")]
    GroupsWrite,
    #[serde(rename = "roles:read")]
    RolesRead,
    #[serde(rename = "roles:write")]
    RolesWrite,
    #[serde(rename = "invites:read")]
    InvitesRead,
    #[serde(rename = "invites:write")]
    InvitesWrite,
    #[serde(rename = "api_keys:read")]
    ApiKeysRead,
    #[serde(rename = "api_keys:write")]
    ApiKeysWrite,
    #[serde(rename = "sso:read")]
    SsoRead,
    #[serde(rename = "sso:write")]
    SsoWrite,
    #[serde(rename = "audit:read")]
    AuditRead,
    #[serde(rename = "tenants:write")]
    TenantsWrite,
}

impl Permission {
    /// Every permission, in catalogue order (grouped by area).
    pub const ALL: [Permission; 15] = [
        Permission::UsersRead,
        Permission::UsersWrite,
        Permission::UsersDelete,
        Permission::GroupsRead,
        Permission::GroupsWrite,
        Permission::RolesRead,
        Permission::RolesWrite,
        Permission::InvitesRead,
        Permission::InvitesWrite,
        Permission::ApiKeysRead,
        Permission::ApiKeysWrite,
        Permission::SsoRead,
        Permission::SsoWrite,
        Permission::AuditRead,
        Permission::TenantsWrite,
    ];

    /// The wire name, `area:action`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::UsersRead => "users:read",
            Permission::UsersWrite => "users:write",
            Permission::UsersDelete => "users:delete",
            Permission::GroupsRead => "groups:read",
            Permission::GroupsWrite => "groups:write",
            Permission::RolesRead => "roles:read",
            Permission::RolesWrite => "roles:write",
            Permission::InvitesRead => "invites:read",
            Permission::InvitesWrite => "invites:write",
            Permission::ApiKeysRead => "api_keys:read",
            Permission::ApiKeysWrite => "api_keys:write",
            Permission::SsoRead => "sso:read",
            Permission::SsoWrite => "sso:write",
            Permission::AuditRead => "audit:read",
            Permission::TenantsWrite => "tenants:write",
        }
    }

    /// Parses the wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The area a permission belongs to, for grouping in pickers.
    pub const fn area(self) -> &'static str {
        match self {
            Permission::UsersRead | Permission::UsersWrite | Permission::UsersDelete => "Users",
            Permission::GroupsRead | Permission::GroupsWrite => "Groups",
            Permission::RolesRead | Permission::RolesWrite => "Roles",
            Permission::InvitesRead | Permission::InvitesWrite => "Invites",
            Permission::ApiKeysRead | Permission::ApiKeysWrite => "API keys",
            Permission::SsoRead | Permission::SsoWrite => "SSO",
            Permission::AuditRead => "Audit log",
            Permission::TenantsWrite => "Tenants",
        }
    }

    /// What holding the permission allows, in an administrator's words.
    pub const fn description(self) -> &'static str {
        match self {
            Permission::UsersRead => "See users and their profiles, groups and roles.",
            Permission::UsersWrite => {
                "Create and edit users, change their status, reset passwords and disable MFA."
            }
            Permission::UsersDelete => "Delete users.",
            Permission::GroupsRead => "See groups and their members.",
            Permission::GroupsWrite => "Create, edit and delete groups and change their members.",
            Permission::RolesRead => "See roles, their permissions and who holds them.",
            Permission::RolesWrite => {
                "Create, edit and delete custom roles and grant roles to users."
            }
            Permission::InvitesRead => "See invitations.",
            Permission::InvitesWrite => "Invite people, resend and revoke invitations.",
            Permission::ApiKeysRead => "See API keys of all users.",
            Permission::ApiKeysWrite => "Issue and revoke API keys.",
            Permission::SsoRead => "See single sign-on connections.",
            Permission::SsoWrite => "Create and change single sign-on connections.",
            Permission::AuditRead => "Read the audit log.",
            Permission::TenantsWrite => {
                "Change tenant settings, such as who must use two-step sign-in."
            }
        }
    }

    /// Whether the permission only reads.
    pub const fn is_read_only(self) -> bool {
        matches!(
            self,
            Permission::UsersRead
                | Permission::GroupsRead
                | Permission::RolesRead
                | Permission::InvitesRead
                | Permission::ApiKeysRead
                | Permission::SsoRead
                | Permission::AuditRead
        )
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role every tenant has, which nobody can edit or delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinRole {
    /// Stable key, also the role's id suffix in the database.
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

impl BuiltinRole {
    pub const VIEWER: BuiltinRole = BuiltinRole {
        key: "viewer",
        name: "Viewer",
        description: "Reads everything, changes nothing.",
    };
    pub const EDITOR: BuiltinRole = BuiltinRole {
        key: "editor",
        name: "Editor",
        description: "Manages users and groups; reads everything else.",
    };
    pub const ADMIN: BuiltinRole = BuiltinRole {
        key: "admin",
        name: "Admin",
        description: "Can do everything, including managing roles and other administrators.",
    };
    pub const ALL: [BuiltinRole; 3] = [Self::VIEWER, Self::EDITOR, Self::ADMIN];

    /// The permissions the built-in role grants.
    pub fn permissions(self) -> Vec<Permission> {
        let read = Permission::ALL.into_iter().filter(|p| p.is_read_only());
        match self.key {
            "viewer" => read.collect(),
            "editor" => read
                .chain([
                    Permission::UsersWrite,
                    Permission::UsersDelete,
                    Permission::GroupsWrite,
                    Permission::InvitesWrite,
                ])
                .collect(),
            _ => Permission::ALL.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for p in Permission::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<Permission>(&json).unwrap(), p);
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::parse("users:fly"), None);
    }

    #[test]
    fn builtin_roles_nest() {
        let viewer = BuiltinRole::VIEWER.permissions();
        let editor = BuiltinRole::EDITOR.permissions();
        let admin = BuiltinRole::ADMIN.permissions();
        assert!(viewer.iter().all(|p| p.is_read_only()));
        assert!(viewer.iter().all(|p| editor.contains(p)));
        assert!(editor.iter().all(|p| admin.contains(p)));
        assert!(!editor.contains(&Permission::RolesWrite));
        assert_eq!(admin.len(), Permission::ALL.len());
    }
}
