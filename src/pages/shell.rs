//! The signed-in frame: header, navigation, the "sign in again" dialog and toasts.
//! Every page inside it may assume a session with a known administrator.

use gatehouse_api::auth::LoginRequest;
use gatehouse_api::Permission;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::{use_location, use_navigate};

use crate::api::{self, ApiError};
use crate::components::banner::ErrorBanner;
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::theme::ThemeToggle;
use crate::components::toast::ToastHost;
use crate::session::use_session;

#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let here = move || {
        // Untracked: the redirect must not follow the location it changes.
        let (path, search) = (
            location.pathname.get_untracked(),
            location.search.get_untracked(),
        );
        let search = search.trim_start_matches('?');
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let login_path = move || format!("/login?next={}", gatehouse_api::query::encode(&here()));

    // Who is signed in: known after signing in, fetched when the page was reloaded.
    let me = LocalResource::new(move || {
        let fetch = session.has_token() && !untrack(|| session.has_me());
        async move {
            if fetch {
                Some(api::auth::me(session).await)
            } else {
                None
            }
        }
    });
    Effect::new(move |_| match me.get() {
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
        <Show when=move || session.has_token() fallback=move || view! { <Redirect path=login_path() /> }>
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
        </Show>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Frame {
    Loading,
    Ready,
    Failed(String),
}

/// The areas in the sidebar, each shown to those who may read it.
const AREAS: [(&str, &str, Icon, Permission); 3] = [
    ("Users", "/users", Icon::Users, Permission::UsersRead),
    ("Groups", "/groups", Icon::Group, Permission::GroupsRead),
    ("Roles", "/roles", Icon::Shield, Permission::RolesRead),
];

/// Header, sidebar and the current page.
#[component]
fn SignedInFrame() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let signed_in_as = move || {
        session
            .me()
            .map(|m| (m.user.name(), m.user.email))
            .unwrap_or_default()
    };
    let sign_out = Action::new_local(move |_: &()| {
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
                <span class="whoami" title=move || signed_in_as().1>
                    <span class="sr-only">"Signed in as "</span>
                    {move || signed_in_as().0}
                </span>
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
                            <Show when=move || session.can(permission)>
                                <li><A href=href><Svg icon=icon />{label}</A></li>
                            </Show>
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <Outlet />
            </main>
        </div>
        <SignInAgainDialog />
        <ToastHost />
    }
}

/// Opens when a request finds the session expired; signing in resumes that request.
#[component]
fn SignInAgainDialog() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = move || session.me().map(|m| m.user.email).unwrap_or_default();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let sign_in = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match api::auth::login(session, &request).await {
                Ok(login) => {
                    password.set(String::new());
                    error.set(None);
                    session.signed_in(login);
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch(LoginRequest {
            email: email(),
            password: password.get(),
            tenant_id: None,
        });
    };
    let switch_user = move |_| {
        session.clear();
        navigate("/login", Default::default());
    };
    view! {
        <Dialog open=session.reauth_open title="Sign in again" on_dismiss=Callback::new(move |()| session.give_up_sign_in())>
            <form on:submit=submit novalidate>
                <p>"Your session has ended. Sign in again to continue; what you were doing is kept."</p>
                {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                <div class="field">
                    <label for="reauth-email">"Email"</label>
                    <input id="reauth-email" type="email" readonly prop:value=email autocomplete="username" />
                </div>
                <div class="field">
                    <label for="reauth-password">"Password"</label>
                    <input id="reauth-password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input:target=move |ev| password.set(ev.target().value()) />
                </div>
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=switch_user>"Sign in as someone else"</button>
                    <button type="submit" class="button button-primary" disabled=move || sign_in.pending().get()>"Sign in"</button>
                </div>
            </form>
        </Dialog>
    }
}
