//! "Are you sure?" for destructive actions: says what will be lost, then does it.

use leptos::prelude::*;

use super::banner::ErrorBanner;
use super::dialog::Dialog;
use crate::reactive::Task;

/// A dialog that runs `action` on confirmation. The action closes `open` on success and
/// puts a failure in `error`, which shows here.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    action: Task<()>,
    error: RwSignal<Option<String>>,
    /// Fields the action takes (a reason), between the message and the buttons.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <Dialog open title=title>
            <p>{message}</p>
            {children.map(|fields| fields())}
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            <div class="dialog-actions">
                <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="button button-danger" disabled=move || action.pending().get()
                    on:click=move |_| { action.dispatch(()); }>{confirm_label}</button>
            </div>
        </Dialog>
    }
}
