//! Bulk actions on users: one request names the users (by id, or by the list's filter)
//! and the action; the server runs it and answers with a result per user. A dry run
//! answers the same without changing anything.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::users::UserListQuery;
use crate::validation::{self as rules, Report};
use crate::{FieldError, Permission};

/// Most users one bulk action may touch; a filter matching more is refused before
/// anything runs.
pub const MAX_BULK_USERS: usize = 10_000;

/// What to do to each user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    /// Disabled users cannot sign in; their sessions end.
    Disable {
        #[serde(default)]
        reason: Option<String>,
    },
    Enable,
    /// Locked users cannot sign in; their sessions end.
    Lock {
        #[serde(default)]
        reason: Option<String>,
    },
    Unlock,
    /// `confirm_count` must be the number of users the selection names.
    Delete {
        confirm_count: u64,
    },
    AddToGroup {
        group_id: Uuid,
    },
    RemoveFromGroup {
        group_id: Uuid,
    },
    AssignRole {
        role_id: Uuid,
    },
    RemoveRole {
        role_id: Uuid,
    },
}

impl BulkAction {
    /// The permission the action needs besides `users:write` (which the endpoint needs).
    pub fn permission(&self) -> Permission {
        match self {
            BulkAction::Disable { .. }
            | BulkAction::Enable
            | BulkAction::Lock { .. }
            | BulkAction::Unlock => Permission::UsersWrite,
            BulkAction::Delete { .. } => Permission::UsersDelete,
            BulkAction::AddToGroup { .. } | BulkAction::RemoveFromGroup { .. } => {
                Permission::GroupsWrite
            }
            BulkAction::AssignRole { .. } | BulkAction::RemoveRole { .. } => Permission::RolesWrite,
        }
    }

    /// "disable", as in "Nothing to disable".
    pub fn verb(&self) -> &'static str {
        match self {
            BulkAction::Disable { .. } => "disable",
            BulkAction::Enable => "enable",
            BulkAction::Lock { .. } => "lock",
            BulkAction::Unlock => "unlock",
            BulkAction::Delete { .. } => "delete",
            BulkAction::AddToGroup { .. } => "add to the group",
            BulkAction::RemoveFromGroup { .. } => "remove from the group",
            BulkAction::AssignRole { .. } => "give the role",
            BulkAction::RemoveRole { .. } => "take the role from",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            BulkAction::Disable { reason } | BulkAction::Lock { reason } => rules::clean(reason),
            _ => None,
        }
    }
}

/// Which users: these ids, or every user the list's filter matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkSelection {
    Ids(Vec<Uuid>),
    /// The users list's filters (paging and order are ignored).
    Filter(UserListQuery),
}

/// `POST /users/bulk`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub action: BulkAction,
    pub selection: BulkSelection,
    /// Say what would happen; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

impl BulkRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        report.check_opt("action.reason", self.action.reason(), rules::reason);
        match &self.selection {
            BulkSelection::Ids(ids) if ids.is_empty() => {
                report.check("selection", Err("Choose at least one user.".into()));
            }
            BulkSelection::Ids(ids) if ids.len() > MAX_BULK_USERS => {
                report.check(
                    "selection",
                    Err(format!("Choose at most {MAX_BULK_USERS} users at once.")),
                );
            }
            BulkSelection::Filter(query) => {
                if let Err(errors) = query.validate() {
                    for error in errors {
                        report.check(&format!("selection.{}", error.field), Err(error.message));
                    }
                }
            }
            BulkSelection::Ids(_) => {}
        }
        report.finish()
    }
}

/// What happened to one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// Changed (or, in a dry run, would be).
    Done,
    /// Nothing to do: already so, or no longer there.
    Skipped,
    /// Not allowed: own account, the last administrator, a stronger user.
    Refused,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkUserResult {
    pub user_id: Uuid,
    /// Empty for an id that matches no user.
    pub email: String,
    pub outcome: BulkOutcome,
    /// Why it was skipped or refused.
    pub reason: Option<String>,
}

/// The answer: one result per user, in the selection's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub dry_run: bool,
    pub done: u64,
    pub skipped: u64,
    pub refused: u64,
    pub results: Vec<BulkUserResult>,
}

impl BulkResult {
    pub fn new(dry_run: bool, results: Vec<BulkUserResult>) -> Self {
        let count = |o: BulkOutcome| results.iter().filter(|r| r.outcome == o).count() as u64;
        Self {
            dry_run,
            done: count(BulkOutcome::Done),
            skipped: count(BulkOutcome::Skipped),
            refused: count(BulkOutcome::Refused),
            results,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_read_as_documented() {
        let request: BulkRequest = serde_json::from_value(json!({
            "action": {"kind": "disable", "reason": "Offboarding"},
            "selection": {"filter": {"status": "ACTIVE", "search": "contractor"}},
            "dry_run": true,
        }))
        .unwrap();
        assert_eq!(request.action.reason(), Some("Offboarding"));
        assert!(request.validate().is_ok());
        let empty: BulkRequest = serde_json::from_value(json!({
            "action": {"kind": "add_to_group", "group_id": Uuid::nil()},
            "selection": {"ids": []},
        }))
        .unwrap();
        assert_eq!(empty.validate().unwrap_err()[0].field, "selection");
        assert_eq!(empty.action.permission(), Permission::GroupsWrite);
    }
}
