//! Which pages arrive on first visit, and in which chunk (see [`crate::components::lazy`]).
//! The sign-in page, the shell and the users list stay in the main module: they are what
//! everyone opens first. Every other area is a chunk of its own; its tabs share it.
//! The areas often opened on their own (`welcome`, `requirement`, `bulk`,
//! `users_import`) are also named in xtask's `shared_code::OPENED_ALONE`, which groups the
//! code areas share; `cargo xtask dist` fails if one of those names goes missing.

use gatehouse_api::audit::TargetType;
use gatehouse_api::auth::Requirement;
use leptos::prelude::*;

use crate::pages::account::RequirementGate;
use crate::pages::audit::{ActivityTab, AuditPage};
use crate::pages::groups::{
    GroupDetailPage, GroupMembersTab, GroupSettingsTab, GroupsPage, NewGroupPage,
};
use crate::pages::roles::{
    NewRolePage, RoleDetailPage, RoleHoldersTab, RoleSettingsTab, RolesPage,
};
use crate::pages::sso::{SsoMappingsTab, SsoProviderDetailsTab, SsoSettingsTab, SsoTestTab};
use crate::pages::users::{
    BulkBar, BulkDialog, GroupFilterLabel, GroupFilterSearch, ImportUsersPage, NewUserPage,
    PendingApprovalsList, ServiceAccountDialog, UserApiKeysTab, UserDetailPage, UserGroupsTab,
    UserMailTab, UserProfileTab, UserRolesTab,
};
use crate::pages::{
    AcceptInvitePage, AccountPage, ApiKeysPage, ConfirmIdentityDialog, ForgotPasswordPage,
    InvitesPage, MyApiKeysPage, NewConnectionPage, ResetPasswordPage, SettingsPage, SetupPage,
    SignInAgainDialog, SsoDetailPage, SsoDonePage, SsoPage,
};

crate::lazy_pages! {
    user: {
        user_new => view! { <NewUserPage /> },
        user_detail => view! { <UserDetailPage /> },
        user_profile => view! { <UserProfileTab /> },
        user_groups => view! { <UserGroupsTab /> },
        user_roles => view! { <UserRolesTab /> },
        user_mail => view! { <UserMailTab /> },
        user_api_keys => view! { <UserApiKeysTab /> },
        api_keys_list => view! { <ApiKeysPage /> },
        my_api_keys => view! { <MyApiKeysPage /> },
        account => view! { <AccountPage /> },
        // Rare dialogs of the main module, here because what follows them is here: a new
        // service account's page, and confirming who you are is asked mostly on a user's.
        new_service_account => view! { <ServiceAccountDialog /> },
        confirm_identity => view! { <ConfirmIdentityDialog /> },
    }
    users_import: {
        users_import => view! { <ImportUsersPage /> },
    }
    access: {
        groups_list => view! { <GroupsPage /> },
        group_new => view! { <NewGroupPage /> },
        group_detail => view! { <GroupDetailPage /> },
        group_settings => view! { <GroupSettingsTab /> },
        group_members => view! { <GroupMembersTab /> },
        roles_list => view! { <RolesPage /> },
        role_new => view! { <NewRolePage /> },
        role_detail => view! { <RoleDetailPage /> },
        role_settings => view! { <RoleSettingsTab /> },
        role_holders => view! { <RoleHoldersTab /> },
    }
    invites: {
        invites_list => view! { <InvitesPage /> },
    }
    sso: {
        sso_list => view! { <SsoPage /> },
        sso_new => view! { <NewConnectionPage /> },
        sso_detail => view! { <SsoDetailPage /> },
        sso_settings => view! { <SsoSettingsTab /> },
        sso_mappings => view! { <SsoMappingsTab /> },
        sso_provider => view! { <SsoProviderDetailsTab /> },
        sso_test => view! { <SsoTestTab /> },
    }
    records: {
        audit_log => view! { <AuditPage /> },
        user_activity => view! { <ActivityTab kind=TargetType::User /> },
        group_activity => view! { <ActivityTab kind=TargetType::Group /> },
        role_activity => view! { <ActivityTab kind=TargetType::Role /> },
        sso_activity => view! { <ActivityTab kind=TargetType::SsoConnection /> },
        settings => view! { <SettingsPage /> },
    }
    // What a session owes: a password change or MFA set-up, or signing in again.
    requirement: {
        password_change_gate => view! { <RequirementGate requirement=Requirement::PasswordChange /> },
        mfa_enrolment_gate => view! { <RequirementGate requirement=Requirement::MfaEnrolment /> },
        sign_in_again => view! { <SignInAgainDialog /> },
    }
    // The users list's extras: the bar once rows are chosen or the list narrowed, the
    // dialog it opens, the group filter's search and chosen group, the view of those
    // awaiting approval.
    bulk: {
        bulk_bar => view! { <BulkBar /> },
        pending_approvals => view! { <PendingApprovalsList /> },
        group_filter_search => view! { <GroupFilterSearch /> },
        group_filter_label => view! { <GroupFilterLabel /> },
        bulk_dialog => view! { <BulkDialog /> },
    }
    welcome: {
        setup => view! { <SetupPage /> },
        accept_invite => view! { <AcceptInvitePage /> },
        forgot_password => view! { <ForgotPasswordPage /> },
        reset_password => view! { <ResetPasswordPage /> },
        sso_done => view! { <SsoDonePage /> },
    }
}

/// Each area's first request, sent while the area's code loads: the same call the page
/// makes on its first render, so the page takes its answer. A list asks with the
/// address's query as it stands; the page asks with the same query read through its
/// query type, which gives the same pairs for every address the console writes (its
/// query types wrote them). An address edited by hand may differ, and then the page
/// asks again: reading each area's query here would put every area's query type in the
/// main module.
pub mod ahead {
    use gatehouse_api::endpoints::url;
    use leptos::prelude::*;
    use leptos_router::hooks::use_query_map;

    use crate::api::{self, send_ahead, Call};
    use crate::session::use_session;

    fn list(url: fn(&str) -> String) {
        let session = use_session();
        let query = use_query_map().with_untracked(|m| {
            m.latest_values()
                .map(|(k, v)| (k.to_string(), v.to_owned()))
                .collect()
        });
        send_ahead(session, Call::get(url(&session.tenant())).query(query));
    }

    pub fn groups() {
        list(url::groups);
    }
    pub fn sso() {
        list(url::sso_connections);
    }
    pub fn invites() {
        list(url::invites);
    }
    pub fn api_keys() {
        list(url::api_keys);
    }
    pub fn audit() {
        list(url::audit);
    }
    pub fn roles() {
        let session = use_session();
        send_ahead(session, api::roles::all_call(session));
    }
}
