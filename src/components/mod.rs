//! Widgets shared by every page.

pub mod banner;
pub mod breadcrumbs;
pub mod chips;
pub mod clipboard;
pub mod confirm;
pub mod debounce;
pub mod dialog;
pub mod download;
pub mod field;
pub mod form_frame;
pub mod guarded;
pub mod icons;
pub mod lazy;
pub mod list;
pub mod new_password;
pub mod pager;
pub mod permission_picker;
pub mod pickers;
pub mod role_checklist;
pub mod sign_in;
pub mod status;
pub mod table;
pub mod tabs;
pub mod theme;
pub mod time;
pub mod toast;
