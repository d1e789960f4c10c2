//! `/groups/:id/members`: who is in the group; add many at once, remove a selection.
//! Search and page are in the query string like every list.

use std::collections::BTreeSet;

use gatehouse_api::endpoints;
use gatehouse_api::groups::{MemberOutcome, MembersResult};
use gatehouse_api::users::{User, UserListQuery};
use leptos::prelude::*;
use uuid::Uuid;

use super::detail::CurrentGroup;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::confirm::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::download::CsvDownload;
use crate::components::guarded::GuardedButton;
use crate::components::list::{ListResults, ListState, SearchBox};
use crate::components::pickers::UserPicker;
use crate::components::table::{Selection, Sorting};
use crate::components::toast::use_toasts;
use crate::pages::users::UsersTable;
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

/// "Added 3; 1 was already a member."
pub fn summarise(result: &MembersResult) -> String {
    let parts = [
        (MemberOutcome::Added, "added"),
        (MemberOutcome::AlreadyMember, "already a member"),
        (MemberOutcome::Removed, "removed"),
        (MemberOutcome::NotMember, "not a member"),
        (MemberOutcome::UserNotFound, "not found"),
    ];
    let said: Vec<String> = parts
        .iter()
        .filter_map(|(outcome, words)| {
            let n = result.count(*outcome);
            (n > 0).then(|| format!("{n} {words}"))
        })
        .collect();
    format!(
        "{}. The group has {} members.",
        said.join(", "),
        result.member_count
    )
}

#[component]
pub fn GroupMembersTab() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let CurrentGroup { group, reload } = expect_context::<CurrentGroup>();
    let Some(group_id) = group.with_untracked(|g| g.as_ref().map(|g| g.id)) else {
        return ().into_any();
    };
    let list = ListState::<UserListQuery>::from_url();
    let query = list.query;
    let members = Fetched::new(move || {
        let query = query.get();
        async move { api::groups::members(session, group_id, &query).await }
    });
    let selected = RwSignal::new(BTreeSet::<Uuid>::new());
    let Sorting {
        state: sort,
        on_sort,
    } = list.url_sorting();

    // After any change: the list, the group's count, and the selection start afresh.
    let changed = move |result: MembersResult| {
        toasts.success(summarise(&result));
        selected.set(BTreeSet::new());
        members.refetch();
        reload.run(());
    };
    let remove_open = RwSignal::new(false);
    let remove_error = RwSignal::new(None::<String>);
    let remove = Task::new(move |_: &()| {
        let ids: Vec<Uuid> = selected.get_untracked().into_iter().collect();
        async move {
            match api::groups::remove_members(session, group_id, ids).await {
                Ok(result) => {
                    remove_open.set(false);
                    remove_error.set(None);
                    changed(result);
                }
                Err(e) => remove_error.set(Some(e.message())),
            }
        }
    });
    let remove_message = Signal::derive(move || {
        let n = selected.with(BTreeSet::len);
        let name = group
            .with(|g| g.as_ref().map(|g| g.name.clone()))
            .unwrap_or_default();
        format!("{n} people leave {name} and lose the roles it grants. Their accounts stay as they are.")
    });
    let add_open = RwSignal::new(false);
    let rows = Callback::new(move |page: Vec<User>| {
        let selection = Selection {
            chosen: selected,
            id: |u: &User| u.id,
            name: |u: &User| u.email.clone(),
        };
        view! { <UsersTable caption="Members" users=page sort on_sort selection /> }.into_any()
    });

    view! {
        <section class="tab-panel" aria-label="Members">
            <div class="toolbar">
                <SearchBox state=list label="Search members" placeholder="Search members" />
                <GuardedButton label="Add members" class="button-primary" endpoint=endpoints::GROUPS_ADD_MEMBERS
                    on_click=Callback::new(move |()| add_open.set(true)) />
                <GuardedButton label="Remove selected" endpoint=endpoints::GROUPS_REMOVE_MEMBERS
                    disabled=Signal::derive(move || selected.with(BTreeSet::is_empty))
                    on_click=Callback::new(move |()| remove_open.set(true)) />
                <span class="muted" aria-live="polite">{move || {
                    let n = selected.with(BTreeSet::len);
                    (n > 0).then(|| format!("{n} selected"))
                }}</span>
                <CsvDownload label="Export members (CSV)" filename="members.csv" id="members-export"
                    fetch=move || {
                        let query = UserListQuery { group_id: Some(group_id), ..query.get_untracked() };
                        async move { api::users::export_csv(session, &query).await }
                    } />
            </div>
            <ListResults state=list items=members noun="members" columns=8 rows empty=|| view! {
                <div class="empty">
                    <h2>"No members"</h2>
                    <p>"Members hold the roles this group grants. Add people to get started."</p>
                </div>
            } />
            <AddMembersDialog open=add_open group_id on_added=Callback::new(changed) />
            <ConfirmDialog open=remove_open title="Remove members" message=remove_message confirm_label="Remove"
                action=remove error=remove_error />
        </section>
    }
    .into_any()
}

/// Find people, choose many, add them in one request.
#[component]
fn AddMembersDialog(
    open: RwSignal<bool>,
    group_id: Uuid,
    on_added: Callback<MembersResult>,
) -> impl IntoView {
    let session = use_session();
    let chosen = RwSignal::new(Vec::<User>::new());
    let error = RwSignal::new(None::<String>);
    let add = Task::new(move |_: &()| {
        let ids: Vec<Uuid> = chosen.get_untracked().iter().map(|u| u.id).collect();
        async move {
            match api::groups::add_members(session, group_id, ids).await {
                Ok(result) => {
                    error.set(None);
                    chosen.set(Vec::new());
                    open.set(false);
                    on_added.run(result);
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let picked =
        Signal::derive(move || chosen.with(|c| c.iter().map(|u| u.id).collect::<Vec<_>>()));
    view! {
        <Dialog open title="Add members">
            <UserPicker picked on_pick=Callback::new(move |user: User| chosen.update(|c| c.push(user))) />
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            <h3 class="chosen-title">{move || format!("Chosen ({})", chosen.with(Vec::len))}</h3>
            <ul class="chosen">
                {move || chosen.get().into_iter().map(|user| {
                    let id = user.id;
                    let label = format!("Remove {} from the choice", user.name());
                    view! {
                        <li>
                            {user.email}
                            <button type="button" class="icon-button" aria-label=label
                                on:click=move |_| chosen.update(|c| c.retain(|u| u.id != id))>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="dialog-actions">
                <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="button button-primary"
                    disabled=move || chosen.with(Vec::is_empty) || add.pending().get()
                    on:click=move |_| { add.dispatch(()); }>
                    {move || format!("Add {} members", chosen.with(Vec::len))}
                </button>
            </div>
        </Dialog>
    }
}
