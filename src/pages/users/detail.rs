//! `/users/:id`: a user's page. The header and actions are shared by every tab; the tabs
//! (profile, groups, roles) are child routes, so each has its own URL.

use gatehouse_api::endpoints;
use gatehouse_api::users::{UpdateUser, User};
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use super::actions::UserActions;
use super::form::{UserDraft, UserForm};
use crate::api;
use crate::components::status::StatusBadge;
use crate::components::tabs::Tabs;
use crate::components::time::RelativeTime;
use crate::forms::{edit_session, Draft, StaleBanner};
use crate::pages::{load_by_id, not_ready_view, LoadState};
use crate::session::use_session;

/// The user on screen, shared with the tabs.
#[derive(Clone, Copy)]
pub struct CurrentUser {
    /// The user as last saved or loaded.
    pub user: RwSignal<Option<User>>,
    /// Loads the user again from the server.
    pub reload: Callback<()>,
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let session = use_session();
    let page = load_by_id(move |id| api::users::get(session, id), |u: &User| u.id);
    let user = page.current;
    provide_context(CurrentUser {
        user,
        reload: page.reload,
    });
    let body = move || match page.state.get() {
        LoadState::Ready => view! { <UserHeader /> <Outlet /> }.into_any(),
        other => not_ready_view(other, "User", "/users", page.reload),
    };
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/users">"Users"</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || user.get().map(|u| u.email).unwrap_or_default()}</span>
        </nav>
        {body}
    }
}

/// Name, facts and actions; follows the current user as it changes.
#[component]
fn UserHeader() -> impl IntoView {
    let CurrentUser { user, .. } = expect_context::<CurrentUser>();
    let facts = move || {
        user.get().map(|user| {
            view! {
                <h1>{user.name()}</h1>
                <p class="user-meta">
                    <span>{user.email.clone()}</span>
                    <StatusBadge status=user.status />
                    <span>{user.identity_source.label()}</span>
                    <span>"MFA " {if user.mfa_enabled { "on" } else { "off" }}</span>
                    <span>"Last sign-in " <RelativeTime time=user.last_login_at /></span>
                    <span>"Created " <RelativeTime time=Some(user.created_at) /></span>
                </p>
                {user.status_reason.clone().map(|reason| view! { <p class="muted">"Reason: " {reason}</p> })}
            }
        })
    };
    let base = user
        .with_untracked(|u| u.as_ref().map(|u| format!("/users/{}", u.id)))
        .unwrap_or_default();
    view! {
        <div class="page-header user-header">
            <div>{facts}</div>
            <UserActions />
        </div>
        <Tabs label="User sections" tabs=vec![
            ("Profile", base.clone()),
            ("Groups", format!("{base}/groups")),
            ("Roles", format!("{base}/roles")),
        ] />
    }
}

impl Draft<User> for UserDraft {
    type Patch = UpdateUser;

    fn load(&self, saved: &User) {
        UserDraft::load(self, saved);
    }

    fn patch(&self, saved: &User) -> UpdateUser {
        self.to_patch(saved)
    }
}

/// The profile tab: edit the user's fields. Saves only what changed, based on the
/// version on screen; if someone else saved first, says so and keeps what was typed.
#[component]
pub fn UserProfileTab() -> impl IntoView {
    let session = use_session();
    let CurrentUser { user, reload } = expect_context::<CurrentUser>();
    let draft = UserDraft::default();
    let edit = edit_session(
        user,
        draft,
        reload,
        "Changes saved.",
        move |saved: User, patch| async move {
            api::users::update(session, saved.id, saved.version, &patch).await
        },
    );
    let read_only = Signal::derive(move || session.missing_for(&endpoints::USERS_UPDATE).is_some());
    let stale = edit.stale;
    view! {
        <section class="tab-panel" aria-label="Profile">
            <Show when=move || stale.get()>
                <StaleBanner what="user" on_reload=edit.reload_theirs />
            </Show>
            <Show when=move || read_only.get()>
                <p class="banner banner-info">"You can view this user but not change them: that needs the users:write permission."</p>
            </Show>
            <UserForm
                draft
                form=edit.form
                client_errors=edit.client_errors
                pending=edit.pending
                submit_label="Save changes"
                pending_label="Saving…"
                on_submit=edit.submit
                read_only
            />
        </section>
    }
}
