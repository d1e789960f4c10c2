//! Choosing roles (a user's direct roles, a group's roles) from the tenant's roles.

use std::collections::BTreeSet;

use gatehouse_api::roles::Role;
use leptos::prelude::*;
use uuid::Uuid;

use super::banner::ErrorBanner;
use crate::api;
use crate::reactive::Fetched;
use crate::session::use_session;

/// A checkbox per role of the tenant. Roles carrying permissions the administrator
/// lacks cannot be granted, so they are locked, unless `any_role` (choosing roles for
/// something other than granting them, such as a sign-in policy).
#[component]
pub fn RoleChecklist(
    selected: RwSignal<BTreeSet<Uuid>>,
    #[prop(into)] read_only: Signal<bool>,
    #[prop(optional)] any_role: bool,
    /// Starts each checkbox's id (`{prefix}-{role id}`), where one page has several lists.
    #[prop(default = "role".to_owned(), into)]
    id_prefix: String,
) -> impl IntoView {
    let session = use_session();
    let roles = Fetched::new(move || api::roles::all(session));
    move || {
        match roles.get() {
        None => view! { <p class="muted" aria-busy="true">"Loading roles…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| roles.refetch()) /> }.into_any(),
        Some(Ok(roles)) => view! {
            <div class="checklist">
                {roles.into_iter().map(|role| view! { <RoleChoice role selected read_only any_role id_prefix=id_prefix.clone() /> }).collect_view()}
            </div>
        }
        .into_any(),
    }
    }
}

/// One role's checkbox. A role carrying permissions the administrator lacks cannot be
/// granted by them; the tooltip says why.
#[component]
fn RoleChoice(
    role: Role,
    selected: RwSignal<BTreeSet<Uuid>>,
    #[prop(into)] read_only: Signal<bool>,
    any_role: bool,
    id_prefix: String,
) -> impl IntoView {
    let session = use_session();
    let id = role.id;
    let lacking: Vec<String> = role
        .permissions
        .iter()
        .filter(|p| !any_role && !session.can(**p))
        .map(|p| p.to_string())
        .collect();
    let checked = move || selected.with(|s| s.contains(&id));
    let locked = {
        let lacking = lacking.is_empty();
        move || !lacking && !checked()
    };
    let why = (!lacking.is_empty()).then(|| {
        format!(
            "You cannot grant this role: you do not hold {}.",
            lacking.join(", ")
        )
    });
    let input_id = format!("{id_prefix}-{id}");
    view! {
        <div class="permission" title=why>
            <input type="checkbox" id=input_id.clone() prop:checked=checked disabled=move || read_only.get() || locked()
                on:change:target=move |ev| {
                    let on = ev.target().checked();
                    selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                } />
            <label for=input_id>
                <strong>{role.name.clone()}</strong>
                <span class="muted">{format!("{} permissions. {}", role.permissions.len(), role.description)}</span>
            </label>
        </div>
    }
}
