//! The invites table: who, where the invite is, what it grants, whether its mail left,
//! and what can be done with it.

use gatehouse_api::endpoints;
use gatehouse_api::invites::{Invite, InviteSortBy, InviteStatus};
use leptos::prelude::*;

use crate::components::guarded::GuardedButton;
use crate::components::link::A;
use crate::components::status::{DeliveryBadge, InviteStatusBadge};
use crate::components::table::Column;
use crate::components::time::RelativeTime;

/// What a row's buttons do; provided by the page.
#[derive(Clone, Copy)]
pub struct RowActions {
    pub resend: Callback<Invite>,
    pub revoke: Callback<Invite>,
}

/// "Admin, Support" and "Engineering" as one line each; a dash when empty.
fn names(names: impl Iterator<Item = String>) -> String {
    let joined = names.collect::<Vec<_>>().join(", ");
    if joined.is_empty() {
        "—".into()
    } else {
        joined
    }
}

pub fn invite_columns() -> Vec<Column<Invite, InviteSortBy>> {
    vec![
        Column::new("Email", |i: &Invite| {
            let (email, title) = (i.email.clone(), i.email.clone());
            view! { <span title=title>{email}</span> }.into_any()
        })
        .class("cell-email")
        .sorted_by(InviteSortBy::Email),
        Column::new("Status", |i: &Invite| {
            let user = i.user.clone().map(|u| {
                let href = format!("/users/{}", u.id);
                view! { <A href=href>{u.email}</A> }
            });
            view! { <InviteStatusBadge status=i.status /> " " {user} }.into_any()
        }),
        Column::new("Grants", |i: &Invite| {
            let roles = names(i.roles.iter().map(|r| r.name.clone()));
            let groups = names(i.groups.iter().map(|g| g.name.clone()));
            view! {
                <span class="grants">
                    <span><span class="muted">"Roles: "</span>{roles}</span>
                    <span><span class="muted">"Groups: "</span>{groups}</span>
                </span>
            }
            .into_any()
        }),
        Column::new("Email delivery", |i: &Invite| {
            view! { <DeliveryBadge delivery=i.delivery.clone() /> }.into_any()
        }),
        Column::new("Invited by", |i: &Invite| {
            i.invited_by
                .as_ref()
                .map_or_else(|| "—".to_owned(), |u| u.email.clone())
                .into_any()
        }),
        Column::new("Invited", |i: &Invite| {
            view! { <RelativeTime time=Some(i.created_at) /> }.into_any()
        })
        .sorted_by(InviteSortBy::CreatedAt),
        Column::new("Expires", |i: &Invite| {
            view! { <RelativeTime time=Some(i.expires_at) /> }.into_any()
        })
        .sorted_by(InviteSortBy::ExpiresAt),
        Column::new("Actions", |i: &Invite| {
            view! { <InviteRowActions invite=i.clone() /> }.into_any()
        }),
    ]
}

/// Resend (a new link, mailed again) for pending and expired invites; revoke for
/// pending ones.
#[component]
fn InviteRowActions(invite: Invite) -> impl IntoView {
    let actions = expect_context::<RowActions>();
    let open = matches!(invite.status, InviteStatus::Pending | InviteStatus::Expired);
    let pending = invite.status == InviteStatus::Pending;
    let resend_label = format!("Resend the invite to {}", invite.email);
    let revoke_label = format!("Revoke the invite to {}", invite.email);
    let for_revoke = invite.clone();
    view! {
        <span class="row-actions">
            {open.then(|| view! {
                <GuardedButton label="Resend" endpoint=endpoints::INVITES_RESEND aria_label=resend_label
                    on_click=Callback::new(move |()| actions.resend.run(invite.clone())) />
            })}
            {pending.then(|| view! {
                <GuardedButton label="Revoke" endpoint=endpoints::INVITES_REVOKE aria_label=revoke_label
                    on_click=Callback::new(move |()| actions.revoke.run(for_revoke.clone())) />
            })}
        </span>
    }
}
