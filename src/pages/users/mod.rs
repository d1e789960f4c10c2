//! The Users area: the list, a user's page with its tabs, and the create form.

mod actions;
mod detail;
mod form;
mod list;
mod new;
mod table;

pub use detail::{UserDetailPage, UserProfileTab};
pub use form::{UserDraft, UserForm};
pub use list::UsersPage;
pub use new::NewUserPage;
pub use table::{SortState, UsersTable};
