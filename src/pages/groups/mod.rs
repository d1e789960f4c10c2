//! The Groups area: the list, a group's page (settings, members) and the create form.

mod detail;
mod form;
mod list;
mod members;

pub use detail::{GroupDetailPage, GroupSettingsTab};
pub use form::NewGroupPage;
pub use list::GroupsPage;
pub use members::GroupMembersTab;
