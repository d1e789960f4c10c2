//! `/users/:id`: a user's page. The header and actions are shared by every tab; the tabs
//! (profile, groups, roles) are child routes, so each has its own URL.

use gatehouse_api::endpoints;
use gatehouse_api::roles::UserRoles;
use gatehouse_api::users::{UpdateUser, User, UserKind};
use gatehouse_api::Permission;
use leptos::prelude::*;
use leptos_router::components::Outlet;

use super::actions::UserActions;
use super::form::{UserDraft, UserForm};
use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::shown::Shown;
use crate::components::status::StatusBadge;
use crate::components::tabs::Tabs;
use crate::components::time::RelativeTime;
use crate::forms::{edit_session, Draft, StaleBanner};
use crate::pages::{load_by_id, not_ready_view, LoadState};
use crate::reactive::{effect, Fetched};
use crate::session::use_session;

/// The user on screen, shared with the tabs.
#[derive(Clone, Copy)]
pub struct CurrentUser {
    /// The user as last saved or loaded.
    pub user: RwSignal<Option<User>>,
    /// Loads the user again from the server.
    pub reload: Callback<()>,
    /// The roles they hold, directly and in all (as last loaded or saved).
    pub roles: RwSignal<Option<UserRoles>>,
    /// Why the signed-in administrator may not change this user at all: the user holds
    /// permissions the administrator does not. The server refuses regardless.
    pub protection: Signal<Option<String>>,
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let session = use_session();
    let page = load_by_id(move |id| api::users::get(session, id), |u: &User| u.id);
    let user = page.current;
    let user_id = Memo::new(move |_| user.with(|u| u.as_ref().map(|u| u.id)));
    let roles = RwSignal::new(None::<UserRoles>);
    let fetched = Fetched::new(move || {
        let id = user_id.get();
        async move {
            match id {
                Some(id) => Some(api::users::roles_of(session, id).await),
                None => None,
            }
        }
    });
    effect(move |_| {
        if let Some(Some(Ok(held))) = fetched.get() {
            roles.set(Some(held));
        }
    });
    let protection = Signal::derive(move || {
        let me = session.me()?;
        if user_id.get() == Some(me.user.id) {
            return None;
        }
        let lacking: Vec<String> = roles.with(|r| {
            r.as_ref()
                .map(|r| me.lacks_of(&r.permissions).map(|p| p.to_string()).collect())
                .unwrap_or_default()
        });
        (!lacking.is_empty()).then(|| {
            format!(
                "You cannot change this user: they hold permissions you do not ({}). Only an administrator who holds them too can.",
                lacking.join(", ")
            )
        })
    });
    provide_context(CurrentUser {
        user,
        reload: page.reload,
        roles,
        protection,
    });
    let body = move || match page.state.get() {
        LoadState::Ready => view! { <UserHeader /> <Outlet /> }.into_any(),
        other => not_ready_view(other, "User", "/users", page.reload),
    };
    view! {
        <Breadcrumbs parent="Users" href="/users" current=Signal::derive(move || user.get().map(|u| u.email).unwrap_or_default()) />
        {body}
    }
}

/// Name, facts and actions; follows the current user as it changes.
#[component]
fn UserHeader() -> impl IntoView {
    let CurrentUser {
        user, protection, ..
    } = expect_context::<CurrentUser>();
    let facts = move || {
        user.get().map(|user| {
            view! {
                <h1>{user.name()}</h1>
                <p class="user-meta">
                    <span>{user.email.clone()}</span>
                    <StatusBadge status=user.status />
                    {if user.kind == UserKind::Service {
                        // It never signs in: how it would, and when it last did, mean nothing.
                        view! { <span class="tag" data-kind="SERVICE">"Service account"</span> }.into_any()
                    } else {
                        view! {
                            <span>{user.identity_source.label()}</span>
                            <span>"MFA " {if user.mfa_enabled { "on" } else { "off" }}</span>
                            <span>"Last sign-in " <RelativeTime time=user.last_login_at /></span>
                        }.into_any()
                    }}
                    <span>"Created " <RelativeTime time=Some(user.created_at) /></span>
                </p>
                {user.status_reason.clone().map(|reason| view! { <p class="muted">"Reason: " {reason}</p> })}
            }
        })
    };
    let session = use_session();
    let (base, id, service) = user
        .with_untracked(|u| {
            u.as_ref().map(|u| {
                (
                    format!("/users/{}", u.id),
                    Some(u.id),
                    u.kind == UserKind::Service,
                )
            })
        })
        .unwrap_or_default();
    let mut tabs = vec![
        ("Profile", base.clone()),
        ("Groups", format!("{base}/groups")),
        ("Roles", format!("{base}/roles")),
    ];
    // No mail is ever sent to a service account.
    if !service {
        tabs.push(("Email", format!("{base}/mail")));
    }
    let own = id.is_some() && session.me().map(|m| m.user.id) == id;
    if own || session.can(Permission::ApiKeysRead) {
        tabs.push(("API keys", format!("{base}/api-keys")));
    }
    let tabs = crate::pages::audit::with_activity(tabs, &base);
    view! {
        <div class="page-header user-header">
            <div>{facts}</div>
            <UserActions />
        </div>
        {move || protection.get().map(|reason| view! {
            <p class="banner banner-info" id="protected-reason" role="note">{reason}</p>
        })}
        <Tabs label="User sections" tabs />
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
    let CurrentUser {
        user,
        reload,
        protection,
        ..
    } = expect_context::<CurrentUser>();
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
    let read_only = Signal::derive(move || {
        session.missing_for(&endpoints::USERS_UPDATE).is_some() || protection.get().is_some()
    });
    let stale = edit.stale;
    view! {
        <section class="tab-panel" aria-label="Profile">
            <Shown when=move || stale.get()>
                <StaleBanner what="user" on_reload=edit.reload_theirs />
            </Shown>
            <Shown when=move || session.missing_for(&endpoints::USERS_UPDATE).is_some()>
                <p class="banner banner-info">"You can view this user but not change them: that needs the users:write permission."</p>
            </Shown>
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
