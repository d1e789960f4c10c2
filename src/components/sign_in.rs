//! Signing in: email and password, then, for accounts with two-step sign-in, a code from
//! the authenticator app or a recovery code. Used by the sign-in page and by the "sign in
//! again" dialog.

use gatehouse_api::auth::{LoginMfaRequest, LoginRequest, LoginResponse, LoginStep};
use leptos::prelude::*;

use super::banner::ErrorBanner;
use crate::api;
use crate::session::use_session;

/// Both steps of signing in. `prefix` keeps element ids unique where two of these could
/// exist on one page; `on_signed_in` receives the new session.
#[component]
pub fn SignInSteps(
    email: RwSignal<String>,
    #[prop(optional)] email_read_only: bool,
    prefix: &'static str,
    submit_label: &'static str,
    on_signed_in: Callback<LoginResponse>,
) -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let challenge = RwSignal::new(None::<String>);
    let recovery = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let password_step = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match api::auth::login(session, &request).await {
                Ok(LoginStep::SignedIn(login)) => {
                    password.set(String::new());
                    on_signed_in.run(*login);
                }
                Ok(LoginStep::MfaRequired(step)) => {
                    password.set(String::new());
                    code.set(String::new());
                    challenge.set(Some(step.challenge));
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let code_step = Action::new_local(move |request: &LoginMfaRequest| {
        let request = request.clone();
        async move {
            match api::auth::login_mfa(session, &request).await {
                Ok(login) => {
                    challenge.set(None);
                    code.set(String::new());
                    on_signed_in.run(login);
                }
                Err(e) => {
                    code.set(String::new());
                    if e.message().contains("Start again") {
                        challenge.set(None);
                    }
                    error.set(Some(e.message()));
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        match challenge.get_untracked() {
            None => {
                password_step.dispatch(LoginRequest {
                    email: email.get_untracked(),
                    password: password.get_untracked(),
                    tenant_id: None,
                });
            }
            Some(challenge) => {
                code_step.dispatch(LoginMfaRequest {
                    challenge,
                    code: code.get_untracked(),
                });
            }
        }
    };
    let pending =
        Signal::derive(move || password_step.pending().get() || code_step.pending().get());
    let (email_id, password_id, code_id) = (
        format!("{prefix}email"),
        format!("{prefix}password"),
        format!("{prefix}mfa-code"),
    );
    let credentials = move || {
        view! {
            <div class="field">
                <label for=email_id.clone()>"Email"</label>
                <input id=email_id.clone() name="email" type="email" autocomplete="username" required
                    readonly=email_read_only
                    prop:value=move || email.get() on:input:target=move |ev| email.set(ev.target().value()) />
            </div>
            <div class="field">
                <label for=password_id.clone()>"Password"</label>
                <input id=password_id.clone() name="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get() on:input:target=move |ev| password.set(ev.target().value()) />
            </div>
        }
    };
    let second_factor = move || {
        let hint_id = format!("{code_id}-hint");
        view! {
            <div class="field">
                <label for=code_id.clone()>
                    {move || if recovery.get() { "Recovery code" } else { "Code from your authenticator app" }}
                </label>
                <input id=code_id.clone() name="code" type="text" required spellcheck="false"
                    autocomplete="one-time-code"
                    inputmode=move || if recovery.get() { "text" } else { "numeric" }
                    aria-describedby=hint_id.clone()
                    prop:value=move || code.get() on:input:target=move |ev| code.set(ev.target().value()) />
                <p class="field-hint" id=hint_id>
                    {move || if recovery.get() {
                        "One of the codes you saved when you set up two-step sign-in. Each works once."
                    } else {
                        "Six digits. Two-step sign-in is on for this account."
                    }}
                </p>
            </div>
            <p class="muted">
                <button type="button" class="link-button" on:click=move |_| {
                    recovery.update(|r| *r = !*r);
                    code.set(String::new());
                }>
                    {move || if recovery.get() { "Use the authenticator app instead" } else { "Use a recovery code instead" }}
                </button>
                " · "
                <button type="button" class="link-button" on:click=move |_| {
                    challenge.set(None);
                    error.set(None);
                }>"Start over"</button>
            </p>
        }
    };
    view! {
        <form on:submit=submit novalidate>
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            {move || if challenge.with(Option::is_none) {
                credentials().into_any()
            } else {
                second_factor().into_any()
            }}
            <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
                {move || match (pending.get(), challenge.with(Option::is_some)) {
                    (true, _) => "Signing in…",
                    (false, true) => "Verify",
                    (false, false) => submit_label,
                }}
            </button>
        </form>
    }
}
