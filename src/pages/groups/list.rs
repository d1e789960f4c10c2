//! `/groups`: search and page through groups; the state is in the query string.

use gatehouse_api::endpoints;
use gatehouse_api::groups::{Group, GroupListQuery};
use leptos::prelude::*;

use crate::api;
use crate::components::chips::GroupChip;
use crate::components::guarded::GuardedLink;
use crate::components::icons::{Icon, Svg};
use crate::components::link::A;
use crate::components::list::{ListResults, ListState, SearchBox};
use crate::components::table::{Column, DataTable, Unsorted};
use crate::reactive::Fetched;
use crate::session::use_session;

fn group_columns() -> Vec<Column<Group, Unsorted>> {
    vec![
        Column::new("Name", |g: &Group| {
            let (href, name, color) =
                (format!("/groups/{}", g.id), g.name.clone(), g.color.clone());
            view! { <A href=href><GroupChip name color /></A> }.into_any()
        }),
        Column::new("Description", |g: &Group| {
            let (text, title) = (g.description.clone(), g.description.clone());
            view! { <span title=title>{text}</span> }.into_any()
        })
        .class("cell-wide"),
        Column::new("Members", |g: &Group| g.member_count.into_any()).class("numeric"),
        Column::new("Roles granted", |g: &Group| {
            let roles = g
                .roles
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let shown = if roles.is_empty() {
                "—".to_owned()
            } else {
                roles.clone()
            };
            view! { <span title=roles>{shown}</span> }.into_any()
        })
        .class("cell-wide"),
        Column::new("New users", |g: &Group| {
            g.is_default
                .then(|| view! { <span class="tag">"Joined by default"</span> })
                .into_any()
        }),
    ]
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let session = use_session();
    let list = ListState::<GroupListQuery>::from_url();
    let query = list.query;
    let groups = Fetched::new(move || {
        let query = query.get();
        async move { api::groups::list(session, &query).await }
    });
    let rows = Callback::new(|page: Vec<Group>| {
        view! { <DataTable caption="Groups" columns=group_columns() rows=page /> }.into_any()
    });
    view! {
        <div class="page-header">
            <h1>"Groups"</h1>
            <GuardedLink href="/groups/new" endpoint=endpoints::GROUPS_CREATE>
                <Svg icon=Icon::Plus /> "New group"
            </GuardedLink>
        </div>
        <div class="toolbar" role="search">
            <SearchBox state=list label="Search groups" placeholder="Search groups by name" />
        </div>
        <ListResults state=list items=groups noun="groups" rows empty=|| view! {
            <div class="empty">
                <h2>"No groups yet"</h2>
                <p>"Groups give the same roles to many people at once: add people to a group and they hold its roles."</p>
                <GuardedLink href="/groups/new" endpoint=endpoints::GROUPS_CREATE>"New group"</GuardedLink>
            </div>
        } />
    }
}
