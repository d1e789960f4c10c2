//! The Invites area: the list (with resend and revoke, one or many) and "Invite people".

mod invite_dialog;
mod list;
mod new_link;
mod table;

pub use invite_dialog::InviteDialog;
pub use list::{revoke_summary, InvitesPage};
