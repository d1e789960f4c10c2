//! Passwords by link: `/forgot-password` asks for one (the answer is the same whatever
//! the address), `/reset-password#token=…` sets it, which signs the account out
//! everywhere. Welcome mails lead to the same page.

use gatehouse_api::invites::{ForgotPassword, ResetLookup, ResetWithToken};
use gatehouse_api::validation;
use gatehouse_api::FieldError;
use leptos::prelude::*;

use super::links::{use_fragment, DeadLink};
use crate::api::{self, ApiError};
use crate::components::banner::ErrorBanner;
use crate::components::field::TextField;
use crate::components::link::A;
use crate::components::new_password::{mismatch, NewPasswordFields};
use crate::components::time::RelativeTime;
use crate::forms::{focus_first_invalid, FormState};
use crate::reactive::{effect, Fetched, Task};
use crate::session::use_session;

const GONE_TITLE: &str = "This password link is no longer valid";

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let form = FormState::default();
    let answer = RwSignal::new(None::<String>);
    let client_errors = Signal::derive(move || {
        validation::email(&email.get())
            .err()
            .map(|message| vec![FieldError::new("email", message)])
            .unwrap_or_default()
    });
    let ask = Task::new(move |request: &ForgotPassword| {
        let request = request.clone();
        async move {
            match api::auth::forgot_password(session, &request).await {
                Ok(reply) => answer.set(Some(reply.message)),
                Err(error) => form.fail(&error),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.begin();
        if client_errors.with_untracked(Vec::is_empty) {
            ask.dispatch(ForgotPassword {
                email: email.get_untracked(),
                tenant_id: None,
            });
        } else {
            focus_first_invalid();
        }
    };
    let pending = ask.pending();
    view! {
        <main class="centered-page">
            {move || match answer.get() {
                Some(message) => view! {
                    <div class="card narrow">
                        <h1>"Check your email"</h1>
                        <p role="status">{message}</p>
                        <A href="/login" attr:class="button">"Back to sign in"</A>
                    </div>
                }
                .into_any(),
                None => view! {
                    <form class="card narrow" on:submit=submit novalidate>
                        <h1 class="brand-title">"Forgot your password?"</h1>
                        <p class="muted">"Enter the address you sign in with. If it belongs to an account, a link to choose a new password is on its way."</p>
                        {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
                        <TextField id="email" label="Email" value=email required=true input_type="email" autocomplete="username"
                            error=form.error("email", email, client_errors) reveal=form.submitted />
                        <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
                            {move || if pending.get() { "Sending…" } else { "Send the link" }}
                        </button>
                        <p><A href="/login">"Back to sign in"</A></p>
                    </form>
                }
                .into_any(),
            }}
        </main>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let session = use_session();
    let token = use_fragment("token");
    let link = Fetched::new(move || {
        let token = token.get();
        async move {
            // A link without its secret gets the "incomplete" page; nothing to ask.
            if token.is_empty() {
                return Err(ApiError::Unexpected(String::new()));
            }
            api::auth::password_link(session, &token).await
        }
    });
    let gone = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    effect(move |_| {
        token.track();
        gone.set(None);
        done.set(false);
    });
    let page = move || {
        if token.with(String::is_empty) {
            return view! {
                <DeadLink title="This password link is incomplete"
                    message="Open the link from the email again, or copy all of it into the address bar." />
            }
            .into_any();
        }
        if done.get() {
            return view! {
                <div class="card narrow">
                    <h1>"Your password is set"</h1>
                    <p role="status">"Sign in with your new password. Every other session of your account was signed out."</p>
                    <A href="/login" attr:class="button button-primary">"Sign in"</A>
                </div>
            }
            .into_any();
        }
        if let Some(message) = gone.get() {
            return view! { <DeadLink title=GONE_TITLE message /> }.into_any();
        }
        match link.get() {
            None => view! { <p class="card narrow" aria-busy="true">"Checking your link…"</p> }.into_any(),
            Some(Err(error)) if error.status() == Some(410) => {
                view! { <DeadLink title=GONE_TITLE message=error.message() /> }.into_any()
            }
            Some(Err(error)) => view! {
                <div class="card narrow">
                    <ErrorBanner message=error.message() on_retry=Callback::new(move |()| link.refetch()) />
                </div>
            }
            .into_any(),
            Some(Ok(found)) => view! { <ResetForm link=found token=token.get() gone done /> }.into_any(),
        }
    };
    view! { <main class="centered-page">{page}</main> }
}

#[component]
fn ResetForm(
    link: ResetLookup,
    token: String,
    gone: RwSignal<Option<String>>,
    done: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let form = FormState::default();
    let email = link.email.clone();
    let check_email = email.clone();
    let client_errors = Signal::derive(move || {
        let mut errors: Vec<FieldError> = validation::password(&password.get(), &check_email)
            .err()
            .map(|message| vec![FieldError::new("new_password", message)])
            .unwrap_or_default();
        errors.extend(mismatch(password, repeat, form));
        errors
    });
    let reset = Task::new(move |request: &ResetWithToken| {
        let request = request.clone();
        let email = link.email.clone();
        async move {
            match api::auth::reset_password(session, &request).await {
                Ok(()) => {
                    // This browser's session, if it was this account's, ended with the rest.
                    if session.me().is_some_and(|me| me.user.email == email) {
                        session.clear();
                    }
                    done.set(true);
                }
                Err(error) if error.status() == Some(410) => gone.set(Some(error.message())),
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
            reset.dispatch(ResetWithToken {
                token: token.clone(),
                new_password: password.get_untracked(),
            });
        } else {
            focus_first_invalid();
        }
    };
    let pending = reset.pending();
    let rules_email = email.clone();
    view! {
        <form class="card narrow" on:submit=submit novalidate>
            <h1 class="brand-title">"Choose a new password"</h1>
            <p>{format!("For {email}.")}</p>
            <p class="muted">"This link expires " <RelativeTime time=Some(link.expires_at) /> " and works once."</p>
            {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
            <NewPasswordFields field="new_password" password repeat email=Signal::derive(move || rules_email.clone()) form client_errors />
            <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Set password" }}
            </button>
        </form>
    }
}
