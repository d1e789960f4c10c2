//! Signing in through a provider, the console's two ends of it: the sign-in page's
//! "Sign in with …" links (full-page navigations to the API, which redirects to the
//! provider), and `/sso/done#code=…&next=…`, where the provider's answer comes back as a
//! single-use code that is exchanged for a session.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api;
use crate::pages::links::{decode_component, decoded_fragment_value, use_fragment, DeadLink};
use crate::pages::safe_return_path;
use crate::reactive::{effect, Fetched};
use crate::session::use_session;

/// One link per enabled connection; nothing when there are none or they cannot be read
/// (the password form still works).
#[component]
pub fn SsoSignInLinks(#[prop(into)] next: Signal<String>) -> impl IntoView {
    let session = use_session();
    let connections = Fetched::new(move || api::sso::public(session, None));
    move || {
        let connections = connections.get().and_then(Result::ok).unwrap_or_default();
        (!connections.is_empty()).then(|| {
            view! {
                <div class="sso-sign-in">
                    <p class="divider"><span>"or"</span></p>
                    <ul>
                        {connections.into_iter().map(|c| view! {
                            <li>
                                // `rel=external`: a full page load to the server, which the
                                // router must not take for one of the console's pages.
                                <a class="button button-block sso-button" data-connection=c.id.to_string()
                                    rel="external" href=move || api::sso::start_href(c.id, &next.get())>
                                    {format!("Sign in with {}", c.title)}
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

const FAILED_TITLE: &str = "Signing in did not work";

/// `/sso/done`: exchanges the code once, stores the session as a password sign-in does,
/// and goes on to where the administrator was going.
#[component]
pub fn SsoDonePage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let code = use_fragment("code");
    let next = safe_return_path(Some(decoded_fragment_value("next")).filter(|n| !n.is_empty()));
    let exchange = Fetched::new(move || {
        let code = decode_component(&code.get());
        async move {
            if code.is_empty() {
                return None;
            }
            Some(api::sso::exchange(session, &code).await)
        }
    });
    effect(move |_| {
        if let Some(Some(Ok(login))) = exchange.get() {
            session.signed_in(login);
            // Replaced: Back must not return to a used code.
            navigate(
                &next,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let page = move || {
        if code.with(String::is_empty) {
            return view! {
                <DeadLink title="This sign-in link is incomplete"
                    message="Start again from the sign-in page." />
            }
            .into_any();
        }
        match exchange.get() {
            Some(Some(Err(error))) => {
                view! { <DeadLink title=FAILED_TITLE message=error.message() /> }.into_any()
            }
            _ => view! {
                <p class="card narrow" id="sso-done-busy" aria-busy="true">"Signing you in…"</p>
            }
            .into_any(),
        }
    };
    view! { <main class="centered-page">{page}</main> }
}
