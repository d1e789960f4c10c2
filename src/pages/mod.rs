//! One folder (or file) per area of the console.

mod login;
mod not_found;
mod setup;
mod shell;
pub mod users;

pub use login::LoginPage;
pub use not_found::NotFound;
pub use setup::SetupPage;
pub use shell::Shell;

/// A same-site path to return to after signing in (never another origin).
pub fn safe_return_path(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login"))
        .unwrap_or_else(|| "/users".to_owned())
}
