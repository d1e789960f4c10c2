//! Tabs that are links: each tab has its own URL, so Back and a pasted link work.

use leptos::prelude::*;

use crate::components::link::A;

#[component]
pub fn Tabs(label: &'static str, tabs: Vec<(&'static str, String)>) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label=label>
            {tabs.into_iter().map(|(name, href)| view! { <A href=href exact=true>{name}</A> }).collect_view()}
        </nav>
    }
}
