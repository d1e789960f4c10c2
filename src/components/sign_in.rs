//! Signing in: email and password, then, for accounts with two-step sign-in, a code from
//! the authenticator app or a recovery code. Used by the sign-in page and by the "sign in
//! again" dialog.

use gatehouse_api::auth::{LoginMfaRequest, LoginRequest, LoginResponse, LoginStep};
use leptos::prelude::*;

use super::banner::ErrorBanner;
use super::field::TextField;
use crate::api;
use crate::reactive::Task;
use crate::session::use_session;

/// The element ids of one sign-in form: the sign-in page's, or the "sign in again"
/// dialog's (both can be on one page).
#[derive(Clone, Copy, Debug)]
pub struct SignInIds {
    pub email: &'static str,
    pub password: &'static str,
    pub code: &'static str,
}

impl SignInIds {
    pub const PAGE: Self = Self {
        email: "email",
        password: "password",
        code: "mfa-code",
    };
    pub const DIALOG: Self = Self {
        email: "reauth-email",
        password: "reauth-password",
        code: "reauth-mfa-code",
    };
}

/// Both steps of signing in; `on_signed_in` receives the new session.
#[component]
pub fn SignInSteps(
    email: RwSignal<String>,
    #[prop(optional)] email_read_only: bool,
    ids: SignInIds,
    submit_label: &'static str,
    on_signed_in: Callback<LoginResponse>,
) -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let challenge = RwSignal::new(None::<String>);
    let recovery = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let password_step = Task::new(move |request: &LoginRequest| {
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
    let code_step = Task::new(move |request: &LoginMfaRequest| {
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
    let credentials = move || {
        view! {
            <TextField id=ids.email label="Email" value=email input_type="email" autocomplete="username"
                required=true readonly=email_read_only />
            <TextField id=ids.password label="Password" value=password input_type="password"
                autocomplete="current-password" required=true />
        }
    };
    let second_factor = move || {
        let field = move || {
            if recovery.get() {
                view! {
                    <TextField id=ids.code label="Recovery code" value=code required=true
                        hint="One of the codes you saved when you set up two-step sign-in. Each works once." />
                }
                .into_any()
            } else {
                view! {
                    <TextField id=ids.code label="Code from your authenticator app" value=code required=true
                        inputmode="numeric" autocomplete="one-time-code"
                        hint="Six digits. Two-step sign-in is on for this account." />
                }
                .into_any()
            }
        };
        view! {
            {field}
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
