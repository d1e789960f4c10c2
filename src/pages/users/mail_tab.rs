//! `/users/:id/mail`: the messages sent to a user (invitation, welcome, reset links),
//! whether each left, and why not; a failed link can be sent again.

use gatehouse_api::endpoints;
use gatehouse_api::invites::{Delivery, DeliveryStatus, MailKind};
use leptos::prelude::*;

use super::detail::CurrentUser;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::guarded::GuardedButton;
use crate::components::status::DeliveryBadge;
use crate::components::time::RelativeTime;
use crate::components::toast::use_toasts;
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

#[component]
pub fn UserMailTab() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let CurrentUser {
        user, protection, ..
    } = expect_context::<CurrentUser>();
    let Some(user_id) = user.with_untracked(|u| u.as_ref().map(|u| u.id)) else {
        return ().into_any();
    };
    let mail = Fetched::new(move || api::users::mail_of(session, user_id));
    let send_again = Task::new(move |_: &()| async move {
        match api::users::send_reset_link(session, user_id).await {
            Ok(user) => {
                toasts.success(format!(
                    "A new password link is on its way to {}.",
                    user.email
                ));
                mail.refetch();
            }
            Err(e) => toasts.error(e.first_message()),
        }
    });
    let row = move |delivery: Delivery| {
        let retry = delivery.status == DeliveryStatus::Failed
            && matches!(delivery.kind, MailKind::PasswordReset | MailKind::Welcome);
        view! {
            <tr>
                <td>{delivery.kind.label()}</td>
                <td class="cell-email">{delivery.to.clone()}</td>
                <td><RelativeTime time=Some(delivery.created_at) /></td>
                <td><DeliveryBadge delivery=Some(delivery.clone()) /></td>
                <td>{retry.then(|| view! {
                    <GuardedButton label="Send a new link" endpoint=endpoints::USERS_RESET_PASSWORD blocked=protection
                        disabled=send_again.pending() on_click=Callback::new(move |()| { send_again.dispatch(()); }) />
                })}</td>
            </tr>
        }
    };
    let body = move || {
        match mail.get() {
        None => view! { <p class="muted" aria-busy="true">"Loading messages…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| mail.refetch()) /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No email has been sent to this user."</p> }.into_any(),
        Some(Ok(list)) => view! {
            <div class="table-wrap">
                <table class="table">
                    <caption class="sr-only">"Email sent to this user"</caption>
                    <thead><tr>
                        <th scope="col">"Message"</th><th scope="col">"To"</th><th scope="col">"Created"</th>
                        <th scope="col">"Delivery"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }.into_any(),
    }
    };
    view! {
        <section class="tab-panel" aria-label="Email">
            <div class="toolbar">
                <button type="button" class="button button-quiet" on:click=move |_| mail.refetch()>"Refresh"</button>
            </div>
            {body}
        </section>
    }
    .into_any()
}
