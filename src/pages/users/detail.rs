//! `/users/:id`: a user's page. The header and actions are shared by every tab; the
//! tabs (profile now, more as areas arrive) are child routes, so each has its own URL.

use gatehouse_api::endpoints;
use gatehouse_api::users::User;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use uuid::Uuid;

use super::actions::UserActions;
use super::form::{UserDraft, UserForm};
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::status::StatusBadge;
use crate::components::time::RelativeTime;
use crate::components::toast::use_toasts;
use crate::forms::{focus_first_invalid, FormState};
use crate::session::use_session;

#[derive(Params, Clone, Debug, PartialEq)]
struct UserParams {
    id: Option<Uuid>,
}

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
    let params = use_params::<UserParams>();
    let id = Memo::new(move |_| params.get().ok().and_then(|p| p.id));
    let loaded = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api::users::get(session, id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let user = RwSignal::new(None::<User>);
    Effect::new(move |_| {
        if let Some(Ok(found)) = loaded.get() {
            user.set(found);
        }
    });
    provide_context(CurrentUser {
        user,
        reload: Callback::new(move |()| loaded.refetch()),
    });

    // What the page shows depends on whether the user is there, not on its fields: a
    // save or a status change must not rebuild the tabs and lose what is typed in them.
    let state = Memo::new(move |_| {
        let shown = user.with(|u| u.as_ref().map(|u| u.id));
        match loaded.get() {
            _ if shown.is_some() && shown == id.get() => Page::Ready,
            Some(Ok(None)) => Page::NotFound(
                "There is no such user. They may have been deleted, or the link is incomplete."
                    .into(),
            ),
            Some(Err(e)) if e.status() == Some(404) => Page::NotFound(e.message()),
            Some(Err(e)) => Page::Failed(e.message()),
            _ => Page::Loading,
        }
    });
    let body = move || match state.get() {
        Page::Ready => view! { <UserHeader /> <Outlet /> }.into_any(),
        Page::NotFound(message) => view! {
            <div class="empty">
                <h1>"User not found"</h1>
                <p>{message}</p>
                <A href="/users" attr:class="button">"Back to users"</A>
            </div>
        }
        .into_any(),
        Page::Failed(message) => view! {
            <ErrorBanner message=message on_retry=Callback::new(move |()| loaded.refetch()) />
        }
        .into_any(),
        Page::Loading => view! { <p class="muted" aria-busy="true">"Loading user…"</p> }.into_any(),
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

#[derive(Clone, Debug, PartialEq)]
enum Page {
    Loading,
    Ready,
    NotFound(String),
    Failed(String),
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
        <nav class="tabs" aria-label="User sections">
            <A href=base exact=true>"Profile"</A>
        </nav>
    }
}

/// The profile tab: edit the user's fields. Saves only what changed, based on the
/// version on screen; if someone else saved first, says so and keeps what was typed.
#[component]
pub fn UserProfileTab() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let CurrentUser { user, reload } = expect_context::<CurrentUser>();
    let draft = UserDraft::default();
    let form = FormState::default();
    let stale = RwSignal::new(false);
    let discard_edits = RwSignal::new(true);
    let read_only = Signal::derive(move || session.missing_for(&endpoints::USERS_UPDATE).is_some());

    // Follow the saved user; keep the administrator's edits unless they asked to discard.
    Effect::new(move |previous: Option<Option<User>>| {
        let current = user.get();
        // Only the saved user is tracked: loading the draft must not re-run this.
        untrack(|| {
            if let Some(current) = &current {
                let untouched = previous
                    .flatten()
                    .is_none_or(|p| draft.to_patch(&p).is_empty());
                if discard_edits.get() || untouched {
                    draft.load(current);
                    discard_edits.set(false);
                }
            }
        });
        current
    });

    let client_errors = Signal::derive(move || {
        user.with(|u| {
            u.as_ref()
                .map(|u| draft.to_patch(u).validate().err().unwrap_or_default())
        })
        .unwrap_or_default()
    });
    let save = Action::new_local(move |_: &()| {
        let saved = user.get_untracked();
        async move {
            let Some(saved) = saved else { return };
            let patch = draft.to_patch(&saved);
            match api::users::update(session, saved.id, saved.version, &patch).await {
                Ok(updated) => {
                    form.reset();
                    stale.set(false);
                    discard_edits.set(true);
                    user.set(Some(updated));
                    toasts.success("Changes saved.");
                }
                Err(error) if error.is_stale() => stale.set(true),
                Err(error) => {
                    form.fail(&error);
                    focus_first_invalid();
                }
            }
        }
    });
    let on_submit = Callback::new(move |()| {
        form.begin();
        let unchanged =
            user.with_untracked(|u| u.as_ref().is_none_or(|u| draft.to_patch(u).is_empty()));
        if unchanged {
            toasts.success("There are no changes to save.");
        } else if client_errors.with_untracked(Vec::is_empty) {
            save.dispatch(());
        } else {
            focus_first_invalid();
        }
    });
    let reload_theirs = move |_| {
        discard_edits.set(true);
        stale.set(false);
        form.reset();
        reload.run(());
    };

    view! {
        <section class="tab-panel" aria-label="Profile">
            <Show when=move || stale.get()>
                <div class="banner banner-warning" role="alert">
                    <p>"Someone else changed this user after you opened it, so your changes were not saved. They are still in the form below."</p>
                    <button type="button" class="button" on:click=reload_theirs>"Load their version (discards your changes)"</button>
                </div>
            </Show>
            <Show when=move || read_only.get()>
                <p class="banner banner-info">"You can view this user but not change them: that needs the users:write permission."</p>
            </Show>
            <UserForm
                draft
                form
                client_errors
                pending=save.pending()
                submit_label="Save changes"
                pending_label="Saving…"
                on_submit
                read_only
            />
        </section>
    }
}
