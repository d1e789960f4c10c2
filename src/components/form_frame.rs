//! The frame every edit form shares: the failure banner on top, the fields, and the
//! submit button (busy while saving) with an optional way back.

use leptos::prelude::*;

use super::banner::ErrorBanner;
use crate::components::link::A;
use crate::forms::FormState;

#[component]
pub fn FormFrame(
    form: FormState,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] read_only: Signal<bool>,
    submit_label: &'static str,
    #[prop(default = "Saving…")] pending_label: &'static str,
    on_submit: Callback<()>,
    /// Where "Cancel" leads (create pages).
    #[prop(optional_no_strip)]
    cancel: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit.run(());
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
            {children()}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || pending.get() || read_only.get()>
                    {move || if pending.get() { pending_label } else { submit_label }}
                </button>
                {cancel.map(|href| view! { <A href=href attr:class="button button-quiet">"Cancel"</A> })}
            </div>
        </form>
    }
}
