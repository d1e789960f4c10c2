//! `/login`: email and password (and a code, for two-step sign-in), or an SSO
//! connection; back to where the administrator was going. A failed SSO sign-in comes
//! back here with `#sso_error=<message>`.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::links::decoded_fragment_value;
use super::sso::SsoSignInLinks;
use super::{current_path, safe_return_path};
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::link::A;
use crate::components::shown::Shown;
use crate::components::sign_in::{SignInIds, SignInSteps};
use crate::reactive::{effect, Fetched};
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let next = move || safe_return_path(query.with(|q| q.get("next")));
    let email = RwSignal::new(String::new());
    let setup = Fetched::new(move || api::auth::setup_status(session));
    let navigate = use_navigate();
    // Read once, then taken out of the address: a reload must not show it again.
    let sso_error = Some(decoded_fragment_value("sso_error")).filter(|e| !e.is_empty());
    if sso_error.is_some() {
        let (here, navigate) = (current_path(), navigate.clone());
        effect(move |_| {
            let replace = NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            };
            navigate(&here, replace);
        });
    }
    let signed_in = Callback::new(move |login| {
        session.signed_in(login);
        navigate(&next(), Default::default());
    });

    view! {
        <Shown when=move || !session.has_token() fallback=move || view! { <Redirect path=next() /> }>
            <main class="centered-page">
                <div class="card narrow">
                    <h1 class="brand-title">"Gatehouse"</h1>
                    <p class="muted">"Sign in to manage users and access."</p>
                    {move || setup.get().and_then(Result::ok).filter(|s| s.required).map(|_| view! {
                        <div class="banner banner-info" role="status">
                            <p>"This server has no administrator yet. Open the one-time setup link that the server printed when it started."</p>
                        </div>
                    })}
                    {sso_error.clone().map(|message| view! { <div id="sso-error"><ErrorBanner message /></div> })}
                    <SignInSteps email ids=SignInIds::PAGE submit_label="Sign in" on_signed_in=signed_in />
                    <SsoSignInLinks next=Signal::derive(next) />
                    <p class="below-form"><A href="/forgot-password">"Forgot password?"</A></p>
                </div>
            </main>
        </Shown>
    }
}
