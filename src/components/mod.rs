//! Widgets shared by every page.

pub mod banner;
pub mod dialog;
pub mod field;
pub mod icons;
pub mod pager;
pub mod status;
pub mod theme;
pub mod time;
pub mod toast;
