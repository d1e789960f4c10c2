//! The one colour language for states (a user's status, an invite's, a message's):
//! always a text label beside the colour.

use gatehouse_api::api_keys::{ApiKey, ApiKeyStatus, EXPIRING_SOON_DAYS};
use gatehouse_api::invites::{Delivery, DeliveryStatus, InviteStatus};
use gatehouse_api::users::UserStatus;
use leptos::prelude::*;

use super::time::{now, RelativeTime};

/// The CSS modifier of a status: green, amber, grey or red.
pub fn status_tone(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "ok",
        UserStatus::PendingEmailVerification | UserStatus::PendingApproval => "pending",
        UserStatus::Disabled => "off",
        UserStatus::Locked => "danger",
    }
}

/// A coloured label; `state` (the API's name for it) lets tests find it.
#[component]
pub fn Badge(tone: &'static str, label: &'static str, state: &'static str) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{tone}") data-status=state>
            <span class="badge-dot" aria-hidden="true"></span>
            {label}
        </span>
    }
}

#[component]
pub fn StatusBadge(status: UserStatus) -> impl IntoView {
    view! { <Badge tone=status_tone(status) label=status.label() state=status.as_str() /> }
}

#[component]
pub fn InviteStatusBadge(status: InviteStatus) -> impl IntoView {
    let tone = match status {
        InviteStatus::Pending => "pending",
        InviteStatus::Accepted => "ok",
        InviteStatus::Expired | InviteStatus::Revoked => "off",
    };
    view! { <Badge tone label=status.label() state=status.as_str() /> }
}

/// Where a message is: queued, sent, or failed with the server's last error and when
/// it is tried again. `None`: the server does not send mail.
#[component]
pub fn DeliveryBadge(delivery: Option<Delivery>) -> impl IntoView {
    let Some(delivery) = delivery else {
        return view! { <Badge tone="off" label="Not mailed" state="NONE" /> }.into_any();
    };
    let (tone, label) = match delivery.status {
        DeliveryStatus::Queued => ("pending", "Queued"),
        DeliveryStatus::Sent => ("ok", "Sent"),
        DeliveryStatus::Failed => ("danger", "Failed"),
    };
    let failure = (delivery.status == DeliveryStatus::Failed).then(|| {
        let retry = delivery.next_attempt_at.map(|at| {
            view! { " Next try " <RelativeTime time=Some(at) /> "." }
        });
        view! {
            <span class="delivery-error">
                {delivery.last_error.clone().unwrap_or_default()}
                {match retry {
                    Some(retry) => retry.into_any(),
                    None => " No more automatic tries.".into_any(),
                }}
            </span>
        }
    });
    view! {
        <span class="delivery">
            <Badge tone label state=delivery.status.as_str() />
            {failure}
        </span>
    }
    .into_any()
}

#[component]
pub fn ApiKeyStatusBadge(status: ApiKeyStatus) -> impl IntoView {
    let tone = match status {
        ApiKeyStatus::Active => "ok",
        ApiKeyStatus::Expired => "off",
        ApiKeyStatus::Revoked => "danger",
    };
    view! { <Badge tone label=status.label() state=status.as_str() /> }
}

/// When a key expires, with a warning for an active key about to: whatever uses it
/// stops working then, and someone should make its successor first.
#[component]
pub fn KeyExpiry(key: ApiKey) -> impl IntoView {
    let soon = key.expires_within(now(), EXPIRING_SOON_DAYS);
    view! {
        <span class="key-expiry">
            <RelativeTime time=key.expires_at never="Never" />
            {soon.then(|| view! { <Badge tone="pending" label="Expires soon" state="EXPIRING_SOON" /> })}
        </span>
    }
}
