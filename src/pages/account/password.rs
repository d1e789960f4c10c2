//! Changing one's own password: the current one, then the new one twice.

use gatehouse_api::auth::{ChangePassword, Me};
use gatehouse_api::FieldError;
use leptos::prelude::*;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::field::TextField;
use crate::forms::{focus_first_invalid, FormState};
use crate::reactive::Task;
use crate::session::use_session;

/// The form; `on_changed` receives the signed-in user as they are after the change.
/// Other sessions end; this one goes on.
#[component]
pub fn ChangePasswordForm(on_changed: Callback<Me>) -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let form = FormState::default();
    let email = move || session.me().map(|m| m.user.email).unwrap_or_default();
    let request = move || ChangePassword {
        current_password: current.get(),
        new_password: new.get(),
    };
    let client_errors = Signal::derive(move || {
        let mut errors = request().validate(&email()).err().unwrap_or_default();
        if (!repeat.get().is_empty() || form.submitted.get()) && repeat.get() != new.get() {
            errors.push(FieldError::new(
                "repeat_password",
                "The passwords do not match.",
            ));
        }
        errors
    });
    let change = Task::new(move |request: &ChangePassword| {
        let request = request.clone();
        async move {
            match api::account::change_password(session, &request).await {
                Ok(me) => {
                    form.reset();
                    for field in [current, new, repeat] {
                        field.set(String::new());
                    }
                    on_changed.run(me);
                }
                Err(error) => {
                    form.fail(&error);
                    focus_first_invalid();
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.begin();
        if client_errors.with_untracked(Vec::is_empty) {
            change.dispatch(request());
        } else {
            focus_first_invalid();
        }
    };
    let pending = change.pending();
    view! {
        <form class="form form-narrow" on:submit=submit novalidate>
            {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
            <TextField id="current_password" label="Current password" value=current required=true
                input_type="password" autocomplete="current-password"
                error=form.error("current_password", current, client_errors) reveal=form.submitted />
            <TextField id="new_password" label="New password" value=new required=true
                input_type="password" autocomplete="new-password"
                hint="At least 12 characters. A few unrelated words make a strong password."
                error=form.error("new_password", new, client_errors) reveal=form.submitted />
            <TextField id="repeat_password" label="Repeat the new password" value=repeat required=true
                input_type="password" autocomplete="new-password"
                error=form.error("repeat_password", repeat, client_errors) reveal=form.submitted />
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Changing…" } else { "Change password" }}
                </button>
            </div>
        </form>
    }
}
