//! `/users`: search, filter, sort and page through users. All of the view's state lives
//! in the query string, so reload, Back and a pasted link show the same list.

use gatehouse_api::endpoints;
use gatehouse_api::groups::GroupListQuery;
use gatehouse_api::users::{IdentitySource, UserListQuery, UserStatus};
use gatehouse_api::Permission;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::table::{SortState, UsersTable};
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::guarded::GuardedLink;
use crate::components::icons::{Icon, Svg};
use crate::components::pager::Pager;
use crate::session::use_session;

/// How long typing must pause before the search runs.
const SEARCH_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(300);

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = use_session();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map
            .with(|m| UserListQuery::from_pairs(m.latest_values().map(|(k, v)| (k.as_ref(), v))))
    });
    let navigate = use_navigate();
    let show = move |query: UserListQuery, replace: bool| {
        let url = query.to_pairs().append_to("/users");
        navigate(
            &url,
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    };
    // Any change of what is listed starts again at page 1.
    let refine = {
        let show = show.clone();
        move |change: &dyn Fn(&mut UserListQuery)| {
            let mut next = query.get_untracked();
            change(&mut next);
            next.page = None;
            show(next, false);
        }
    };

    let users = LocalResource::new(move || {
        let query = query.get();
        async move { api::users::list(session, &query).await }
    });
    // Set while a newer page loads; the rows on screen stay until it arrives.
    let pending = RwSignal::new(false);

    // The search box: typed text shows at once, the query follows after a pause.
    let search = RwSignal::new(query.get_untracked().search.unwrap_or_default());
    let debounce = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let from_url = query.with(|q| q.search.clone().unwrap_or_default());
        if debounce.with_value(Option::is_none) && search.get_untracked() != from_url {
            search.set(from_url);
        }
    });
    let on_search = {
        let show = show.clone();
        move |text: String| {
            search.set(text.clone());
            if let Some(handle) = debounce.get_value() {
                handle.clear();
            }
            let show = show.clone();
            let handle = set_timeout_with_handle(
                move || {
                    debounce.set_value(None);
                    let mut next = query.get_untracked();
                    next.search = Some(text).filter(|t| !t.trim().is_empty());
                    next.page = None;
                    show(next, true);
                },
                SEARCH_DEBOUNCE,
            )
            .ok();
            debounce.set_value(handle);
        }
    };

    let sort = Signal::derive(move || {
        query.with(|q| SortState {
            by: q.sort_by(),
            order: q.sort_order(),
        })
    });
    let on_sort = {
        let refine = refine.clone();
        Callback::new(move |s: SortState| {
            refine(&|q| {
                q.sort_by = Some(s.by);
                q.sort_order = Some(s.order);
            })
        })
    };
    let on_page = {
        let show = show.clone();
        Callback::new(move |page: u32| {
            let mut next = query.get_untracked();
            next.page = Some(page);
            show(next, false);
        })
    };
    let on_per_page = {
        let refine = refine.clone();
        Callback::new(move |per_page: u32| refine(&|q| q.per_page = Some(per_page)))
    };
    let filtered = move || {
        query.with(|q| {
            q.search_term().is_some()
                || q.status.is_some()
                || q.identity_source.is_some()
                || q.mfa_enabled.is_some()
        })
    };
    let clear_filters = {
        let show = show.clone();
        Callback::new(move |()| {
            search.set(String::new());
            let q = query.get_untracked();
            show(
                UserListQuery {
                    sort_by: q.sort_by,
                    sort_order: q.sort_order,
                    per_page: q.per_page,
                    ..Default::default()
                },
                false,
            );
        })
    };

    let status_filter = {
        let refine = refine.clone();
        move |value: String| refine(&|q| q.status = UserStatus::parse(&value))
    };
    let source_filter = {
        let refine = refine.clone();
        move |value: String| refine(&|q| q.identity_source = IdentitySource::parse(&value))
    };
    let mfa_filter = {
        let refine = refine.clone();
        move |value: String| refine(&|q| q.mfa_enabled = value.parse().ok())
    };
    let group_filter = {
        let refine = refine.clone();
        Callback::new(move |value: String| refine(&|q| q.group_id = value.parse().ok()))
    };
    let role_filter =
        Callback::new(move |value: String| refine(&|q| q.role_id = value.parse().ok()));
    // The choices of the group and role filters, for those who may see them.
    let roles = LocalResource::new(move || {
        let allowed = session.can(Permission::RolesRead);
        async move {
            if allowed {
                api::roles::all(session).await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let groups = LocalResource::new(move || {
        let allowed = session.can(Permission::GroupsRead);
        async move {
            let first = GroupListQuery {
                per_page: Some(gatehouse_api::MAX_PER_PAGE),
                ..Default::default()
            };
            if allowed {
                api::groups::list(session, &first)
                    .await
                    .map(|p| p.data)
                    .unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });

    view! {
        <div class="page-header">
            <h1>"Users"</h1>
            <GuardedLink href="/users/new" endpoint=endpoints::USERS_CREATE>
                <Svg icon=Icon::Plus /> "New user"
            </GuardedLink>
        </div>
        <div class="toolbar" role="search">
            <label class="search">
                <Svg icon=Icon::Search />
                <span class="sr-only">"Search users"</span>
                <input
                    type="search"
                    placeholder="Search by email, username or name"
                    prop:value=move || search.get()
                    on:input:target=move |ev| on_search(ev.target().value())
                />
            </label>
            <label class="filter">
                <span>"Status"</span>
                <select on:change:target=move |ev| status_filter(ev.target().value())>
                    <option value="" selected=move || query.with(|q| q.status.is_none())>"Any"</option>
                    {UserStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || query.with(|q| q.status == Some(s))>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="filter">
                <span>"Source"</span>
                <select on:change:target=move |ev| source_filter(ev.target().value())>
                    <option value="" selected=move || query.with(|q| q.identity_source.is_none())>"Any"</option>
                    {IdentitySource::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || query.with(|q| q.identity_source == Some(s))>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="filter">
                <span>"MFA"</span>
                <select on:change:target=move |ev| mfa_filter(ev.target().value())>
                    <option value="" selected=move || query.with(|q| q.mfa_enabled.is_none())>"Any"</option>
                    <option value="true" selected=move || query.with(|q| q.mfa_enabled == Some(true))>"On"</option>
                    <option value="false" selected=move || query.with(|q| q.mfa_enabled == Some(false))>"Off"</option>
                </select>
            </label>
            <Show when=move || session.can(Permission::GroupsRead)>
                <label class="filter">
                    <span>"Group"</span>
                    <select on:change:target=move |ev| group_filter.run(ev.target().value())>
                        <option value="" selected=move || query.with(|q| q.group_id.is_none())>"Any"</option>
                        {move || groups.get().unwrap_or_default().into_iter().map(|g| {
                            let id = g.id;
                            view! { <option value=id.to_string() selected=move || query.with(|q| q.group_id == Some(id))>{g.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || session.can(Permission::RolesRead)>
                <label class="filter">
                    <span>"Role"</span>
                    <select on:change:target=move |ev| role_filter.run(ev.target().value())>
                        <option value="" selected=move || query.with(|q| q.role_id.is_none())>"Any"</option>
                        {move || roles.get().unwrap_or_default().into_iter().map(|r| {
                            let id = r.id;
                            view! { <option value=id.to_string() selected=move || query.with(|q| q.role_id == Some(id))>{r.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=filtered>
                <button type="button" class="button button-quiet" on:click=move |_| clear_filters.run(())>"Clear filters"</button>
            </Show>
        </div>
        <div class="progress" class:progress-active=move || pending.get() aria-hidden="true"></div>
        <div class="results" class:results-busy=move || pending.get() aria-busy=move || pending.get().to_string()>
        <Transition fallback=TableSkeleton set_pending=pending>
            <ErrorBoundary fallback=move |errors| view! {
                <ErrorBanner
                    message=Signal::derive(move || errors.with(|e| e.iter().next().map(|(_, e)| e.to_string()).unwrap_or_default()))
                    on_retry=Callback::new(move |()| users.refetch())
                />
            }>
                {move || Suspend::new(async move {
                    users.await.map(|page| {
                        mark_first_paint();
                        if page.pagination.total_items == 0 {
                            view! { <EmptyState filtered=filtered() on_clear=clear_filters /> }.into_any()
                        } else {
                            let pagination = page.pagination;
                            view! {
                                <UsersTable users=page.data sort on_sort />
                                <Pager pagination on_page on_per_page noun="users" />
                            }.into_any()
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
        </div>
    }
}

/// What an empty list means, and what to do about it.
#[component]
fn EmptyState(filtered: bool, on_clear: Callback<()>) -> impl IntoView {
    if filtered {
        view! {
            <div class="empty">
                <h2>"No users match"</h2>
                <p>"Nobody matches this search and these filters. Try fewer words or another filter."</p>
                <button type="button" class="button" on:click=move |_| on_clear.run(())>"Clear filters"</button>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="empty">
                <h2>"No users yet"</h2>
                <p>"Users are the people who sign in to your applications. Create the first one to get started."</p>
                <GuardedLink href="/users/new" endpoint=endpoints::USERS_CREATE>"New user"</GuardedLink>
            </div>
        }
        .into_any()
    }
}

/// Placeholder rows while the first page loads.
#[component]
fn TableSkeleton() -> impl IntoView {
    view! {
        <div class="table-wrap" aria-busy="true">
            <table class="table table-skeleton">
                <caption class="sr-only">"Loading users"</caption>
                <tbody>
                    {(0..8).map(|_| view! { <tr><td colspan="7"><span class="skeleton-bar"></span></td></tr> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Marks the first time the table shows rows, for the paint-time benchmark.
fn mark_first_paint() {
    thread_local!(static MARKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if !MARKED.with(|m| m.replace(true)) {
        request_animation_frame(|| {
            if let Some(performance) = window().performance() {
                let _ = performance.mark("gatehouse:users-table-painted");
            }
        });
    }
}
