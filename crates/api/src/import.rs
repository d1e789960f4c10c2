//! Importing users from CSV: which column feeds which field (guessed from the headers,
//! changeable), the request, and the per-row report. The server parses the file with the
//! `csv` crate; this crate holds only the rules both sides share.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::users::UserStatus;
use crate::validation::Report;
use crate::FieldError;

/// Largest file an import takes.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
/// Most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// Rows shown before anything runs.
pub const PREVIEW_ROWS: usize = 5;
/// Separates several group or role names in one cell.
pub const NAME_SEPARATOR: char = ';';

/// A field of a user a column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportField {
    Email,
    Username,
    FirstName,
    LastName,
    DisplayName,
    Phone,
    Locale,
    Timezone,
    /// `ACTIVE`, `DISABLED` or `LOCKED`.
    Status,
    /// Group names, separated by `;`; the user joins each (and leaves none).
    Groups,
    /// Role names, separated by `;`; the user gains each (and loses none).
    Roles,
}

deserialize_by_wire_name!(ImportField, named_by key);

impl ImportField {
    pub const ALL: [ImportField; 11] = [
        ImportField::Email,
        ImportField::Username,
        ImportField::FirstName,
        ImportField::LastName,
        ImportField::DisplayName,
        ImportField::Phone,
        ImportField::Locale,
        ImportField::Timezone,
        ImportField::Status,
        ImportField::Groups,
        ImportField::Roles,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            ImportField::Email => "email",
            ImportField::Username => "username",
            ImportField::FirstName => "first_name",
            ImportField::LastName => "last_name",
            ImportField::DisplayName => "display_name",
            ImportField::Phone => "phone",
            ImportField::Locale => "locale",
            ImportField::Timezone => "timezone",
            ImportField::Status => "status",
            ImportField::Groups => "groups",
            ImportField::Roles => "roles",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ImportField::Email => "Email",
            ImportField::Username => "Username",
            ImportField::FirstName => "First name",
            ImportField::LastName => "Last name",
            ImportField::DisplayName => "Display name",
            ImportField::Phone => "Phone",
            ImportField::Locale => "Locale",
            ImportField::Timezone => "Time zone",
            ImportField::Status => "Status",
            ImportField::Groups => "Groups (names, separated by ;)",
            ImportField::Roles => "Roles (names, separated by ;)",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The field a header most likely means, if any: `E-mail`, `Given name`,
    /// `Surname`, `first_name` (as exported) and the like.
    pub fn guess(header: &str) -> Option<Self> {
        let plain: String = header
            .trim()
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match plain.as_str() {
            "email" | "emailaddress" | "mail" | "workemail" => ImportField::Email,
            "username" | "login" | "userid" | "user" => ImportField::Username,
            "firstname" | "givenname" | "first" | "forename" => ImportField::FirstName,
            "lastname" | "surname" | "familyname" | "last" => ImportField::LastName,
            "displayname" | "name" | "fullname" => ImportField::DisplayName,
            "phone" | "phonenumber" | "mobile" | "telephone" => ImportField::Phone,
            "locale" | "language" => ImportField::Locale,
            "timezone" | "tz" => ImportField::Timezone,
            "status" | "state" => ImportField::Status,
            "groups" | "group" => ImportField::Groups,
            "roles" | "role" => ImportField::Roles,
            _ => return None,
        })
    }
}

/// Which column feeds which field: one entry per column of the file, in order;
/// `None` leaves the column out.
pub type Mapping = Vec<Option<ImportField>>;

/// The mapping guessed from a header row: each field taken by its first column.
pub fn guess_mapping(headers: &[String]) -> Mapping {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            ImportField::guess(h).filter(|f| {
                let free = !taken.contains(f);
                taken.push(*f);
                free
            })
        })
        .collect()
}

/// A cell as a spreadsheet would have written it back: the `'` an export put before a
/// formula-looking value is taken off; a cell that would still run as a formula is
/// refused (the text says why).
pub fn read_cell(cell: &str) -> Result<Cow<'_, str>, String> {
    let cell = cell.trim();
    if let Some(rest) = cell.strip_prefix('\'') {
        if rest.starts_with(['=', '+', '-', '@']) {
            return Ok(Cow::Borrowed(rest));
        }
    }
    let number_like = |rest: &str| {
        rest.chars()
            .all(|c| c.is_ascii_digit() || " ().-/".contains(c))
    };
    match cell.chars().next() {
        Some('=') | Some('@') => Err(format!(
            "{cell:?} looks like a spreadsheet formula; remove it, or put ' before it to keep it as text."
        )),
        Some(sign @ ('+' | '-')) if !number_like(&cell[sign.len_utf8()..]) => Err(format!(
            "{cell:?} looks like a spreadsheet formula; remove it, or put ' before it to keep it as text."
        )),
        _ => Ok(Cow::Borrowed(cell)),
    }
}

