//! The Gatehouse console: a Leptos single-page app for user and access management.
//!
//! `App` wires the router, the session and the toasts; pages live in feature folders
//! under [`pages`]; everything that talks to the server goes through [`api`].

pub mod api;
pub mod components;
pub mod config;
pub mod forms;
pub mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::toast::Toasts;
use crate::pages::audit::{ActivityTab, AuditPage};
use crate::pages::groups::{
    GroupDetailPage, GroupMembersTab, GroupSettingsTab, GroupsPage, NewGroupPage,
};
use crate::pages::roles::{
    NewRolePage, RoleDetailPage, RoleHoldersTab, RoleSettingsTab, RolesPage,
};
use crate::pages::sso::{SsoMappingsTab, SsoProviderDetailsTab, SsoSettingsTab, SsoTestTab};
use crate::pages::users::{
    ImportUsersPage, NewUserPage, UserApiKeysTab, UserDetailPage, UserGroupsTab, UserMailTab,
    UserProfileTab, UserRolesTab, UsersPage,
};
use crate::pages::{
    AcceptInvitePage, AccountPage, ApiKeysPage, ForgotPasswordPage, InvitesPage, LoginPage,
    MyApiKeysPage, NewConnectionPage, NotFound, ResetPasswordPage, SettingsPage, SetupPage, Shell,
    SsoDetailPage, SsoDonePage, SsoPage,
};
use crate::session::Session;
use gatehouse_api::audit::TargetType;

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
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/setup") view=SetupPage />
                <Route path=path!("/invite") view=AcceptInvitePage />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/reset-password") view=ResetPasswordPage />
                <Route path=path!("/sso/done") view=SsoDonePage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=|| view! { <Redirect path="/users" /> } />
                    <Route path=path!("users") view=UsersPage />
                    <Route path=path!("users/new") view=NewUserPage />
                    <Route path=path!("users/import") view=ImportUsersPage />
                    <ParentRoute path=path!("users/:id") view=UserDetailPage>
                        <Route path=path!("") view=UserProfileTab />
                        <Route path=path!("groups") view=UserGroupsTab />
                        <Route path=path!("roles") view=UserRolesTab />
                        <Route path=path!("mail") view=UserMailTab />
                        <Route path=path!("api-keys") view=UserApiKeysTab />
                        <Route path=path!("activity") view=|| view! { <ActivityTab kind=TargetType::User /> } />
                    </ParentRoute>
                    <Route path=path!("groups") view=GroupsPage />
                    <Route path=path!("groups/new") view=NewGroupPage />
                    <ParentRoute path=path!("groups/:id") view=GroupDetailPage>
                        <Route path=path!("") view=GroupSettingsTab />
                        <Route path=path!("members") view=GroupMembersTab />
                        <Route path=path!("activity") view=|| view! { <ActivityTab kind=TargetType::Group /> } />
                    </ParentRoute>
                    <Route path=path!("roles") view=RolesPage />
                    <Route path=path!("roles/new") view=NewRolePage />
                    <ParentRoute path=path!("roles/:id") view=RoleDetailPage>
                        <Route path=path!("") view=RoleSettingsTab />
                        <Route path=path!("holders") view=RoleHoldersTab />
                        <Route path=path!("activity") view=|| view! { <ActivityTab kind=TargetType::Role /> } />
                    </ParentRoute>
                    <Route path=path!("invites") view=InvitesPage />
                    <Route path=path!("api-keys") view=ApiKeysPage />
                    <Route path=path!("sso") view=SsoPage />
                    <Route path=path!("sso/new") view=NewConnectionPage />
                    <ParentRoute path=path!("sso/:id") view=SsoDetailPage>
                        <Route path=path!("") view=SsoSettingsTab />
                        <Route path=path!("mappings") view=SsoMappingsTab />
                        <Route path=path!("service-provider") view=SsoProviderDetailsTab />
                        <Route path=path!("test") view=SsoTestTab />
                        <Route path=path!("activity") view=|| view! { <ActivityTab kind=TargetType::SsoConnection /> } />
                    </ParentRoute>
                    <Route path=path!("audit") view=AuditPage />
                    <Route path=path!("settings") view=SettingsPage />
                    <Route path=path!("account") view=AccountPage />
                    <Route path=path!("account/api-keys") view=MyApiKeysPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
