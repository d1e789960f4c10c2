//! Light and dark themes: the system's choice until the administrator picks one, which
//! is remembered.

use leptos::prelude::*;

use super::icons::{Icon, Svg};

const THEME_KEY: &str = "gatehouse.theme";

fn stored() -> Option<String> {
    window()
        .local_storage()
        .ok()
        .flatten()?
        .get_item(THEME_KEY)
        .ok()
        .flatten()
}

fn system_prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

fn apply(theme: &str) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// Applies the remembered choice, else the system's, at start.
pub fn apply_initial() {
    apply(&current());
}

fn current() -> String {
    stored().unwrap_or_else(|| {
        if system_prefers_dark() {
            "dark"
        } else {
            "light"
        }
        .to_owned()
    })
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(current() == "dark");
    let toggle = move |_| {
        let theme = if dark.get_untracked() {
            "light"
        } else {
            "dark"
        };
        apply(theme);
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(THEME_KEY, theme);
        }
        dark.set(theme == "dark");
    };
    view! {
        <button
            type="button"
            class="icon-button"
            on:click=toggle
            aria-label=move || if dark.get() { "Switch to light theme" } else { "Switch to dark theme" }
            title=move || if dark.get() { "Switch to light theme" } else { "Switch to dark theme" }
        >
            {move || if dark.get() { view! { <Svg icon=Icon::Sun /> } } else { view! { <Svg icon=Icon::Moon /> } }}
        </button>
    }
}
