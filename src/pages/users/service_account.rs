//! "New service account": a user that never signs in and exists to own API keys (CI,
//! integrations). Only a name is needed; the server gives it an undeliverable address
//! unless a contact is given. Then its page opens on the API keys tab.

use gatehouse_api::users::{CreateUser, User, UserKind};
use leptos::prelude::*;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::dialog::Dialog;
use crate::components::field::TextField;
use crate::forms::create_session;
use crate::session::use_session;

/// Whether the dialog is open, handed to it by context: it is loaded on first opening.
#[derive(Clone, Copy)]
pub struct NewServiceAccount {
    pub open: RwSignal<bool>,
}

#[component]
pub fn ServiceAccountDialog() -> impl IntoView {
    let NewServiceAccount { open } = expect_context();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let request = move || CreateUser {
        email: email.get().trim().to_owned(),
        kind: UserKind::Service,
        display_name: Some(name.get()).filter(|n| !n.trim().is_empty()),
        ..Default::default()
    };
    let create = create_session(
        request,
        CreateUser::validate,
        move |request: CreateUser| async move { api::users::create(session, &request).await },
        |user: &User| {
            (
                format!("The service account {} was created.", user.name()),
                format!("/users/{}/api-keys", user.id),
            )
        },
    );
    let form = create.form;
    let error = move |field: &'static str, value: RwSignal<String>| {
        form.error(field, value, create.client_errors)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.submit.run(());
    };
    view! {
        <Dialog open title="New service account">
            <form on:submit=submit novalidate>
                <p class="muted">"A service account never signs in: it has no password and acts only through its API keys, for a CI job or an integration."</p>
                {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
                <TextField id="service-name" label="Name" value=name required=true
                    hint="What it is for, such as \"CI deploy\"."
                    error=error("display_name", name) reveal=form.submitted />
                <TextField id="service-email" label="Contact email (optional)" value=email input_type="email"
                    hint="Who to ask about it. Without one it gets an address no mail reaches."
                    error=error("email", email) reveal=form.submitted />
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || create.pending.get()>
                        {move || if create.pending.get() { "Creating…" } else { "Create service account" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
