//! The Gatehouse console: a Leptos single-page app for user and access management.
//!
//! `App` wires the router, the session and the toasts; pages live in feature folders
//! under [`pages`]; everything that talks to the server goes through [`api`].

pub mod api;
mod chunks;
pub mod components;
pub mod config;
pub mod forms;
pub mod pages;
pub mod reactive;
pub mod session;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::chunks::ahead;
use crate::components::lazy::{lazy, lazy_with};
use crate::components::toast::Toasts;
use crate::pages::users::UsersPage;
use crate::pages::{LoginPage, NotFound, Shell};
use crate::session::Session;

/// Boots the console: loads `config.json`, then mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    components::theme::apply_initial();
    wasm_bindgen_futures::spawn_local(async {
        config::load().await;
        leptos::mount::mount_to_body(App);
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::restore());
    provide_context(Toasts::default());
    view! {
        <Router base=config::base_path()>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/setup") view=lazy(chunks::setup) />
                <Route path=path!("/invite") view=lazy(chunks::accept_invite) />
                <Route path=path!("/forgot-password") view=lazy(chunks::forgot_password) />
                <Route path=path!("/reset-password") view=lazy(chunks::reset_password) />
                <Route path=path!("/sso/done") view=lazy(chunks::sso_done) />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=|| view! { <Redirect path="/users" /> } />
                    <Route path=path!("users") view=UsersPage />
                    <Route path=path!("users/new") view=lazy(chunks::user_new) />
                    <Route path=path!("users/import") view=lazy(chunks::users_import) />
                    <ParentRoute path=path!("users/:id") view=lazy(chunks::user_detail)>
                        <Route path=path!("") view=lazy(chunks::user_profile) />
                        <Route path=path!("groups") view=lazy(chunks::user_groups) />
                        <Route path=path!("roles") view=lazy(chunks::user_roles) />
                        <Route path=path!("mail") view=lazy(chunks::user_mail) />
                        <Route path=path!("api-keys") view=lazy(chunks::user_api_keys) />
                        <Route path=path!("activity") view=lazy(chunks::user_activity) />
                    </ParentRoute>
                    <Route path=path!("groups") view=lazy_with(chunks::groups_list, ahead::groups) />
                    <Route path=path!("groups/new") view=lazy(chunks::group_new) />
                    <ParentRoute path=path!("groups/:id") view=lazy(chunks::group_detail)>
                        <Route path=path!("") view=lazy(chunks::group_settings) />
                        <Route path=path!("members") view=lazy(chunks::group_members) />
                        <Route path=path!("activity") view=lazy(chunks::group_activity) />
                    </ParentRoute>
                    <Route path=path!("roles") view=lazy_with(chunks::roles_list, ahead::roles) />
                    <Route path=path!("roles/new") view=lazy(chunks::role_new) />
                    <ParentRoute path=path!("roles/:id") view=lazy(chunks::role_detail)>
                        <Route path=path!("") view=lazy(chunks::role_settings) />
                        <Route path=path!("holders") view=lazy(chunks::role_holders) />
                        <Route path=path!("activity") view=lazy(chunks::role_activity) />
                    </ParentRoute>
                    <Route path=path!("invites") view=lazy_with(chunks::invites_list, ahead::invites) />
                    <Route path=path!("api-keys") view=lazy_with(chunks::api_keys_list, ahead::api_keys) />
                    <Route path=path!("sso") view=lazy_with(chunks::sso_list, ahead::sso) />
                    <Route path=path!("sso/new") view=lazy(chunks::sso_new) />
                    <ParentRoute path=path!("sso/:id") view=lazy(chunks::sso_detail)>
                        <Route path=path!("") view=lazy(chunks::sso_settings) />
                        <Route path=path!("mappings") view=lazy(chunks::sso_mappings) />
                        <Route path=path!("service-provider") view=lazy(chunks::sso_provider) />
                        <Route path=path!("test") view=lazy(chunks::sso_test) />
                        <Route path=path!("activity") view=lazy(chunks::sso_activity) />
                    </ParentRoute>
                    <Route path=path!("audit") view=lazy_with(chunks::audit_log, ahead::audit) />
                    <Route path=path!("settings") view=lazy(chunks::settings) />
                    <Route path=path!("account") view=lazy(chunks::account) />
                    <Route path=path!("account/api-keys") view=lazy(chunks::my_api_keys) />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
