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
                what.to_ascii_lowercase()
            )),
        }
    });
}

/// A value to copy elsewhere (into an identity provider's settings): labelled,
/// read-only, selected on focus, with a copy button naming what it copies.
#[component]
pub fn CopyField(
    id: &'static str,
    label: &'static str,
    value: String,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let text = value.clone();
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <div class="copy-link">
                <input type="text" id=id readonly spellcheck="false" autocomplete="off" prop:value=value
                    aria-describedby=hint_id.clone() on:focus:target=move |ev| ev.target().select() />
                <button type="button" class="button" aria-label=format!("Copy the {label}")
                    on:click=move |_| copy(text.clone(), label)>"Copy"</button>
            </div>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
        </div>
    }
}
