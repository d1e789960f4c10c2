//! The signed-in frame: header, navigation, the "sign in again" dialog and toasts.
//! Every page inside it may assume a session with a known administrator.

use gatehouse_api::auth::{ConfirmIdentity, Requirement};
use gatehouse_api::Permission;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::{use_location, use_navigate};

use super::current_path;
use crate::api::{self, ApiError};
use crate::chunks;
use crate::components::banner::ErrorBanner;
use crate::components::dialog::Dialog;
use crate::components::field::TextField;
use crate::components::icons::{Icon, Svg};
use crate::components::lazy::{lazy, LazyDialog};
use crate::components::link::A;
use crate::components::shown::Shown;
use crate::components::sign_in::{SignInIds, SignInSteps};
use crate::components::theme::ThemeToggle;
use crate::components::toast::ToastHost;
use crate::reactive::{effect, Fetched, Task};
use crate::session::use_session;

#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    let login_path = move || {
        format!(
            "/login?next={}",
            gatehouse_api::query::encode(&current_path())
        )
    };

    // Who is signed in: known after signing in, fetched when the page was reloaded.
    let me = Fetched::new(move || {
        let fetch = session.has_token() && !untrack(|| session.has_me());
        async move {
            if fetch {
                Some(api::auth::me(session).await)
            } else {
                None
            }
        }
    });
    effect(move |_| match me.get() {
        Some(Some(Ok(me))) => session.set_me(me),
        Some(Some(Err(ApiError::Problem(p)))) if p.status == 401 => session.clear(),
        _ => {}
    });
    let state = Memo::new(move |_| {
        if session.has_me() {
            Frame::Ready
        } else {
            match me.get() {
                Some(Some(Err(error))) => Frame::Failed(error.message()),
                _ => Frame::Loading,
            }
        }
    });

    view! {
        <Shown when=move || session.has_token() fallback=move || view! { <Redirect path=login_path() /> }>
            {move || match state.get() {
                Frame::Ready => view! { <SignedInFrame /> }.into_any(),
                Frame::Failed(message) => view! {
                    <main class="centered-page">
                        <div class="card narrow">
                            <ErrorBanner message=message on_retry=Callback::new(move |()| me.refetch()) />
                        </div>
                    </main>
                }.into_any(),
                Frame::Loading => view! { <main class="centered-page" aria-busy="true"><p class="muted">"Loading…"</p></main> }.into_any(),
            }}
        </Shown>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Frame {
    Loading,
    Ready,
    Failed(String),
}

/// The areas in the sidebar, each shown to those who may read it.
const AREAS: [(&str, &str, Icon, Permission); 8] = [
    ("Users", "/users", Icon::Users, Permission::UsersRead),
    ("Invites", "/invites", Icon::Mail, Permission::InvitesRead),
    ("API keys", "/api-keys", Icon::Key, Permission::ApiKeysRead),
    ("Groups", "/groups", Icon::Group, Permission::GroupsRead),
    ("Roles", "/roles", Icon::Shield, Permission::RolesRead),
    ("SSO", "/sso", Icon::SignIn, Permission::SsoRead),
    ("Audit log", "/audit", Icon::Shield, Permission::AuditRead),
    (
        "Settings",
        "/settings",
        Icon::Sliders,
        Permission::UsersRead,
    ),
];

/// Header, sidebar and the current page.
#[component]
fn SignedInFrame() -> impl IntoView {
    let session = use_session();
    // A memo, so that only a change of the requirement rebuilds the page (not every
    // refresh of who is signed in, which pages themselves may ask for).
    let requirement = Memo::new(move |_| session.requirement());
    let navigate = use_navigate();
    let signed_in_as = move || {
        session
            .me()
            .map(|m| (m.user.name(), m.user.email))
            .unwrap_or_default()
    };
    let sign_out = Task::new(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            // Even if the server is unreachable, the token is forgotten here.
            let _ = api::auth::logout(session).await;
            session.clear();
            navigate("/login", Default::default());
        }
    });
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/users" attr:class="brand">
                <Svg icon=Icon::Shield />
                <span>"Gatehouse"</span>
            </A>
            <div class="topbar-end">
                <ThemeToggle />
                <AccountMenu name=Signal::derive(move || signed_in_as().0) email=Signal::derive(move || signed_in_as().1) />
                <button type="button" class="button button-quiet" on:click=move |_| { sign_out.dispatch(()); }>
                    <Svg icon=Icon::SignOut />
                    "Sign out"
                </button>
            </div>
        </header>
        <div class="layout">
            <nav class="sidebar" aria-label="Areas">
                <ul>
                    {AREAS
                        .into_iter()
                        .map(|(label, href, icon, permission)| view! {
                            <Shown when=move || session.can(permission) && requirement.get().is_none()>
                                <li><A href=href><Svg icon=icon />{label}</A></li>
                            </Shown>
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                // A session that owes a password change or an MFA set-up sees only that,
                // whatever the address: the server refuses everything else anyway.
                {move || match requirement.get() {
                    Some(Requirement::PasswordChange) => lazy(chunks::password_change_gate)(),
                    Some(Requirement::MfaEnrolment) => lazy(chunks::mfa_enrolment_gate)(),
                    None => view! { <Outlet /> }.into_any(),
                }}
            </main>
        </div>
        <LazyDialog open=session.sign_in_again.open load=chunks::sign_in_again title="Sign in again"
            on_dismiss=Callback::new(move |()| session.sign_in_again.resume(false)) />
        <LazyDialog open=session.confirmation.open load=chunks::confirm_identity title="Confirm it is you"
            on_dismiss=Callback::new(move |()| session.confirmation.resume(false)) />
        <ToastHost />
    }
}

/// Your name at the top: a link to My account, and a small menu beside it with what
/// else is yours (My API keys). A disclosure, not an ARIA menu: links in a list, Tab
/// moves through them, Escape or following one closes it.
#[component]
fn AccountMenu(name: Signal<String>, email: Signal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let toggle = NodeRef::<leptos::html::Button>::new();
    let location = use_location();
    // Any navigation closes it.
    effect(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let close_to_button = move || {
        open.set(false);
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    view! {
        <div class="account-menu" on:keydown=move |ev| if ev.key() == "Escape" && open.get_untracked() { close_to_button() }>
            <A href="/account" attr:class="whoami" attr:title=move || email.get()>
                <span class="sr-only">"My account: signed in as "</span>
                {move || name.get()}
            </A>
            <button type="button" class="icon-button" node_ref=toggle aria-label="Account menu"
                aria-expanded=move || open.get().to_string() aria-controls="account-menu-items"
                on:click=move |_| open.update(|o| *o = !*o)>
                <Svg icon=Icon::ChevronDown />
            </button>
            <Shown when=move || open.get()>
                <ul class="account-menu-items popover" id="account-menu-items" on:click=move |_| open.set(false)>
                    <li><A href="/account">"My account"</A></li>
                    <li><A href="/account/api-keys">"My API keys"</A></li>
                </ul>
            </Shown>
        </div>
    }
}

/// Opens when a request finds the session expired; signing in resumes that request.
#[component]
pub fn SignInAgainDialog() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    effect(move |_| {
        if session.sign_in_again.open.get() {
            email.set(session.me().map(|m| m.user.email).unwrap_or_default());
        }
    });
    let switch_user = move |_| {
        session.clear();
        navigate("/login", Default::default());
    };
    view! {
        <Dialog open=session.sign_in_again.open title="Sign in again"
            on_dismiss=Callback::new(move |()| session.sign_in_again.resume(false))>
            <p>"Your session has ended. Sign in again to continue; what you were doing is kept."</p>
            <SignInSteps email email_read_only=true ids=SignInIds::DIALOG submit_label="Sign in"
                on_signed_in=Callback::new(move |login| session.signed_in(login)) />
            <p class="muted">
                <button type="button" class="link-button" on:click=switch_user>"Sign in as someone else"</button>
            </p>
        </Dialog>
    }
}

/// Opens when the server wants a fresh proof of identity before a dangerous action;
/// confirming repeats the action, cancelling leaves everything as it was.
#[component]
pub fn ConfirmIdentityDialog() -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let use_code = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let mfa_on = move || session.me().is_some_and(|m| m.user.mfa_enabled);
    let confirm = Task::new(move |request: &ConfirmIdentity| {
        let request = request.clone();
        async move {
            match api::account::confirm(session, &request).await {
                Ok(_) => {
                    password.set(String::new());
                    code.set(String::new());
                    error.set(None);
                    session.confirmation.resume(true);
                }
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let request = if use_code.get_untracked() {
            ConfirmIdentity {
                code: Some(code.get_untracked()),
                ..Default::default()
            }
        } else {
            ConfirmIdentity {
                password: Some(password.get_untracked()),
                ..Default::default()
            }
        };
        confirm.dispatch(request);
    };
    let cancel = move || {
        error.set(None);
        session.confirmation.resume(false);
    };
    view! {
        <Dialog open=session.confirmation.open title="Confirm it is you"
            on_dismiss=Callback::new(move |()| cancel())>
            <form on:submit=submit novalidate>
                <p>"This action changes how someone signs in or what they may do. Confirm who you are to go ahead; you will not be asked again for a few minutes."</p>
                {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                {move || if use_code.get() {
                    view! {
                        <TextField id="confirm-code" label="Code from your authenticator app" value=code
                            inputmode="numeric" autocomplete="one-time-code" required=true />
                    }.into_any()
                } else {
                    view! {
                        <TextField id="confirm-password" label="Your password" value=password
                            input_type="password" autocomplete="current-password" required=true />
                    }.into_any()
                }}
                <Shown when=mfa_on>
                    <p class="muted">
                        <button type="button" class="link-button" on:click=move |_| use_code.update(|c| *c = !*c)>
                            {move || if use_code.get() { "Use your password instead" } else { "Use an authenticator code instead" }}
                        </button>
                    </p>
                </Shown>
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=move |_| cancel()>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || confirm.pending().get()>"Confirm"</button>
                </div>
            </form>
        </Dialog>
    }
}
