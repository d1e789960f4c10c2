//! The one colour language for user status: always with a text label.

use gatehouse_api::users::UserStatus;
use leptos::prelude::*;

/// The CSS modifier of a status: green, amber, grey or red.
pub fn status_tone(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "ok",
        UserStatus::PendingEmailVerification | UserStatus::PendingApproval => "pending",
        UserStatus::Disabled => "off",
        UserStatus::Locked => "danger",
    }
}

#[component]
pub fn StatusBadge(status: UserStatus) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{}", status_tone(status)) data-status=status.as_str()>
            <span class="badge-dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}
