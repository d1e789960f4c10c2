//! `/invite#code=…`: the invitee sees which organisation invited which address and who
//! sent it, chooses a password and a name, and is signed in.

use gatehouse_api::invites::{AcceptInvite, InviteLookup};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::links::{use_fragment, DeadLink};
use crate::api::{self, ApiError};
use crate::components::banner::ErrorBanner;
use crate::components::field::TextField;
use crate::components::new_password::{mismatch, NewPasswordFields};
use crate::components::time::RelativeTime;
use crate::components::toast::use_toasts;
use crate::forms::{focus_first_invalid, FormState};
use crate::reactive::{effect, Fetched, Task};
use crate::session::use_session;

const GONE_TITLE: &str = "This invitation is no longer valid";

#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let session = use_session();
    let code = use_fragment("code");
    let invite = Fetched::new(move || {
        let code = code.get();
        async move {
            // A link without its secret gets the "incomplete" page; nothing to ask.
            if code.is_empty() {
                return Err(ApiError::Unexpected(String::new()));
            }
            api::invites::lookup(session, &code).await
        }
    });
    // A code that died while the page was open (used in another tab, resent).
    let gone = RwSignal::new(None::<String>);
    effect(move |_| {
        code.track();
        gone.set(None);
    });
    let page = move || {
        if code.with(String::is_empty) {
            return view! {
                <DeadLink title="This invitation link is incomplete"
                    message="Open the link from the invitation email again, or copy all of it into the address bar." />
            }
            .into_any();
        }
        if let Some(message) = gone.get() {
            return view! { <DeadLink title=GONE_TITLE message /> }.into_any();
        }
        match invite.get() {
            None => view! { <p class="card narrow" aria-busy="true">"Opening your invitation…"</p> }.into_any(),
            Some(Err(error)) if error.status() == Some(410) => {
                view! { <DeadLink title=GONE_TITLE message=error.message() /> }.into_any()
            }
            Some(Err(error)) => view! {
                <div class="card narrow">
                    <ErrorBanner message=error.message() on_retry=Callback::new(move |()| invite.refetch()) />
                </div>
            }
            .into_any(),
            Some(Ok(found)) => view! { <AcceptForm invite=found code=code.get() gone /> }.into_any(),
        }
    };
    view! { <main class="centered-page">{page}</main> }
}

#[component]
fn AcceptForm(invite: InviteLookup, code: String, gone: RwSignal<Option<String>>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let given_name = RwSignal::new(String::new());
    let family_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let form = FormState::default();
    let email = invite.email.clone();
    let request = move || AcceptInvite {
        code: code.clone(),
        password: password.get(),
        given_name: given_name.get(),
        family_name: family_name.get(),
    };
    let request = StoredValue::new(request);
    let check_email = email.clone();
    let client_errors = Signal::derive(move || {
        let mut errors = request
            .with_value(|r| r())
            .validate(&check_email)
            .err()
            .unwrap_or_default();
        errors.extend(mismatch(password, repeat, form));
        errors
    });
    let tenant = invite.tenant_name.clone();
    let accept = Task::new(move |request: &AcceptInvite| {
        let request = request.clone();
        let navigate = navigate.clone();
        let tenant = tenant.clone();
        async move {
            match api::invites::accept(session, &request).await {
                Ok(login) => {
                    session.signed_in(login);
                    toasts.success(format!("Welcome to {tenant}."));
                    navigate("/account", Default::default());
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
            accept.dispatch(request.with_value(|r| r()));
        } else {
            focus_first_invalid();
        }
    };
    let pending = accept.pending();
    let invited_by = invite
        .invited_by
        .clone()
        .map(|name| format!("{name} invited you to join {}.", invite.tenant_name))
        .unwrap_or_else(|| format!("You are invited to join {}.", invite.tenant_name));
    let email_for_rules = email.clone();
    view! {
        <form class="card narrow" on:submit=submit novalidate>
            <h1 class="brand-title">{format!("Join {}", invite.tenant_name)}</h1>
            <p>{invited_by}</p>
            <p class="muted">"The invitation expires " <RelativeTime time=Some(invite.expires_at) /> "."</p>
            {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
            <TextField id="email" label="Email" value=RwSignal::new(email) readonly=true input_type="email" autocomplete="username" />
            <div class="grid-2">
                <TextField id="given_name" label="First name" value=given_name autocomplete="given-name"
                    error=form.error("given_name", given_name, client_errors) reveal=form.submitted />
                <TextField id="family_name" label="Last name" value=family_name autocomplete="family-name"
                    error=form.error("family_name", family_name, client_errors) reveal=form.submitted />
            </div>
            <NewPasswordFields field="password" password repeat email=Signal::derive(move || email_for_rules.clone()) form client_errors />
            <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
                {move || if pending.get() { "Creating your account…" } else { "Accept and sign in" }}
            </button>
        </form>
    }
}
