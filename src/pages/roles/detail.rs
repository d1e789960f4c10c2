//! `/roles/:id`: a role's settings and who holds it. Built-in roles are read-only.

use gatehouse_api::endpoints;
use gatehouse_api::roles::Role;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use super::form::{RoleDraft, RoleForm};
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::chips::GroupChip;
use crate::components::confirm::ConfirmDialog;
use crate::components::guarded::GuardedButton;
use crate::components::link::A;
use crate::components::shown::Shown;
use crate::components::tabs::Tabs;
use crate::components::toast::use_toasts;
use crate::forms::{edit_session, StaleBanner};
use crate::pages::{load_by_id, not_ready_view, LoadState};
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

#[derive(Clone, Copy)]
struct CurrentRole {
    role: RwSignal<Option<Role>>,
    reload: Callback<()>,
}

#[component]
pub fn RoleDetailPage() -> impl IntoView {
    let session = use_session();
    let page = load_by_id(move |id| api::roles::get(session, id), |r: &Role| r.id);
    let role = page.current;
    provide_context(CurrentRole {
        role,
        reload: page.reload,
    });
    let body = move || match page.state.get() {
        LoadState::Ready => view! { <RoleHeader /> <Outlet /> }.into_any(),
        other => not_ready_view(other, "Role", "/roles", page.reload),
    };
    view! {
        <Breadcrumbs parent="Roles" href="/roles" current=Signal::derive(move || role.get().map(|r| r.name).unwrap_or_default()) />
        {body}
    }
}

#[component]
fn RoleHeader() -> impl IntoView {
    let CurrentRole { role, .. } = expect_context::<CurrentRole>();
    let delete_open = RwSignal::new(false);
    let base = role
        .with_untracked(|r| r.as_ref().map(|r| format!("/roles/{}", r.id)))
        .unwrap_or_default();
    let builtin = move || role.with(|r| r.as_ref().is_some_and(Role::is_builtin));
    view! {
        <div class="page-header">
            <div>
                <h1>
                    {move || role.get().map(|r| r.name)}
                    <Shown when=builtin><span class="tag">"Built-in"</span></Shown>
                </h1>
                <p class="muted">{move || role.get().map(|r| r.description)}</p>
            </div>
            <Shown when=move || !builtin()>
                <GuardedButton label="Delete role" class="button-danger" endpoint=endpoints::ROLES_DELETE
                    on_click=Callback::new(move |()| delete_open.set(true)) />
            </Shown>
        </div>
        <Tabs label="Role sections" tabs=crate::pages::audit::with_activity(vec![("Settings", base.clone()), ("Holders", format!("{base}/holders"))], &base) />
        <DeleteRoleDialog open=delete_open />
    }
}

/// Asks before deleting, saying who would lose the role.
#[component]
fn DeleteRoleDialog(open: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let CurrentRole { role, .. } = expect_context::<CurrentRole>();
    let error = RwSignal::new(None::<String>);
    let delete = Task::new(move |_: &()| {
        let target = role.get_untracked();
        let navigate = navigate.clone();
        async move {
            let Some(target) = target else { return };
            match api::roles::delete(session, target.id).await {
                Ok(()) => {
                    open.set(false);
                    toasts.success(format!("The role {} was deleted.", target.name));
                    navigate("/roles", Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let consequence = Signal::derive(move || {
        role.get()
            .map(|r| {
                if r.user_count == 0 && r.group_count == 0 {
                    format!("Nobody holds {} yet. Deleting it cannot be undone.", r.name)
                } else {
                    format!(
                        "{} users hold {} directly and {} groups grant it. They all lose its permissions at once. This cannot be undone.",
                        r.user_count, r.name, r.group_count
                    )
                }
            })
            .unwrap_or_default()
    });
    view! { <ConfirmDialog open title="Delete role" message=consequence confirm_label="Delete role" action=delete error /> }
}

/// Name, description and permissions; saved against the version on screen.
#[component]
pub fn RoleSettingsTab() -> impl IntoView {
    let session = use_session();
    let CurrentRole { role, reload } = expect_context::<CurrentRole>();
    let draft = RoleDraft::default();
    let edit = edit_session(
        role,
        draft,
        reload,
        "Role saved.",
        move |saved: Role, patch| async move {
            api::roles::update(session, saved.id, saved.version, &patch).await
        },
    );
    let builtin = move || role.with(|r| r.as_ref().is_some_and(Role::is_builtin));
    let read_only = Signal::derive(move || {
        builtin() || session.missing_for(&endpoints::ROLES_UPDATE).is_some()
    });
    let stale = edit.stale;
    view! {
        <section class="tab-panel" aria-label="Settings">
            <Shown when=builtin>
                <p class="banner banner-info">"Built-in roles are the same in every installation and cannot be changed or deleted. To grant a different set of permissions, create a custom role."</p>
            </Shown>
            <Shown when=move || !builtin() && read_only.get()>
                <p class="banner banner-info">"You can view this role but not change it: that needs the roles:write permission."</p>
            </Shown>
            <Shown when=move || stale.get()>
                <StaleBanner what="role" on_reload=edit.reload_theirs />
            </Shown>
            <RoleForm draft form=edit.form client_errors=edit.client_errors read_only pending=edit.pending
                submit_label="Save role" on_submit=edit.submit />
        </section>
    }
}

/// Who holds the role: users directly, and groups (whose members hold it too).
#[component]
pub fn RoleHoldersTab() -> impl IntoView {
    let session = use_session();
    let CurrentRole { role, .. } = expect_context::<CurrentRole>();
    let Some(id) = role.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
        return ().into_any();
    };
    let holders = Fetched::new(move || api::roles::holders(session, id));
    let body = move || {
        match holders.get() {
        None => view! { <p class="muted" aria-busy="true">"Loading holders…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| holders.refetch()) /> }.into_any(),
        Some(Ok(h)) => view! {
            <p>
                {format!("{} users hold this role in all, directly or through a group. ", h.effective_user_count)}
                <A href=format!("/users?role_id={id}")>"See them in the users list"</A>
            </p>
            <div class="split">
                <div>
                    <h2>{format!("Users holding it directly ({})", h.direct_user_count)}</h2>
                    {if h.users.is_empty() {
                        view! { <p class="muted">"Nobody holds it directly."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="item-list">
                                {h.users.into_iter().map(|u| view! {
                                    <li><A href=format!("/users/{}", u.id)>{u.name}</A><span class="muted">{u.email}</span></li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
                <div>
                    <h2>{format!("Groups granting it ({})", h.groups.len())}</h2>
                    {if h.groups.is_empty() {
                        view! { <p class="muted">"No group grants it."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="item-list">
                                {h.groups.into_iter().map(|g| view! {
                                    <li><A href=format!("/groups/{}", g.id)><GroupChip name=g.name color=g.color /></A></li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            </div>
        }.into_any(),
    }
    };
    view! { <section class="tab-panel" aria-label="Holders">{body}</section> }.into_any()
}
