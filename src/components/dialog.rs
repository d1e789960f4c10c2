//! Modal dialogs on the native `<dialog>` element: it traps focus, closes on Escape and
//! returns focus to where it was, which no hand-made overlay gets entirely right.

use leptos::html;
use leptos::prelude::*;

use super::icons::{Icon, Svg};
use crate::reactive::effect;

#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// Called when the dialog is dismissed (Escape or the close button).
    #[prop(optional)]
    on_dismiss: Option<Callback<()>>,
    /// Asked before a dismissal: `false` keeps the dialog open (it then says why, such
    /// as "you have not copied the key").
    #[prop(optional)]
    before_close: Option<Callback<(), bool>>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    effect(move |_| {
        let Some(element) = dialog.get() else { return };
        if open.get() {
            if !element.open() {
                let _ = element.show_modal();
            }
        } else if element.open() {
            element.close();
        }
    });
    let dismiss = move || {
        if before_close.is_some_and(|allowed| !allowed.run(())) {
            return;
        }
        open.set(false);
        if let Some(callback) = on_dismiss {
            callback.run(());
        }
    };
    let title_id = format!(
        "dialog-{}",
        title
            .get_untracked()
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby=labelled_by
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                dismiss();
            }
            // The browser may close a modal itself (a second Escape); keep the signal, or
            // the dialog, in step.
            on:close=move |_| {
                if open.get_untracked() {
                    dismiss();
                    if open.get_untracked() {
                        if let Some(element) = dialog.get_untracked() {
                            let _ = element.show_modal();
                        }
                    }
                }
            }
        >
            <header class="dialog-header">
                <h2 id=title_id>{title}</h2>
                <button type="button" class="icon-button" aria-label="Close" on:click=move |_| dismiss()>
                    <Svg icon=Icon::Close />
                </button>
            </header>
            <div class="dialog-body">{children()}</div>
        </dialog>
    }
}
