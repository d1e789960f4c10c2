//! The fixed permission catalogue and the built-in roles.
//!
//! Access in Gatehouse fits in one paragraph: every endpoint requires at most one
//! permission (see [`crate::endpoints`]); a role is a named set of permissions; a user
//! holds roles directly or through the groups they belong to, and may do exactly what the
//! union of those roles allows.

use serde::{Deserialize, Serialize};

/// Defines the catalogue from one table: each permission's variant, wire name, area,
/// whether it only reads, and what it allows. Nothing about a permission is written
/// anywhere else, so none can be left out of [`Permission::ALL`].
macro_rules! catalogue {
    ($($variant:ident = $name:literal, $area:literal, $reads:literal, $description:literal;)*) => {
        /// One thing a signed-in user may be allowed to do. Serialised as `area:action`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Permission {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl Permission {
            const COUNT: usize = [$(Permission::$variant),*].len();

            /// Every permission, in catalogue order (grouped by area).
            pub const ALL: [Permission; Self::COUNT] = [$(Permission::$variant),*];

            /// Every wire name, in catalogue order.
            const NAMES: [&'static str; Self::COUNT] = [$($name),*];

            /// The wire name, `area:action`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            /// The area a permission belongs to, for grouping in pickers.
            pub const fn area(self) -> &'static str {
                match self { $(Permission::$variant => $area,)* }
            }

            /// What holding the permission allows, in an administrator's words.
            pub const fn description(self) -> &'static str {
                match self { $(Permission::$variant => $description,)* }
            }

            /// Whether the permission only reads.
            pub const fn is_read_only(self) -> bool {
                match self { $(Permission::$variant => $reads,)* }
            }
        }
    };
}

catalogue! {
    UsersRead = "users:read", "Users", true,
        "See users and their profiles, groups and roles.";
    UsersWrite = "users:write", "Users", false,
        "Create and edit users, change their status, reset passwords and disable MFA.";
    UsersDelete = "users:delete", "Users", false,
        "Delete users.";
    GroupsRead = "groups:read", "Groups", true,
        "See groups and their members.";
    GroupsWrite = "groups:write", "Groups", false,
        "Create, edit and delete groups and change their members.";
    RolesRead = "roles:read", "Roles", true,
        "See roles, their permissions and who holds them.";
    RolesWrite = "roles:write", "Roles", false,
        "Create, edit and delete custom roles and grant roles to users.";
    InvitesRead = "invites:read", "Invites", true,
        "See invitations.";
    InvitesWrite = "invites:write", "Invites", false,
        "Invite people, resend and revoke invitations.";
    ApiKeysRead = "api_keys:read", "API keys", true,
        "See API keys of all users.";
    ApiKeysWrite = "api_keys:write", "API keys", false,
        "Issue and revoke API keys.";
    SsoRead = "sso:read", "SSO", true,
        "See single sign-on connections.";
    SsoWrite = "sso:write", "SSO", false,
        "Create and change single sign-on connections.";
    AuditRead = "audit:read", "Audit log", true,
        "Read the audit log.";
    TenantsWrite = "tenants:write", "Tenants", false,
        "Change tenant settings, such as who must use two-step sign-in.";
}

/// The schema names the wire values (`users:read`), which the derive cannot see through
/// the catalogue macro.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A permission, `area:action`."))
            .enum_values(Some(Permission::ALL.iter().map(|p| p.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Permission {}

impl Permission {
    /// Parses the wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Read by wire name through [`Permission::parse`] (see `wire`): the console reads the
/// permissions of whoever signs in on its first page.
impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::wire::from_wire_name(deserializer, Self::parse, &Self::NAMES)
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
        let error = serde_json::from_str::<Permission>("\"users:fly\"").unwrap_err();
        assert!(
            error.to_string().starts_with(
                "unknown variant `users:fly`, expected one of `users:read`, `users:write`"
            ),
            "{error}"
        );
        assert!(serde_json::from_str::<Permission>("7").is_err());
    }

    #[test]
    fn the_catalogue_is_complete_and_grouped() {
        assert_eq!(Permission::ALL.len(), 15);
        let mut names: Vec<_> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), Permission::ALL.len());
        for p in Permission::ALL {
            assert!(p
                .as_str()
                .starts_with(&p.area().to_lowercase().replace(' ', "_")[..3]));
            assert_eq!(p.is_read_only(), p.as_str().ends_with(":read"), "{p}");
            assert!(p.description().ends_with('.'));
        }
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
