//! `/settings`: the tenant's sign-in policy (who must use two-step sign-in) and its
//! email.

mod mail;

use std::collections::BTreeSet;

use gatehouse_api::auth::{MfaPolicy, SecuritySettings, UpdateSecuritySettings};
use gatehouse_api::endpoints;
use leptos::prelude::*;
use uuid::Uuid;

use self::mail::MailSection;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::guarded::GuardedButton;
use crate::components::role_checklist::RoleChecklist;
use crate::components::toast::use_toasts;
use crate::forms::StaleBanner;
use crate::session::use_session;

const CHOICES: [(MfaPolicy, &str, &str); 3] = [
    (
        MfaPolicy::Optional,
        "Each person decides",
        "Anyone can turn on two-step sign-in for their own account.",
    ),
    (
        MfaPolicy::Everyone,
        "Everyone",
        "Everyone who signs in with a password must set up an authenticator app at their next sign-in.",
    ),
    (
        MfaPolicy::Roles,
        "Holders of chosen roles",
        "People holding any of the roles below (directly or through a group) must set one up.",
    ),
];

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let loaded = LocalResource::new(move || api::settings::security(session));
    let saved = RwSignal::new(None::<SecuritySettings>);
    let policy = RwSignal::new(MfaPolicy::Optional);
    let roles = RwSignal::new(BTreeSet::<Uuid>::new());
    let stale = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let show = move |settings: SecuritySettings| {
        policy.set(settings.mfa_policy);
        roles.set(settings.mfa_role_ids.clone());
        saved.set(Some(settings));
    };
    Effect::new(move |_| {
        if let Some(Ok(settings)) = loaded.get() {
            show(settings);
        }
    });
    let save = Action::new_local(move |_: &()| {
        let version = saved.with_untracked(|s| s.as_ref().map(|s| s.version));
        let request = UpdateSecuritySettings {
            mfa_policy: policy.get_untracked(),
            mfa_role_ids: if policy.get_untracked() == MfaPolicy::Roles {
                roles.get_untracked()
            } else {
                BTreeSet::new()
            },
            // The key lifetime has its own control (API keys); this form leaves it alone.
            api_key_max_days: None,
        };
        async move {
            let Some(version) = version else { return };
            match api::settings::update_security(session, version, &request).await {
                Ok(settings) => {
                    error.set(None);
                    stale.set(false);
                    show(settings);
                    toasts.success(
                        "Sign-in policy saved. It applies from each person's next sign-in.",
                    );
                }
                Err(e) if e.is_stale() => stale.set(true),
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let read_only = Signal::derive(move || {
        session
            .missing_for(&endpoints::SECURITY_SETTINGS_UPDATE)
            .is_some()
    });
    let choice = move |(value, label, explanation): (MfaPolicy, &'static str, &'static str)| {
        let id = format!("mfa-policy-{}", value.as_str().to_lowercase());
        let hint = format!("{id}-hint");
        view! {
            <div class="choice">
                <input type="radio" name="mfa_policy" id=id.clone() aria-describedby=hint.clone()
                    prop:checked=move || policy.get() == value disabled=move || read_only.get()
                    on:change=move |_| policy.set(value) />
                <label for=id>{label}</label>
                <p class="field-hint" id=hint>{explanation}</p>
            </div>
        }
    };
    let form = move || {
        view! {
            <fieldset class="choices">
                <legend>"Who must use two-step sign-in"</legend>
                {CHOICES.into_iter().map(choice).collect_view()}
            </fieldset>
            <Show when=move || policy.get() == MfaPolicy::Roles>
                <RoleChecklist selected=roles read_only any_role=true />
            </Show>
            <div class="form-actions">
                <GuardedButton label="Save policy" class="button-primary" endpoint=endpoints::SECURITY_SETTINGS_UPDATE
                    disabled=Signal::derive(move || save.pending().get())
                    on_click=Callback::new(move |()| { save.dispatch(()); }) />
            </div>
        }
    };
    view! {
        <div class="page-header"><h1>"Settings"</h1></div>
        <section class="panel" aria-labelledby="sign-in-heading">
            <h2 id="sign-in-heading">"Sign-in security"</h2>
            <Show when=move || stale.get()>
                <StaleBanner what="policy" on_reload=Callback::new(move |()| { stale.set(false); loaded.refetch(); }) />
            </Show>
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            {move || match loaded.get() {
                None => view! { <p class="muted" aria-busy="true">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
                Some(Ok(_)) => form().into_any(),
            }}
        </section>
        <MailSection />
    }
}
