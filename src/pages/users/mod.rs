//! The Users area: the list, a user's page with its tabs, and the create form.

mod actions;
mod api_keys_tab;
mod approvals;
mod bulk;
mod detail;
mod filters;
mod form;
mod groups_tab;
mod import;
mod list;
mod mail_tab;
mod new;
mod roles_tab;
mod service_account;
mod table;

pub use api_keys_tab::UserApiKeysTab;
pub use approvals::{decision_summary, Decision, Outcome, PendingApprovalsList, DENIED_REASON};
pub use bulk::{bulk_summary, BulkBar, BulkDialog};
pub use detail::{UserDetailPage, UserProfileTab};
pub use filters::{GroupFilterLabel, GroupFilterSearch};
pub use form::{UserDraft, UserForm};
pub use groups_tab::UserGroupsTab;
pub use import::{import_summary, report_csv, ImportUsersPage};
pub use list::UsersPage;
pub use mail_tab::UserMailTab;
pub use new::NewUserPage;
pub use roles_tab::UserRolesTab;
pub use service_account::ServiceAccountDialog;
pub use table::{user_columns, SortState, UsersTable};
