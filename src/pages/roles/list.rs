//! `/roles`: every role, with how much it grants and who holds it.

use gatehouse_api::endpoints;
use gatehouse_api::roles::Role;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::guarded::GuardedLink;
use crate::components::icons::{Icon, Svg};
use crate::session::use_session;

#[component]
pub fn RolesPage() -> impl IntoView {
    let session = use_session();
    let roles = LocalResource::new(move || api::roles::all(session));
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
                {move || Suspend::new(async move { roles.await.map(|roles| view! { <RolesTable roles /> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn RolesTable(roles: Vec<Role>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="sr-only">"Roles"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col" class="numeric">"Permissions"</th>
                        <th scope="col" class="numeric">"Users (direct)"</th>
                        <th scope="col" class="numeric">"Groups"</th>
                    </tr>
                </thead>
                <tbody>
                    {roles
                        .into_iter()
                        .map(|role| {
                            let builtin = role.is_builtin();
                            view! {
                            <tr>
                                <td>
                                    <A href=format!("/roles/{}", role.id)>{role.name.clone()}</A>
                                    {builtin.then(|| view! { <span class="tag">"Built-in"</span> })}
                                </td>
                                <td class="cell-wide" title=role.description.clone()>{role.description.clone()}</td>
                                <td class="numeric">{role.permissions.len()}</td>
                                <td class="numeric">{role.user_count}</td>
                                <td class="numeric">{role.group_count}</td>
                            </tr>
                        }})
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
