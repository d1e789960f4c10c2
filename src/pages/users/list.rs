//! `/users`: search, filter, sort and page through users. All of the view's state lives
//! in the query string, so reload, Back and a pasted link show the same list.

use std::collections::BTreeSet;

use gatehouse_api::endpoints;
use gatehouse_api::users::{IdentitySource, User, UserKind, UserListQuery, UserStatus};
use gatehouse_api::{Page, Permission};
use leptos::prelude::*;
use uuid::Uuid;

use super::bulk::BulkScope;
use super::filters::GroupFilter;
use super::service_account::NewServiceAccount;
use super::table::{SortState, UsersTable};
use crate::api;
use crate::components::download::CsvDownload;
use crate::components::field::SelectField;
use crate::components::guarded::{GuardedButton, GuardedLink};
use crate::components::icons::{Icon, Svg};
use crate::components::lazy::{LazyDialog, LazyPart};
use crate::components::link::A;
use crate::components::list::{ListResults, ListState, SearchBox};
use crate::components::shown::Shown;
use crate::components::table::{Selection, Sorting};
use crate::reactive::Fetched;
use crate::session::use_session;

/// `("", "Any")` and then `choices`: the options of a filter.
fn any_of(choices: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Any".to_owned()))
        .chain(choices)
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = use_session();
    let list = ListState::<UserListQuery>::from_url();
    let query = list.query;
    let users = Fetched::new(move || {
        let query = query.get();
        async move { api::users::list(session, &query).await }
    });

    let Sorting {
        state: sort,
        on_sort,
    } = list.url_sorting();
    let filter = move |read: fn(&UserListQuery) -> String, write: fn(&mut UserListQuery, &str)| {
        (
            Signal::derive(move || query.with(read)),
            Callback::new(move |value: String| list.refine(|q| write(q, &value))),
        )
    };
    let (status, on_status) = filter(
        |q| q.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        |q, v| q.status = UserStatus::parse(v),
    );
    let (source, on_source) = filter(
        |q| {
            q.identity_source
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default()
        },
        |q, v| q.identity_source = IdentitySource::parse(v),
    );
    let (kind, on_kind) = filter(
        |q| q.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        |q, v| q.kind = UserKind::parse(v),
    );
    let (mfa, on_mfa) = filter(
        |q| q.mfa_enabled.map(|m| m.to_string()).unwrap_or_default(),
        |q, v| q.mfa_enabled = v.parse().ok(),
    );
    let (role, on_role) = filter(
        |q| q.role_id.map(|r| r.to_string()).unwrap_or_default(),
        |q, v| q.role_id = v.parse().ok(),
    );
    let group = Signal::derive(move || query.with(|q| q.group_id));
    let on_group = Callback::new(move |id| list.refine(|q| q.group_id = id));
    // The role filter's choices, for those who may see roles (a tenant has few).
    let roles = Fetched::new(move || {
        let allowed = session.can(Permission::RolesRead);
        async move {
            if allowed {
                api::roles::names(session).await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let role_options = Signal::derive(move || {
        any_of(
            roles
                .get()
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.id.to_string(), r.name)),
        )
    });
    let clear = list.clear();
    let service_open = RwSignal::new(false);
    provide_context(NewServiceAccount { open: service_open });
    // The people awaiting approval: a way to them while there are any, and on their
    // view, approve and deny.
    let pending_view =
        Memo::new(move |_| query.with(|q| q.status == Some(UserStatus::PendingApproval)));
    let awaiting = Fetched::new(move || async move {
        let query = UserListQuery {
            status: Some(UserStatus::PendingApproval),
            per_page: Some(1),
            ..Default::default()
        };
        api::users::list(session, &query)
            .await
            .map(|page| page.pagination.total_items)
            .unwrap_or_default()
    });
    let awaiting_count = move || awaiting.get().unwrap_or_default();
    let show_awaiting = move || awaiting_count() > 0 && !pending_view.get();
    let selected = RwSignal::new(BTreeSet::new());
    let rows = Callback::new(move |page: Vec<User>| {
        mark_first_paint();
        if session.can(Permission::UsersWrite) {
            let selection = Selection {
                chosen: selected,
                id: |u: &User| u.id,
                name: |u: &User| u.email.clone(),
            };
            view! { <UsersTable users=page sort on_sort selection /> }.into_any()
        } else {
            view! { <UsersTable users=page sort on_sort /> }.into_any()
        }
    });
    provide_context(UsersListScope {
        list,
        users,
        sort,
        on_sort,
        selected,
        on_decided: Callback::new(move |()| {
            users.refetch();
            awaiting.refetch();
        }),
    });
    let bulk = BulkScope {
        selected,
        query: query.into(),
        matching: Signal::derive(move || users.get().and_then(|r| r.ok()).map(|p| p.pagination)),
        narrowed: Signal::derive(move || list.narrowed()),
        on_done: Callback::new(move |()| users.refetch()),
    };
    provide_context(bulk);
    // For those who may change users, once rows are chosen or the list is narrowed
    // (then "all matching" can be chosen).
    let bulk_shown = move || {
        session.can(Permission::UsersWrite) && (selected.with(|s| !s.is_empty()) || list.narrowed())
    };

    view! {
        <div class="page-header">
            <h1>"Users"</h1>
            <div class="actions">
                <CsvDownload label="Export CSV" filename="users.csv" id="users-export"
                    fetch=move || { let query = query.get_untracked(); async move { api::users::export_csv(session, &query).await } } />
                <GuardedLink href="/users/import" endpoint=endpoints::USERS_IMPORT secondary=true>"Import CSV"</GuardedLink>
                <GuardedButton label="New service account" endpoint=endpoints::USERS_CREATE
                    on_click=Callback::new(move |()| service_open.set(true)) />
                <GuardedLink href="/users/new" endpoint=endpoints::USERS_CREATE>
                    <Svg icon=Icon::Plus /> "New user"
                </GuardedLink>
            </div>
        </div>
        <Shown when=show_awaiting>
            <p class="banner banner-info pending-note">
                <A href="/users?status=PENDING_APPROVAL" attr:id="pending-approval-link">
                    {move || format!("Pending approval ({})", awaiting_count())}
                </A>
                " people signed in through SSO and wait for an administrator to let them in."
            </p>
        </Shown>
        <div class="toolbar" role="search">
            <SearchBox state=list label="Search users" placeholder="Search by email, username or name" />
            <SelectField id="filter-status" label="Status" inline=true value=status on_change=on_status
                options=any_of(UserStatus::ALL.into_iter().map(|s| (s.as_str().to_owned(), s.label().to_owned()))) />
            <SelectField id="filter-source" label="Source" inline=true value=source on_change=on_source
                options=any_of(IdentitySource::ALL.into_iter().map(|s| (s.as_str().to_owned(), s.label().to_owned()))) />
            <SelectField id="filter-kind" label="Kind" inline=true value=kind on_change=on_kind
                options=any_of([
                    (UserKind::Person.as_str().to_owned(), "People".to_owned()),
                    (UserKind::Service.as_str().to_owned(), "Service accounts".to_owned()),
                ]) />
            <SelectField id="filter-mfa" label="MFA" inline=true value=mfa on_change=on_mfa
                options=any_of([("true".to_owned(), "On".to_owned()), ("false".to_owned(), "Off".to_owned())]) />
            <Shown when=move || session.can(Permission::GroupsRead)>
                <GroupFilter selected=group on_change=on_group />
            </Shown>
            <Shown when=move || session.can(Permission::RolesRead)>
                <SelectField id="filter-role" label="Role" inline=true value=role on_change=on_role options=role_options />
            </Shown>
            <Shown when=move || list.narrowed()>
                <button type="button" class="button button-quiet" on:click=move |_| clear.run(())>"Clear filters"</button>
            </Shown>
        </div>
        // Those awaiting approval, with their own buttons, arrive with the list's extras.
        <Shown when=move || pending_view.get() fallback=move || view! {
            <Shown when=bulk_shown>
                <LazyPart load=crate::chunks::bulk_bar />
            </Shown>
            <ListResults state=list items=users noun="users" columns=7 rows empty=|| view! {
                <div class="empty">
                    <h2>"No users yet"</h2>
                    <p>"Users are the people who sign in to your applications. Create the first one to get started."</p>
                    <GuardedLink href="/users/new" endpoint=endpoints::USERS_CREATE>"New user"</GuardedLink>
                </div>
            } />
        }>
            <LazyPart load=crate::chunks::pending_approvals fills_page=true />
        </Shown>
        <LazyDialog open=service_open load=crate::chunks::new_service_account title="New service account" />
    }
}

/// What the view of those awaiting approval takes from the list, by context: it is
/// loaded the first time it shows.
#[derive(Clone, Copy)]
pub struct UsersListScope {
    pub list: ListState<UserListQuery>,
    pub users: Fetched<Result<Page<User>, api::ApiError>>,
    pub sort: Signal<SortState>,
    pub on_sort: Callback<SortState>,
    pub selected: RwSignal<BTreeSet<Uuid>>,
    /// After a decision: the list and the count of those waiting are loaded again.
    pub on_decided: Callback<()>,
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
