//! Saving text the console made or fetched (a CSV export, an import report) as a file
//! the browser downloads. Needed because API downloads carry a bearer token, which a
//! plain link cannot send.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::ApiError;
use crate::components::toast::use_toasts;
use crate::reactive::Task;

/// Offers `text` as a download named `filename`.
pub fn save_text(filename: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}

/// A button that fetches a CSV and saves it as `filename`, saying so while it works.
#[component]
pub fn CsvDownload<F, Fut>(
    label: &'static str,
    filename: &'static str,
    /// Fetches the file's text.
    fetch: F,
    #[prop(optional)] id: &'static str,
) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<String, ApiError>> + 'static,
{
    let toasts = use_toasts();
    let download = Task::new(move |_: &()| async move {
        match fetch().await {
            Ok(text) => {
                if save_text(filename, "text/csv;charset=utf-8", &text).is_err() {
                    toasts.error("The browser did not let the file be saved.".to_owned());
                }
            }
            Err(e) => toasts.error(e.first_message()),
        }
    });
    let busy = download.pending();
    view! {
        <button type="button" class="button" id=id disabled=move || busy.get() aria-busy=move || busy.get().to_string()
            on:click=move |_| { download.dispatch(()); }>
            {move || if busy.get() { "Exporting…" } else { label }}
        </button>
    }
}
