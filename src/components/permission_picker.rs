//! Choosing a role's permissions, grouped by area, each with what it allows.

use std::collections::BTreeSet;

use gatehouse_api::Permission;
use leptos::prelude::*;

use crate::session::use_session;

/// The catalogue, by area, in catalogue order.
fn by_area() -> Vec<(&'static str, Vec<Permission>)> {
    let mut areas: Vec<(&'static str, Vec<Permission>)> = Vec::new();
    for permission in Permission::ALL {
        match areas.last_mut() {
            Some((area, list)) if *area == permission.area() => list.push(permission),
            _ => areas.push((permission.area(), vec![permission])),
        }
    }
    areas
}

/// Checkboxes for every permission. A permission the administrator does not hold cannot
/// be added (they cannot grant it), though it can be removed.
#[component]
pub fn PermissionPicker(
    selected: RwSignal<BTreeSet<Permission>>,
    #[prop(into)] read_only: Signal<bool>,
    /// Only these are listed (an API key's owner's permissions: a key cannot have more).
    #[prop(optional)]
    offered: Option<BTreeSet<Permission>>,
) -> impl IntoView {
    let session = use_session();
    view! {
        <div class="permission-picker">
            {by_area()
                .into_iter()
                .filter_map(|(area, mut permissions)| {
                    if let Some(offered) = &offered {
                        permissions.retain(|p| offered.contains(p));
                    }
                    (!permissions.is_empty()).then_some((area, permissions))
                })
                .map(|(area, permissions)| view! {
                    <fieldset class="permission-area">
                        <legend>{area}</legend>
                        {permissions
                            .into_iter()
                            .map(|permission| {
                                let id = format!("permission-{}", permission.as_str().replace(':', "-"));
                                let checked = move || selected.with(|s| s.contains(&permission));
                                let locked = move || !session.can(permission) && !checked();
                                let why = move || locked().then(|| format!("You do not hold {permission}, so you cannot grant it."));
                                view! {
                                    <div class="permission" title=why>
                                        <input
                                            type="checkbox"
                                            id=id.clone()
                                            value=permission.as_str()
                                            prop:checked=checked
                                            disabled=move || read_only.get() || locked()
                                            on:change:target=move |ev| {
                                                let on = ev.target().checked();
                                                selected.update(|s| {
                                                    if on { s.insert(permission); } else { s.remove(&permission); }
                                                });
                                            }
                                        />
                                        <label for=id>
                                            <code>{permission.as_str()}</code>
                                            <span class="muted">{permission.description()}</span>
                                        </label>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                })
                .collect_view()}
        </div>
    }
}
