//! Links inside the console, under its path prefix.

use leptos::prelude::*;

use crate::config;

/// leptos_router's `A` with the console's path prefix ([`config::base_path`]) in front of
/// absolute paths: its navigation adds the router's base, but its `A` leaves `/users` as
/// it is, which under `/admin/` would leave the console.
#[component]
pub fn A(
    /// A route (`/users/42`) or a path relative to the current one.
    #[prop(into)]
    href: String,
    /// Marked current only when the location is exactly this one.
    #[prop(optional)]
    exact: bool,
    children: Children,
) -> impl IntoView {
    let href = if href.starts_with('/') {
        format!("{}{href}", config::base_path())
    } else {
        href
    };
    view! { <leptos_router::components::A href exact>{children()}</leptos_router::components::A> }
}
