//! `/groups/:id/members`: who is in the group; add many at once, remove a selection.
//! Search and page are in the query string like every list.

use std::collections::BTreeSet;
use std::time::Duration;

use gatehouse_api::endpoints;
use gatehouse_api::groups::{MemberOutcome, MembersResult};
use gatehouse_api::users::{User, UserListQuery};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use uuid::Uuid;

use super::detail::CurrentGroup;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::confirm::ConfirmDialog;
use crate::components::debounce::debounced;
use crate::components::dialog::Dialog;
use crate::components::guarded::GuardedButton;
use crate::components::icons::{Icon, Svg};
use crate::components::pager::Pager;
use crate::components::pickers::UserPicker;
use crate::components::status::StatusBadge;
use crate::components::toast::use_toasts;
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
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map
            .with(|m| UserListQuery::from_pairs(m.latest_values().map(|(k, v)| (k.as_ref(), v))))
    });
    let location = use_location();
    let navigate = use_navigate();
    let show = move |query: UserListQuery, replace: bool| {
        let path = location.pathname.get_untracked();
        navigate(
            &query.to_pairs().append_to(&path),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let members = LocalResource::new(move || {
        let query = query.get();
        async move { api::groups::members(session, group_id, &query).await }
    });
    let selected = RwSignal::new(BTreeSet::<Uuid>::new());
    let pending = RwSignal::new(false);

    let text = RwSignal::new(query.get_untracked().search.unwrap_or_default());
    let term = debounced(text, Duration::from_millis(300));
    {
        let show = show.clone();
        Effect::new(move |first: Option<()>| {
            let term = term.get();
            if first.is_some()
                && query.with_untracked(|q| q.search.clone().unwrap_or_default()) != term
            {
                let search = Some(term).filter(|t| !t.trim().is_empty());
                show(
                    UserListQuery {
                        search,
                        page: None,
                        ..query.get_untracked()
                    },
                    true,
                );
            }
        });
    }
    let on_page = {
        let show = show.clone();
        Callback::new(move |page: u32| {
            show(
                UserListQuery {
                    page: Some(page),
                    ..query.get_untracked()
                },
                false,
            )
        })
    };
    let on_per_page = Callback::new(move |per_page: u32| {
        show(
            UserListQuery {
                per_page: Some(per_page),
                page: None,
                ..query.get_untracked()
            },
            false,
        )
    });

    // After any change: the list, the group's count, and the selection start afresh.
    let changed = move |result: MembersResult| {
        toasts.success(summarise(&result));
        selected.set(BTreeSet::new());
        members.refetch();
        reload.run(());
    };
    let remove_open = RwSignal::new(false);
    let remove_error = RwSignal::new(None::<String>);
    let remove = Action::new_local(move |_: &()| {
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

    view! {
        <section class="tab-panel" aria-label="Members">
            <div class="toolbar">
                <label class="search" role="search">
                    <Svg icon=Icon::Search />
                    <span class="sr-only">"Search members"</span>
                    <input type="search" placeholder="Search members" prop:value=move || text.get()
                        on:input:target=move |ev| text.set(ev.target().value()) />
                </label>
                <GuardedButton label="Add members" class="button-primary" endpoint=endpoints::GROUPS_ADD_MEMBERS
                    on_click=Callback::new(move |()| add_open.set(true)) />
                <GuardedButton label="Remove selected" endpoint=endpoints::GROUPS_REMOVE_MEMBERS
                    disabled=Signal::derive(move || selected.with(BTreeSet::is_empty))
                    on_click=Callback::new(move |()| remove_open.set(true)) />
                <span class="muted" aria-live="polite">{move || {
                    let n = selected.with(BTreeSet::len);
                    (n > 0).then(|| format!("{n} selected"))
                }}</span>
            </div>
            <div class="progress" class:progress-active=move || pending.get() aria-hidden="true"></div>
            <div class="results" class:results-busy=move || pending.get()>
                <Transition fallback=|| view! { <p class="muted">"Loading members…"</p> } set_pending=pending>
                    <ErrorBoundary fallback=move |errors| view! {
                        <ErrorBanner
                            message=Signal::derive(move || errors.with(|e| e.iter().next().map(|(_, e)| e.to_string()).unwrap_or_default()))
                            on_retry=Callback::new(move |()| members.refetch())
                        />
                    }>
                        {move || Suspend::new(async move {
                            members.await.map(|page| {
                                if page.pagination.total_items == 0 {
                                    view! {
                                        <div class="empty">
                                            <h2>"No members"</h2>
                                            <p>"Members hold the roles this group grants. Add people to get started."</p>
                                        </div>
                                    }.into_any()
                                } else {
                                    let pagination = page.pagination;
                                    view! {
                                        <MembersTable members=page.data selected />
                                        <Pager pagination on_page on_per_page noun="members" />
                                    }.into_any()
                                }
                            })
                        })}
                    </ErrorBoundary>
                </Transition>
            </div>
            <AddMembersDialog open=add_open group_id on_added=Callback::new(changed) />
            <ConfirmDialog open=remove_open title="Remove members" message=remove_message confirm_label="Remove"
                action=remove error=remove_error />
        </section>
    }
    .into_any()
}

#[component]
fn MembersTable(members: Vec<User>, selected: RwSignal<BTreeSet<Uuid>>) -> impl IntoView {
    let ids: Vec<Uuid> = members.iter().map(|u| u.id).collect();
    let all_ids = ids.clone();
    let all_selected =
        move || !ids.is_empty() && selected.with(|s| ids.iter().all(|id| s.contains(id)));
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="sr-only">"Members"</caption>
                <thead>
                    <tr>
                        <th scope="col" class="cell-check">
                            <input type="checkbox" aria-label="Select everyone on this page" prop:checked=all_selected
                                on:change:target=move |ev| {
                                    let on = ev.target().checked();
                                    selected.update(|s| for id in &all_ids { if on { s.insert(*id); } else { s.remove(id); } });
                                } />
                        </th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {members.into_iter().map(|user| {
                        let id = user.id;
                        let name = user.name();
                        view! {
                            <tr>
                                <td class="cell-check">
                                    <input type="checkbox" aria-label=format!("Select {}", user.email)
                                        prop:checked=move || selected.with(|s| s.contains(&id))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                        } />
                                </td>
                                <td class="cell-email"><A href=format!("/users/{id}")>{user.email.clone()}</A></td>
                                <td class="cell-name">{name}</td>
                                <td><StatusBadge status=user.status /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
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
    let add = Action::new_local(move |_: &()| {
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
