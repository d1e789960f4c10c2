//! `/account`: the signed-in user's own password, two-step sign-in and sessions; and
//! the gate a session with a pending requirement meets before anything else.

pub mod mfa;
pub mod password;

use gatehouse_api::auth::{RecoveryCodes, Requirement};
use leptos::prelude::*;

use self::mfa::{RecoveryCodesList, TotpSetup};
use self::password::ChangePasswordForm;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::link::A;
use crate::components::shown::Shown;
use crate::components::toast::use_toasts;
use crate::reactive::Task;
use crate::session::{use_session, Session};

/// Fetches the signed-in user again (after a change to their account).
fn refresh_me(session: Session) {
    leptos::task::spawn_local(async move {
        if let Ok(me) = api::auth::me(session).await {
            session.set_me(me);
        }
    });
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    // Whether the tenant requires a second factor of this user is not part of the
    // sign-in answer: ask, so "Turn off" says why it cannot.
    refresh_me(session);
    let password_changed = Callback::new(move |me| {
        session.set_me(me);
        toasts.success("Password changed. Your other sessions were signed out.");
    });
    let end_others = Task::new(move |_: &()| async move {
        match api::account::end_other_sessions(session).await {
            Ok(ended) => toasts.success(match ended.ended {
                0 => "You were not signed in anywhere else.".to_owned(),
                1 => "Signed out of 1 other session.".to_owned(),
                n => format!("Signed out of {n} other sessions."),
            }),
            Err(e) => toasts.error(e.message()),
        }
    });
    let email = move || session.me().map(|m| m.user.email).unwrap_or_default();
    view! {
        <div class="page-header">
            <div>
                <h1>"My account"</h1>
                <p class="muted">{email}</p>
            </div>
        </div>
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p class="muted">"Changing it signs you out everywhere else."</p>
            <ChangePasswordForm on_changed=password_changed />
        </section>
        <TwoStepSection />
        <section class="panel" aria-labelledby="my-keys-heading">
            <h2 id="my-keys-heading">"API keys"</h2>
            <p class="muted">"Keys let your scripts and CI jobs call the API as you."</p>
            <A href="/account/api-keys" attr:class="button">"My API keys"</A>
        </section>
        <section class="panel" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p class="muted">"Signed in on a computer you no longer use? End every session but this one."</p>
            <button type="button" class="button" disabled=move || end_others.pending().get()
                on:click=move |_| { end_others.dispatch(()); }>"Sign out everywhere else"</button>
        </section>
    }
}

/// Whether two-step sign-in is on, and the ways to change that.
#[component]
fn TwoStepSection() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let setting_up = RwSignal::new(false);
    let new_codes = RwSignal::new(None::<RecoveryCodes>);
    let error = RwSignal::new(None::<String>);
    let enabled = move || session.me().is_some_and(|m| m.user.mfa_enabled);
    let required = move || session.me().is_some_and(|m| m.mfa_required);
    let regenerate = Task::new(move |_: &()| async move {
        match api::account::new_recovery_codes(session).await {
            Ok(codes) => new_codes.set(Some(codes)),
            Err(e) => error.set(Some(e.message())),
        }
    });
    let turn_off = Task::new(move |_: &()| async move {
        match api::account::disable_mfa(session).await {
            Ok(()) => {
                toasts.success("Two-step sign-in is off.");
                refresh_me(session);
            }
            Err(e) => error.set(Some(e.message())),
        }
    });
    let done = Callback::new(move |()| {
        setting_up.set(false);
        new_codes.set(None);
        toasts.success("Two-step sign-in is on.");
        refresh_me(session);
    });
    let body = move || {
        if let Some(codes) = new_codes.get() {
            return view! { <RecoveryCodesList codes on_done=Callback::new(move |()| new_codes.set(None)) /> }
                .into_any();
        }
        if setting_up.get() {
            return view! { <TotpSetup on_done=done /> }.into_any();
        }
        if enabled() {
            view! {
                <p><span class="badge badge-ok">"On"</span>" Signing in asks for a code from your authenticator app."</p>
                <div class="form-actions">
                    <button type="button" class="button" disabled=move || regenerate.pending().get()
                        on:click=move |_| { regenerate.dispatch(()); }>"New recovery codes"</button>
                    <button type="button" class="button button-danger" disabled=move || required() || turn_off.pending().get()
                        title=move || required().then_some("Your organisation requires two-step sign-in for your account.")
                        on:click=move |_| { turn_off.dispatch(()); }>"Turn off"</button>
                </div>
                <Shown when=required>
                    <p class="muted">"Your organisation requires two-step sign-in for your account, so it stays on."</p>
                </Shown>
            }
            .into_any()
        } else {
            view! {
                <p><span class="badge badge-off">"Off"</span>" Your password alone signs you in."</p>
                <button type="button" class="button button-primary" on:click=move |_| setting_up.set(true)>
                    "Set up two-step sign-in"
                </button>
            }
            .into_any()
        }
    };
    view! {
        <section class="panel" aria-labelledby="mfa-heading">
            <h2 id="mfa-heading">"Two-step sign-in"</h2>
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            {body}
        </section>
    }
}

/// What a session that owes something sees instead of any page, until it is done.
#[component]
pub fn RequirementGate(requirement: Requirement) -> impl IntoView {
    let session = use_session();
    let form = match requirement {
        Requirement::PasswordChange => view! {
            <ChangePasswordForm on_changed=Callback::new(move |me| session.set_me(me)) />
        }
        .into_any(),
        Requirement::MfaEnrolment => view! {
            <TotpSetup on_done=Callback::new(move |()| refresh_me(session)) />
        }
        .into_any(),
    };
    let title = match requirement {
        Requirement::PasswordChange => "Choose a new password",
        Requirement::MfaEnrolment => "Set up two-step sign-in",
    };
    view! {
        <section class="panel requirement" aria-labelledby="requirement-heading">
            <h1 id="requirement-heading">{title}</h1>
            <p>{requirement.explanation()}</p>
            {form}
        </section>
    }
}
