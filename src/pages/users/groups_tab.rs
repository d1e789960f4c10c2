//! `/users/:id/groups`: the groups a user belongs to; join and leave them here.

use gatehouse_api::endpoints;
use gatehouse_api::groups::GroupRef;
use leptos::prelude::*;

use super::detail::CurrentUser;
use crate::api::{self, ApiError};
use crate::components::banner::ErrorBanner;
use crate::components::chips::GroupChip;
use crate::components::guarded::GuardedButton;
use crate::components::link::A;
use crate::components::pickers::GroupPicker;
use crate::components::shown::Shown;
use crate::components::toast::use_toasts;
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

#[component]
pub fn UserGroupsTab() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let CurrentUser {
        user, protection, ..
    } = expect_context::<CurrentUser>();
    let Some(user_id) = user.with_untracked(|u| u.as_ref().map(|u| u.id)) else {
        return ().into_any();
    };
    let groups = Fetched::new(move || api::users::groups_of(session, user_id));
    let report = move |result: Result<String, ApiError>| match result {
        Ok(message) => {
            toasts.success(message);
            groups.refetch();
        }
        Err(e) => toasts.error(e.message()),
    };
    let join = Task::new(move |group: &GroupRef| {
        let group = group.clone();
        async move {
            let result = api::groups::add_members(session, group.id, vec![user_id]).await;
            report(result.map(|_| format!("Added to {}.", group.name)));
        }
    });
    let leave = Task::new(move |group: &GroupRef| {
        let group = group.clone();
        async move {
            let result = api::groups::remove_members(session, group.id, vec![user_id]).await;
            report(result.map(|_| format!("Removed from {}.", group.name)));
        }
    });
    let cannot_join = Signal::derive(move || {
        session
            .missing_for(&endpoints::GROUPS_ADD_MEMBERS)
            .is_some()
    });

    let list = move || {
        match groups.get() {
        None => view! { <p class="muted" aria-busy="true">"Loading groups…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| groups.refetch()) /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"Not a member of any group."</p> }.into_any(),
        Some(Ok(list)) => view! {
            <ul class="item-list">
                {list.into_iter().map(|group| {
                    let for_leave = group.clone();
                    let remove_label = format!("Remove from {}", group.name);
                    view! {
                        <li>
                            <A href=format!("/groups/{}", group.id)><GroupChip name=group.name.clone() color=group.color.clone() /></A>
                            <GuardedButton label="Remove" endpoint=endpoints::GROUPS_REMOVE_MEMBERS
                                aria_label=remove_label blocked=protection
                                on_click=Callback::new(move |()| { leave.dispatch(for_leave.clone()); }) />
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any(),
    }
    };
    view! {
        <section class="tab-panel" aria-label="Groups">
            <div class="split">
                <div>
                    <h2>"Member of"</h2>
                    {list}
                </div>
                <div>
                    <h2>"Add to a group"</h2>
                    <Shown when=move || cannot_join.get()>
                        <p class="muted">"Adding people to groups needs the groups:write permission."</p>
                    </Shown>
                    <GroupPicker disabled=cannot_join on_pick=Callback::new(move |group| { join.dispatch(group); }) />
                </div>
            </div>
        </section>
    }
    .into_any()
}
