//! `/groups`: search and page through groups; the state is in the query string.

use std::time::Duration;

use gatehouse_api::endpoints;
use gatehouse_api::groups::{Group, GroupListQuery};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::chips::GroupChip;
use crate::components::debounce::debounced;
use crate::components::guarded::GuardedLink;
use crate::components::icons::{Icon, Svg};
use crate::components::pager::Pager;
use crate::session::use_session;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let session = use_session();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map
            .with(|m| GroupListQuery::from_pairs(m.latest_values().map(|(k, v)| (k.as_ref(), v))))
    });
    let navigate = use_navigate();
    let show = move |query: GroupListQuery, replace: bool| {
        navigate(
            &query.to_pairs().append_to("/groups"),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let groups = LocalResource::new(move || {
        let query = query.get();
        async move { api::groups::list(session, &query).await }
    });
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
                show(
                    GroupListQuery {
                        search: Some(term).filter(|t| !t.trim().is_empty()),
                        ..query.get_untracked()
                    }
                    .first_page(),
                    true,
                );
            }
        });
    }
    let on_page = {
        let show = show.clone();
        Callback::new(move |page: u32| {
            show(
                GroupListQuery {
                    page: Some(page),
                    ..query.get_untracked()
                },
                false,
            )
        })
    };
    let on_per_page = Callback::new(move |per_page: u32| {
        show(
            GroupListQuery {
                per_page: Some(per_page),
                ..query.get_untracked()
            }
            .first_page(),
            false,
        )
    });

    view! {
        <div class="page-header">
            <h1>"Groups"</h1>
            <GuardedLink href="/groups/new" endpoint=endpoints::GROUPS_CREATE>
                <Svg icon=Icon::Plus /> "New group"
            </GuardedLink>
        </div>
        <div class="toolbar" role="search">
            <label class="search">
                <Svg icon=Icon::Search />
                <span class="sr-only">"Search groups"</span>
                <input type="search" placeholder="Search groups by name" prop:value=move || text.get()
                    on:input:target=move |ev| text.set(ev.target().value()) />
            </label>
        </div>
        <div class="progress" class:progress-active=move || pending.get() aria-hidden="true"></div>
        <div class="results" class:results-busy=move || pending.get() aria-busy=move || pending.get().to_string()>
            <Transition fallback=|| view! { <p class="muted">"Loading groups…"</p> } set_pending=pending>
                <ErrorBoundary fallback=move |errors| view! {
                    <ErrorBanner
                        message=Signal::derive(move || errors.with(|e| e.iter().next().map(|(_, e)| e.to_string()).unwrap_or_default()))
                        on_retry=Callback::new(move |()| groups.refetch())
                    />
                }>
                    {move || Suspend::new(async move {
                        groups.await.map(|page| {
                            if page.pagination.total_items == 0 {
                                let searching = query.with_untracked(|q| q.search_term().is_some());
                                view! { <EmptyGroups searching /> }.into_any()
                            } else {
                                let pagination = page.pagination;
                                view! {
                                    <GroupsTable groups=page.data />
                                    <Pager pagination on_page on_per_page noun="groups" />
                                }.into_any()
                            }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

#[component]
fn EmptyGroups(searching: bool) -> impl IntoView {
    if searching {
        view! { <div class="empty"><h2>"No groups match"</h2><p>"No group has a name like that."</p></div> }.into_any()
    } else {
        view! {
            <div class="empty">
                <h2>"No groups yet"</h2>
                <p>"Groups give the same roles to many people at once: add people to a group and they hold its roles."</p>
                <GuardedLink href="/groups/new" endpoint=endpoints::GROUPS_CREATE>"New group"</GuardedLink>
            </div>
        }
        .into_any()
    }
}

#[component]
fn GroupsTable(groups: Vec<Group>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="sr-only">"Groups"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col" class="numeric">"Members"</th>
                        <th scope="col">"Roles granted"</th>
                        <th scope="col">"New users"</th>
                    </tr>
                </thead>
                <tbody>
                    {groups.into_iter().map(|group| {
                        let roles = group.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
                        let roles_shown = if roles.is_empty() { "—".to_owned() } else { roles.clone() };
                        view! {
                            <tr>
                                <td><A href=format!("/groups/{}", group.id)><GroupChip name=group.name.clone() color=group.color.clone() /></A></td>
                                <td class="cell-wide" title=group.description.clone()>{group.description.clone()}</td>
                                <td class="numeric">{group.member_count}</td>
                                <td class="cell-wide" title=roles.clone()>{roles_shown}</td>
                                <td>{group.is_default.then(|| view! { <span class="tag">"Joined by default"</span> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
