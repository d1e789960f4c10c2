//! `/roles`: every role, with how much it grants and who holds it.

use gatehouse_api::endpoints;
use gatehouse_api::roles::Role;
use leptos::prelude::*;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::guarded::GuardedLink;
use crate::components::icons::{Icon, Svg};
use crate::components::link::A;
use crate::components::table::{Column, DataTable, Unsorted};
use crate::reactive::Fetched;
use crate::session::use_session;

#[component]
pub fn RolesPage() -> impl IntoView {
    let session = use_session();
    let roles = Fetched::new(move || api::roles::all(session));
    view! {
        <div class="page-header">
            <h1>"Roles"</h1>
            <GuardedLink href="/roles/new" endpoint=endpoints::ROLES_CREATE>
                <Svg icon=Icon::Plus /> "New role"
            </GuardedLink>
        </div>
        <p class="muted page-intro">
            "A role is a set of permissions. People hold roles directly or through their groups, and may do exactly what their roles allow together."
        </p>
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading roles…"</p> }>
            <ErrorBoundary fallback=move |errors| view! {
                <ErrorBanner
                    message=Signal::derive(move || errors.with(|e| e.iter().next().map(|(_, e)| e.to_string()).unwrap_or_default()))
                    on_retry=Callback::new(move |()| roles.refetch())
                />
            }>
                {move || Suspend::new(async move {
                    roles.await.map(|roles| view! { <DataTable caption="Roles" columns=role_columns() rows=roles /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

fn role_columns() -> Vec<Column<Role, Unsorted>> {
    vec![
        Column::new("Name", |r: &Role| {
            let (href, name) = (format!("/roles/{}", r.id), r.name.clone());
            view! {
                <A href=href>{name}</A>
                {r.is_builtin().then(|| view! { <span class="tag">"Built-in"</span> })}
            }
            .into_any()
        }),
        Column::new("Description", |r: &Role| {
            let (text, title) = (r.description.clone(), r.description.clone());
            view! { <span title=title>{text}</span> }.into_any()
        })
        .class("cell-wide"),
        Column::new("Permissions", |r: &Role| r.permissions.len().into_any()).class("numeric"),
        Column::new("Users (direct)", |r: &Role| r.user_count.into_any()).class("numeric"),
        Column::new("Groups", |r: &Role| r.group_count.into_any()).class("numeric"),
    ]
}
