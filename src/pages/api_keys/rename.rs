//! Renaming a key: its name is what people recognise it by in lists, so it should follow
//! what the key is used for. Saved with the version it was read at: if someone renamed
//! it meanwhile, the dialog says so and keeps what was typed.

use gatehouse_api::api_keys::{name as name_rule, ApiKey, UpdateApiKey};
use leptos::prelude::*;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::field::TextField;
use crate::components::toast::use_toasts;
use crate::reactive::{effect, Task};
use crate::session::use_session;

/// The dialog, open while `key` holds the key being renamed; `on_renamed` runs after a
/// save (to reload the list).
#[component]
pub fn RenameKeyDialog(key: RwSignal<Option<ApiKey>>, on_renamed: Callback<()>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    effect(move |_| {
        if let Some(k) = key.get() {
            name.set(k.name.clone());
            error.set(None);
            open.set(true);
        }
    });
    effect(move |_| {
        if !open.get() {
            key.set(None);
        }
    });
    let save = Task::new(move |_: &()| {
        let current = key.get_untracked();
        let typed = name.get_untracked();
        async move {
            let Some(current) = current else { return };
            if let Err(why) = name_rule(&typed) {
                error.set(Some(why));
                return;
            }
            let request = UpdateApiKey {
                name: typed.trim().to_owned(),
            };
            match api::api_keys::rename(session, current.id, current.version, &request).await {
                Ok(saved) => {
                    open.set(false);
                    toasts.success(format!("The key is now called \u{201c}{}\u{201d}.", saved.name));
                    on_renamed.run(());
                }
                Err(e) if e.is_stale() => error.set(Some(
                    "Someone else changed this key meanwhile. Close this dialog to see its current name, then try again.".into(),
                )),
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let pending = save.pending();
    view! {
        <Dialog open title="Rename API key">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                <TextField id="key-rename" label="Name" value=name required=true error=error reveal=true
                    hint="What uses the key, such as \"CI deploy\"." />
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Saving…" } else { "Save name" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
