//! Copying text for the user, with an honest answer when the browser refuses.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::toast::use_toasts;

/// Copies `text` and says so in a toast (or says to copy it by hand).
pub fn copy(text: String, what: &'static str) {
    let toasts = use_toasts();
    leptos::task::spawn_local(async move {
        let promise = window().navigator().clipboard().write_text(&text);
        match JsFuture::from(promise).await {
            Ok(_) => toasts.success(format!("{what} copied.")),
            Err(_) => toasts.error(format!(
                "The browser did not allow copying. Select the {} and copy it yourself.",
                what.to_lowercase()
            )),
        }
    });
}
