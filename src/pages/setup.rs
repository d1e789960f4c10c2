//! `/setup?token=…`: creates the first administrator with the link the server printed.

use gatehouse_api::auth::SetupRequest;
use gatehouse_api::validation::clean;
use gatehouse_api::FieldError;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::field::TextField;
use crate::components::link::A;
use crate::components::toast::use_toasts;
use crate::forms::{focus_first_invalid, FormState};
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

#[component]
pub fn SetupPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let token = Memo::new(move |_| use_query_map().with(|q| q.get("token")).unwrap_or_default());
    let status = Fetched::new(move || api::auth::setup_status(session));

    let email = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let form = FormState::default();

    let request = move || SetupRequest {
        token: token.get(),
        email: email.get(),
        password: password.get(),
        display_name: clean(&Some(display_name.get())).map(str::to_owned),
    };
    let client_errors = Signal::derive(move || {
        let mut errors = request().validate().err().unwrap_or_default();
        errors.retain(|e| e.field != "token");
        let compare = !confirm.get().is_empty() || form.submitted.get();
        if compare && confirm.get() != password.get() {
            errors.push(FieldError::new(
                "confirm_password",
                "The passwords do not match.",
            ));
        }
        errors
    });

    let create = Task::new(move |request: &SetupRequest| {
        let request = request.clone();
        let navigate = navigate.clone();
        async move {
            match api::auth::setup(session, &request).await {
                Ok(login) => {
                    session.signed_in(login);
                    toasts.success("Welcome to Gatehouse. You are the first administrator.");
                    navigate("/users", Default::default());
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
        if client_errors.with(Vec::is_empty) {
            create.dispatch(request());
        } else {
            focus_first_invalid();
        }
    };
    let pending = create.pending();

    let the_form = move || {
        view! {
            <form class="card narrow" on:submit=submit novalidate>
                <h1 class="brand-title">"Set up Gatehouse"</h1>
                <p class="muted">"Create the first administrator. This link works once; after that, administrators sign in."</p>
                {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
                <TextField id="email" label="Email" value=email required=true input_type="email" autocomplete="username"
                    error=form.error("email", email, client_errors) reveal=form.submitted />
                <TextField id="display_name" label="Your name" value=display_name autocomplete="name"
                    error=form.error("display_name", display_name, client_errors) reveal=form.submitted />
                <TextField id="password" label="Password" value=password required=true input_type="password" autocomplete="new-password"
                    hint="At least 12 characters. A few unrelated words make a strong password."
                    error=form.error("password", password, client_errors) reveal=form.submitted />
                <TextField id="confirm_password" label="Repeat the password" value=confirm required=true input_type="password" autocomplete="new-password"
                    error=form.error("confirm_password", confirm, client_errors) reveal=form.submitted />
                <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create administrator" }}
                </button>
            </form>
        }
    };

    view! {
        <main class="centered-page">
            {move || match status.get() {
                None => view! { <p class="card narrow" aria-busy="true">"Checking setup…"</p> }.into_any(),
                Some(Err(error)) => view! {
                    <div class="card narrow"><ErrorBanner message=error.message() on_retry=Callback::new(move |()| status.refetch()) /></div>
                }.into_any(),
                Some(Ok(s)) if !s.required => view! {
                    <div class="card narrow">
                        <h1>"Setup is complete"</h1>
                        <p>"An administrator already exists, so this setup link no longer works."</p>
                        <A href="/login" attr:class="button button-primary">"Sign in"</A>
                    </div>
                }.into_any(),
                Some(Ok(_)) if token.get().is_empty() => view! {
                    <div class="card narrow">
                        <h1>"Setup link needed"</h1>
                        <p>"Open the one-time setup link that the server printed when it started; it contains the token this page needs."</p>
                    </div>
                }.into_any(),
                Some(Ok(_)) => the_form().into_any(),
            }}
        </main>
    }
}
