//! Filling a connection in from the provider itself: an OpenID provider's published
//! configuration, or an IdP's SAML metadata. The server fetches or reads them (the
//! browser could not reach most providers' documents across origins); nothing is saved.

use gatehouse_api::sso::{Discovery, ImportedMetadata};
use leptos::prelude::*;

use super::draft::SettingsDraft;
use crate::api;
use crate::components::field::TextArea;
use crate::session::use_session;

/// What a lookup said: nothing yet, busy, what was found, or why not.
#[derive(Clone, Debug, PartialEq)]
enum Lookup<T> {
    Idle,
    Busy,
    Found(T),
    Failed(String),
}

/// "Check the issuer": reads `/.well-known/openid-configuration` through the server and
/// says what the provider supports, and whether it lists the groups claim.
#[component]
pub fn DiscoverIssuer(draft: SettingsDraft) -> impl IntoView {
    let session = use_session();
    let state = RwSignal::new(Lookup::<Discovery>::Idle);
    let check = move |_| {
        let issuer = draft.issuer.get_untracked();
        state.set(Lookup::Busy);
        leptos::task::spawn_local(async move {
            state.set(match api::sso::discover(session, &issuer).await {
                Ok(found) => Lookup::Found(found),
                Err(error) => Lookup::Failed(error.first_message()),
            });
        });
    };
    let summary = move || match state.get() {
        Lookup::Idle => ().into_any(),
        Lookup::Busy => {
            view! { <p class="muted" aria-busy="true">"Reading the provider's configuration…"</p> }
                .into_any()
        }
        Lookup::Failed(why) => view! { <p class="field-error" role="alert">{why}</p> }.into_any(),
        Lookup::Found(found) => {
            let claim = draft.groups_claim.get_untracked();
            let lists_claim =
                found.claims_supported.is_empty() || found.claims_supported.contains(&claim);
            view! {
                <dl class="facts discovery-facts">
                    <dt>"Issuer"</dt><dd>{found.issuer}</dd>
                    <dt>"Sign-in address"</dt><dd>{found.authorization_endpoint}</dd>
                    <dt>"Scopes"</dt><dd>{found.scopes_supported.join(" ")}</dd>
                </dl>
                <p class=if lists_claim { "muted" } else { "field-warning" }>
                    {if lists_claim {
                        format!("The configuration is right. Groups will be read from the \u{201c}{claim}\u{201d} claim.")
                    } else {
                        format!("The provider does not list a \u{201c}{claim}\u{201d} claim: check the groups claim, or configure the provider to send it.")
                    }}
                </p>
            }
            .into_any()
        }
    };
    view! {
        <div class="lookup">
            <button type="button" class="button" id="oidc-discover" on:click=check
                disabled=move || state.with(|s| *s == Lookup::Busy) || draft.issuer.with(|i| i.trim().is_empty())>
                "Check the issuer"
            </button>
            <div id="oidc-discovery" aria-live="polite">{summary}</div>
        </div>
    }
}

/// "Fill in from metadata": the IdP's metadata XML, pasted, read by the server into the
/// entity id, sign-in URL and certificate fields.
#[component]
pub fn ImportMetadata(draft: SettingsDraft) -> impl IntoView {
    let session = use_session();
    let xml = RwSignal::new(String::new());
    let state = RwSignal::new(Lookup::<ImportedMetadata>::Idle);
    let read = move |_| {
        let text = xml.get_untracked();
        state.set(Lookup::Busy);
        leptos::task::spawn_local(async move {
            state.set(match api::sso::import_metadata(session, &text).await {
                Ok(found) => {
                    draft.idp_entity_id.set(found.idp_entity_id.clone());
                    draft.login_url.set(found.login_url.clone());
                    draft.certificate_pem.set(found.certificate_pem.clone());
                    draft.replacing_certificate.set(true);
                    Lookup::Found(found)
                }
                Err(error) => Lookup::Failed(error.first_message()),
            });
        });
    };
    let summary = move || {
        match state.get() {
        Lookup::Idle => ().into_any(),
        Lookup::Busy => view! { <p class="muted" aria-busy="true">"Reading the metadata…"</p> }.into_any(),
        Lookup::Failed(why) => view! { <p class="field-error" role="alert">{why}</p> }.into_any(),
        Lookup::Found(found) => view! {
            <p class="muted">
                {format!("Filled in from the metadata of {}: certificate SHA-256 {}.", found.idp_entity_id, found.certificate.sha256)}
            </p>
        }
        .into_any(),
    }
    };
    view! {
        <details class="lookup metadata-import">
            <summary>"Fill in from the IdP's metadata"</summary>
            <TextArea id="saml-metadata" label="Metadata XML" value=xml rows=6
                hint="Paste the XML the identity provider publishes (its EntityDescriptor)." />
            <button type="button" class="button" id="saml-metadata-read" on:click=read
                disabled=move || state.with(|s| *s == Lookup::Busy) || xml.with(|x| x.trim().is_empty())>
                "Read metadata"
            </button>
            <div id="saml-metadata-result" aria-live="polite">{summary}</div>
        </details>
    }
}
