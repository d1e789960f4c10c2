//! Exporting lists as CSV: the columns a users export may hold, its query (the list's
//! filters and order, every matching row), and the cell rule that keeps a spreadsheet
//! from running what a user typed.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::query::SortOrder;
use crate::users::{IdentitySource, UserKind, UserListQuery, UserSortBy, UserStatus};
use crate::validation::{self as rules, Report};
use crate::FieldError;

/// A column of the users export, in the default order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserColumn {
    Id,
    Email,
    Username,
    FirstName,
    LastName,
    DisplayName,
    Status,
    IdentitySource,
    Kind,
    MfaEnabled,
    EmailVerified,
    CreatedAt,
    LastLoginAt,
}

impl UserColumn {
    pub const ALL: [UserColumn; 13] = [
        UserColumn::Id,
        UserColumn::Email,
        UserColumn::Username,
        UserColumn::FirstName,
        UserColumn::LastName,
        UserColumn::DisplayName,
        UserColumn::Status,
        UserColumn::IdentitySource,
        UserColumn::Kind,
        UserColumn::MfaEnabled,
        UserColumn::EmailVerified,
        UserColumn::CreatedAt,
        UserColumn::LastLoginAt,
    ];

    /// The header of the column, which is also its name in `columns=`.
    pub fn key(self) -> &'static str {
        match self {
            UserColumn::Id => "id",
            UserColumn::Email => "email",
            UserColumn::Username => "username",
            UserColumn::FirstName => "first_name",
            UserColumn::LastName => "last_name",
            UserColumn::DisplayName => "display_name",
            UserColumn::Status => "status",
            UserColumn::IdentitySource => "identity_source",
            UserColumn::Kind => "kind",
            UserColumn::MfaEnabled => "mfa_enabled",
            UserColumn::EmailVerified => "email_verified",
            UserColumn::CreatedAt => "created_at",
            UserColumn::LastLoginAt => "last_login_at",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// `GET /users/export`: the users list's filters and order (no paging: every matching
/// row), and the columns wanted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UserExportQuery {
    pub search: Option<String>,
    pub status: Option<UserStatus>,
    pub identity_source: Option<IdentitySource>,
    pub kind: Option<UserKind>,
    pub mfa_enabled: Option<bool>,
    pub sort_by: Option<UserSortBy>,
    pub sort_order: Option<SortOrder>,
    pub group_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    /// Column names separated by commas, in the order wanted (default: all, in the
    /// order of [`UserColumn::ALL`]).
    pub columns: Option<String>,
}

impl UserExportQuery {
    /// The same rows as the list with this query shows, over all its pages.
    pub fn filter(&self) -> UserListQuery {
        UserListQuery {
            search: self.search.clone(),
            status: self.status,
            identity_source: self.identity_source,
            kind: self.kind,
            mfa_enabled: self.mfa_enabled,
            sort_by: self.sort_by,
            sort_order: self.sort_order,
            group_id: self.group_id,
            role_id: self.role_id,
            ..UserListQuery::default()
        }
    }

    /// The columns, or why they cannot be exported (unknown or repeated names).
    pub fn columns(&self) -> Result<Vec<UserColumn>, Vec<FieldError>> {
        let Some(list) = self.columns.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Ok(UserColumn::ALL.to_vec());
        };
        let mut columns = Vec::new();
        let mut report = Report::new();
        for name in list.split(',').map(str::trim) {
            match UserColumn::parse(name) {
                Some(column) if columns.contains(&column) => {
                    report.check("columns", Err(format!("{name} is named twice.")));
                }
                Some(column) => columns.push(column),
                None => {
                    let known: Vec<&str> = UserColumn::ALL.iter().map(|c| c.key()).collect();
                    report.check(
                        "columns",
                        Err(format!(
                            "There is no column {name:?}; the columns are {}.",
                            known.join(", ")
                        )),
                    );
                }
            }
        }
        report.check_opt("search", self.search.as_deref(), rules::search);
        report.finish().map(|()| columns)
    }
}

/// A cell as it may go into a CSV file: text a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// which spreadsheets show as text (OWASP's advice for CSV injection).
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_the_rest_is_untouched() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+1"), "'+1");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\tx"), "'\tx");
        assert_eq!(safe_cell("ada@example.com"), "ada@example.com");
        assert_eq!(safe_cell(""), "");
    }

    #[test]
    fn columns_are_all_by_default_and_named_ones_in_their_order() {
        assert_eq!(
            UserExportQuery::default().columns().unwrap(),
            UserColumn::ALL.to_vec()
        );
        let query = UserExportQuery {
            columns: Some("email, status".into()),
            ..Default::default()
        };
        assert_eq!(
            query.columns().unwrap(),
            [UserColumn::Email, UserColumn::Status]
        );
        for bad in ["email,email", "email,password_hash"] {
            let query = UserExportQuery {
                columns: Some(bad.into()),
                ..Default::default()
            };
            assert_eq!(query.columns().unwrap_err()[0].field, "columns", "{bad}");
        }
    }
}
