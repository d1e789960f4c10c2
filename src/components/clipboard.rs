//! Copying text for the user, with an honest answer when the browser refuses.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::toast::use_toasts;

/// Copies `text` and says so in a toast (or says to copy it by hand).
pub fn copy(text: String, what: &'static str) {
    copy_then(text, what, None);
}

/// Like [`copy`], and runs `copied` once the browser has taken the text (a secret shown
/// once may then be closed without a warning).
pub fn copy_then(text: String, what: &'static str, copied: Option<Callback<()>>) {
    let toasts = use_toasts();
    leptos::task::spawn_local(async move {
        let promise = window().navigator().clipboard().write_text(&text);
        match JsFuture::from(promise).await {
            Ok(_) => {
                toasts.success(format!("{what} copied."));
                if let Some(copied) = copied {
                    copied.run(());
                }
            }
            Err(_) => toasts.error(format!(
                "The browser did not allow copying. Select the {} and copy it yourself.",
                what.to_lowercase()
            )),
        }
    });
}
