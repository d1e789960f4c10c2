//! `/sso`: the tenant's connections, with how many people signed in through each.

use gatehouse_api::endpoints;
use gatehouse_api::query::NameQuery;
use gatehouse_api::sso::SsoConnection;
use leptos::prelude::*;

use super::detail::EnabledBadge;
use crate::api;
use crate::components::guarded::GuardedLink;
use crate::components::icons::{Icon, Svg};
use crate::components::link::A;
use crate::components::list::{ListResults, ListState, SearchBox};
use crate::components::table::{Column, DataTable, Unsorted};
use crate::reactive::Fetched;
use crate::session::use_session;

fn connection_columns() -> Vec<Column<SsoConnection, Unsorted>> {
    vec![
        Column::new("Title", |c: &SsoConnection| {
            let (href, title) = (format!("/sso/{}", c.id), c.title.clone());
            view! { <A href=href>{title}</A> }.into_any()
        })
        .class("cell-name"),
        Column::new("Protocol", |c: &SsoConnection| {
            c.protocol.label().into_any()
        }),
        Column::new("Provider", |c: &SsoConnection| c.preset.label().into_any()),
        Column::new("Status", |c: &SsoConnection| {
            view! { <EnabledBadge enabled=c.enabled /> }.into_any()
        }),
        Column::new("Users signed in", |c: &SsoConnection| {
            c.user_count.into_any()
        })
        .class("numeric"),
    ]
}

#[component]
pub fn SsoPage() -> impl IntoView {
    let session = use_session();
    let list = ListState::<NameQuery>::from_url();
    let query = list.query;
    let connections = Fetched::new(move || {
        let query = query.get();
        async move { api::sso::list(session, &query).await }
    });
    let rows = Callback::new(|page: Vec<SsoConnection>| {
        view! { <DataTable caption="SSO connections" columns=connection_columns() rows=page /> }
            .into_any()
    });
    view! {
        <div class="page-header">
            <h1>"SSO"</h1>
            <GuardedLink href="/sso/new" endpoint=endpoints::SSO_CREATE>
                <Svg icon=Icon::Plus /> "New connection"
            </GuardedLink>
        </div>
        <p class="muted page-intro">"Identity providers people may sign in through, what happens the first time they do, and which groups and roles their IdP groups bring."</p>
        <div class="toolbar" role="search">
            <SearchBox state=list label="Search connections" placeholder="Search connections by title" />
        </div>
        <ListResults state=list items=connections noun="connections" rows empty=|| view! {
            <div class="empty">
                <h2>"No SSO connections yet"</h2>
                <p>"Connect an OpenID Connect or SAML 2.0 identity provider (Okta, Entra ID, Google, Keycloak, Auth0...) so people sign in with the account they already have."</p>
                <GuardedLink href="/sso/new" endpoint=endpoints::SSO_CREATE>"New connection"</GuardedLink>
            </div>
        } />
    }
}
