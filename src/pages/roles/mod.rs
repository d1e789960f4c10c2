//! The Roles area: the list, a role's page (settings, holders) and the create form.

mod detail;
mod form;
mod list;

pub use detail::{RoleDetailPage, RoleHoldersTab, RoleSettingsTab};
pub use form::NewRolePage;
pub use list::RolesPage;