/// `POST /users/import`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The file's text (UTF-8), header row first.
    pub csv: String,
    /// One entry per column; absent: guessed from the headers.
    #[serde(default)]
    pub mapping: Option<Mapping>,
    /// Say what would happen; change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Mail each new user a link to choose a password (needs mail set up).
    #[serde(default)]
    pub send_welcome_email: bool,
}

impl ImportRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut report = Report::new();
        if self.csv.len() > MAX_IMPORT_BYTES {
            report.check(
                "csv",
                Err(format!(
                    "The file is larger than {} MB; split it into smaller files.",
                    MAX_IMPORT_BYTES / 1024 / 1024
                )),
            );
        } else if self.csv.trim().is_empty() {
            report.check("csv", Err("The file is empty.".into()));
        }
        if let Some(mapping) = &self.mapping {
            let mut seen = Vec::new();
            for field in mapping.iter().flatten() {
                if seen.contains(field) {
                    report.check(
                        "mapping",
                        Err(format!("Two columns are set to {}.", field.label())),
                    );
                }
                seen.push(*field);
            }
            if !seen.contains(&ImportField::Email) {
                report.check(
                    "mapping",
                    Err("Choose the column that holds the email address.".into()),
                );
            }
        }
        report.finish()
    }
}

/// What happened (or would happen) to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    /// A user with the row's email existed and some field differed.
    Updated,
    /// A user with the row's email existed and already matched the row.
    Unchanged,
    Error,
}

impl RowOutcome {
    pub const fn label(self) -> &'static str {
        match self {
            RowOutcome::Created => "Create",
            RowOutcome::Updated => "Update",
            RowOutcome::Unchanged => "Unchanged",
            RowOutcome::Error => "Error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub email: String,
    pub outcome: RowOutcome,
    /// For an update, the fields it changes; for an error, why.
    pub detail: Option<String>,
}

/// The answer: the columns as read and mapped, the first rows, and a result per row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    /// The first rows as read, for checking the mapping.
    pub preview: Vec<Vec<String>>,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: u64,
    pub rows: Vec<ImportRow>,
}

impl ImportReport {
    /// Counts the outcomes of `rows`.
    pub fn tally(&mut self) {
        let count = |o: RowOutcome| self.rows.iter().filter(|r| r.outcome == o).count() as u64;
        self.created = count(RowOutcome::Created);
        self.updated = count(RowOutcome::Updated);
        self.unchanged = count(RowOutcome::Unchanged);
        self.errors = count(RowOutcome::Error);
    }
}

/// The statuses a row may set.
pub fn import_status(text: &str) -> Result<UserStatus, String> {
    match UserStatus::parse(&text.trim().to_uppercase()) {
        Some(s @ (UserStatus::Active | UserStatus::Disabled | UserStatus::Locked)) => Ok(s),
        _ => Err(format!(
            "Status {text:?} is not one of ACTIVE, DISABLED or LOCKED."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_people_write_are_understood() {
        let headers: Vec<String> = ["E-mail", "Given name", "Surname", "Department", "email"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            guess_mapping(&headers),
            vec![
                Some(ImportField::Email),
                Some(ImportField::FirstName),
                Some(ImportField::LastName),
                None,
                None
            ]
        );
        assert_eq!(
            ImportField::guess("\u{feff}first_name"),
            Some(ImportField::FirstName)
        );
    }

    #[test]
    fn exported_cells_come_back_and_formulas_are_refused() {
        assert_eq!(read_cell("'=SUM(A1)").unwrap(), "=SUM(A1)");
        assert_eq!(read_cell("+1 555 0100").unwrap(), "+1 555 0100");
        assert_eq!(read_cell(" Ada ").unwrap(), "Ada");
        assert!(read_cell("=HYPERLINK(\"http://x\")").is_err());
        assert!(read_cell("@SUM(1)").is_err());
        assert!(read_cell("-2+3*cmd").is_err());
    }

    #[test]
    fn a_mapping_needs_one_email_column_and_no_field_twice() {
        let request = |mapping: Mapping| ImportRequest {
            csv: "a,b\n1,2\n".into(),
            mapping: Some(mapping),
            dry_run: true,
            send_welcome_email: false,
        };
        assert!(request(vec![Some(ImportField::Email), None])
            .validate()
            .is_ok());
        assert!(request(vec![None, None]).validate().is_err());
        assert!(
            request(vec![Some(ImportField::Email), Some(ImportField::Email)])
                .validate()
                .is_err()
        );
    }
}
