//! Where a page sits: the list it belongs to, then the page itself.

use leptos::prelude::*;

use crate::components::link::A;

#[component]
pub fn Breadcrumbs(
    /// The list or area above this page ("Users"), and its address.
    parent: &'static str,
    href: &'static str,
    /// This page ("New user", a user's email).
    #[prop(into)]
    current: Signal<String>,
) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href=href>{parent}</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{current}</span>
        </nav>
    }
}
