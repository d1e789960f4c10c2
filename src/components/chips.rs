//! Small labels: a group's colour chip, a built-in marker.

use leptos::prelude::*;

/// A group's colour dot next to its name. The colour is set through CSSOM (allowed by the
/// CSP), and the name is always there: colour is never the only signal.
#[component]
pub fn GroupChip(name: String, color: String) -> impl IntoView {
    view! {
        <span class="group-chip">
            <span class="group-dot" aria-hidden="true" style:background-color=color></span>
            {name}
        </span>
    }
}
