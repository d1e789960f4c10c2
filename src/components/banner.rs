//! Inline messages: errors with a way forward, and notices.

use leptos::prelude::*;

use super::icons::{Icon, Svg};

/// An error in the page's words, with an optional retry.
#[component]
pub fn ErrorBanner(
    #[prop(into)] message: Signal<String>,
    #[prop(optional, into)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert">
            <Svg icon=Icon::Alert />
            <p>{message}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
