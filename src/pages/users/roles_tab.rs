//! `/users/:id/roles`: the roles a user holds directly (editable) and every role they
//! hold, with where it comes from.

use std::collections::BTreeSet;

use crate::components::link::A;
use crate::components::shown::Shown;
use crate::reactive::{effect, Task};
use gatehouse_api::endpoints;
use gatehouse_api::roles::{EffectiveRole, RoleSource, UserRoles};
use leptos::prelude::*;
use uuid::Uuid;

use super::detail::CurrentUser;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::guarded::GuardedButton;
use crate::components::role_checklist::RoleChecklist;
use crate::components::table::{Column, DataTable, Unsorted};
use crate::components::toast::use_toasts;
use crate::session::use_session;

#[component]
pub fn UserRolesTab() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let CurrentUser {
        user,
        roles: shown,
        protection,
        ..
    } = expect_context::<CurrentUser>();
    let Some(user_id) = user.with_untracked(|u| u.as_ref().map(|u| u.id)) else {
        return ().into_any();
    };
    let selected = RwSignal::new(BTreeSet::<Uuid>::new());
    effect(move |_| {
        if let Some(roles) = shown.get() {
            selected.set(roles.direct.iter().map(|r| r.id).collect());
        }
    });
    let error = RwSignal::new(None::<String>);
    let save = Task::new(move |_: &()| {
        let wanted = selected.get_untracked();
        async move {
            match api::users::set_roles(session, user_id, wanted).await {
                Ok(roles) => {
                    error.set(None);
                    shown.set(Some(roles));
                    toasts.success("Roles saved.");
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let unchanged = move || {
        shown.with(|s| {
            s.as_ref()
                .map(|s| s.direct.iter().map(|r| r.id).collect::<BTreeSet<_>>())
        }) == Some(selected.get())
    };
    let read_only = move || {
        session.missing_for(&endpoints::USERS_SET_ROLES).is_some() || protection.get().is_some()
    };

    view! {
        <section class="tab-panel" aria-label="Roles">
            <div class="split">
                <div>
                    <h2>"Direct roles"</h2>
                    <Shown when=move || session.missing_for(&endpoints::USERS_SET_ROLES).is_some()>
                        <p class="muted">"Granting roles needs the roles:write permission."</p>
                    </Shown>
                    {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                    <RoleChecklist selected read_only=Signal::derive(read_only) />
                    <div class="form-actions">
                        <GuardedButton label="Save roles" class="button-primary" endpoint=endpoints::USERS_SET_ROLES blocked=protection
                            disabled=Signal::derive(move || unchanged() || save.pending().get())
                            on_click=Callback::new(move |()| { save.dispatch(()); }) />
                    </div>
                </div>
                <div>
                    <h2>"Effective roles"</h2>
                    <p class="muted">"Everything this user holds, directly or through groups."</p>
                    {move || match shown.get() {
                        Some(roles) => view! { <EffectiveRoles roles /> }.into_any(),
                        None => view! { <p class="muted" aria-busy="true">"Loading roles…"</p> }.into_any(),
                    }}
                </div>
            </div>
        </section>
    }
    .into_any()
}

fn effective_columns() -> Vec<Column<EffectiveRole, Unsorted>> {
    vec![
        Column::new("Role", |held: &EffectiveRole| {
            let (href, name) = (format!("/roles/{}", held.role.id), held.role.name.clone());
            view! { <A href=href>{name}</A> }.into_any()
        }),
        Column::new("Permissions", |held: &EffectiveRole| {
            held.permissions.len().into_any()
        })
        .class("numeric"),
        Column::new("From", |held: &EffectiveRole| {
            held.sources
                .iter()
                .map(|source| match source {
                    RoleSource::Direct => view! { <span class="tag">"Direct"</span> }.into_any(),
                    RoleSource::Group { id, name } => {
                        let (href, label) = (format!("/groups/{id}"), format!("via {name}"));
                        view! { <A href=href attr:class="tag">{label}</A> }.into_any()
                    }
                })
                .collect_view()
                .into_any()
        }),
    ]
}

#[component]
fn EffectiveRoles(roles: UserRoles) -> impl IntoView {
    if roles.effective.is_empty() {
        return view! { <p class="muted">"No roles: this user can sign in but do nothing in the console."</p> }.into_any();
    }
    view! { <DataTable caption="Effective roles" columns=effective_columns() rows=roles.effective /> }
        .into_any()
}
