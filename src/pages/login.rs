//! `/login`: email and password; back to where the administrator was going.

use gatehouse_api::auth::LoginRequest;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::safe_return_path;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let next = move || safe_return_path(query.with(|q| q.get("next")));
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let setup = LocalResource::new(move || api::auth::setup_status(session));
    let navigate = use_navigate();

    let sign_in = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        let navigate = navigate.clone();
        async move {
            match api::auth::login(session, &request).await {
                Ok(login) => {
                    session.signed_in(login);
                    navigate(&next(), Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        sign_in.dispatch(LoginRequest {
            email: email.get(),
            password: password.get(),
            tenant_id: None,
        });
    };
    let pending = sign_in.pending();

    view! {
        <Show when=move || !session.has_token() fallback=move || view! { <Redirect path=next() /> }>
            <main class="centered-page">
                <form class="card narrow" on:submit=submit novalidate>
                    <h1 class="brand-title">"Gatehouse"</h1>
                    <p class="muted">"Sign in to manage users and access."</p>
                    {move || setup.get().and_then(Result::ok).filter(|s| s.required).map(|_| view! {
                        <div class="banner banner-info" role="status">
                            <p>"This server has no administrator yet. Open the one-time setup link that the server printed when it started."</p>
                        </div>
                    })}
                    {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required
                            prop:value=move || email.get() on:input:target=move |ev| email.set(ev.target().value()) />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required
                            prop:value=move || password.get() on:input:target=move |ev| password.set(ev.target().value()) />
                    </div>
                    <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </main>
        </Show>
    }
}
