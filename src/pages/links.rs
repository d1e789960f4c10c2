//! What the pages opened from a mailed link share: the secret sits in the URL fragment
//! (never sent to a server, never in a Referer) and goes to the API in a request body;
//! a link that no longer works gets one clear page.

use leptos::prelude::*;

use crate::components::link::A;

/// The value of `key` in the fragment (`#code=...`), empty when absent.
pub fn fragment_value(key: &str) -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.trim_start_matches('#')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// The value of `key` in the fragment, percent-decoded (a message, a path); empty when
/// absent or not decodable.
pub fn decoded_fragment_value(key: &str) -> String {
    decode_component(&fragment_value(key))
}

/// A percent-encoded URL component as text (`+` as a space); empty when not decodable.
pub fn decode_component(raw: &str) -> String {
    js_sys::decode_uri_component(&raw.replace('+', " "))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The value of `key` in the fragment, following it when only the fragment changes (a
/// second link pasted into the same tab does not reload the page).
pub fn use_fragment(key: &'static str) -> ReadSignal<String> {
    let (value, set_value) = signal(fragment_value(key));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_value.set(fragment_value(key));
    });
    on_cleanup(move || listener.remove());
    value
}

/// A link that cannot be used: why, and what to do instead.
#[component]
pub fn DeadLink(title: &'static str, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="card narrow dead-link">
            <h1>{title}</h1>
            <p>{message}</p>
            <A href="/login" attr:class="button">"Go to sign in"</A>
        </div>
    }
}
