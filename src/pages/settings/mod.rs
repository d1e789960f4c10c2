//! `/settings`: the tenant's sign-in policy (who must use two-step sign-in) and its
//! email.

mod mail;

use std::collections::BTreeSet;

use gatehouse_api::api_keys::DEFAULT_MAX_KEY_DAYS;
use gatehouse_api::auth::{MfaPolicy, SecuritySettings, UpdateSecuritySettings};
use gatehouse_api::endpoints;
use leptos::prelude::*;
use uuid::Uuid;

use self::mail::MailSection;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::field::TextField;
use crate::components::guarded::GuardedButton;
use crate::components::role_checklist::RoleChecklist;
use crate::components::shown::Shown;
use crate::components::toast::use_toasts;
use crate::forms::StaleBanner;
use crate::reactive::{effect, Fetched, Task};
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
    let loaded = Fetched::new(move || api::settings::security(session));
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
    effect(move |_| {
        if let Some(Ok(settings)) = loaded.get() {
            show(settings);
        }
    });
    let save = Task::new(move |_: &()| {
        let version = saved.with_untracked(|s| s.as_ref().map(|s| s.version));
        let request = UpdateSecuritySettings {
            mfa_policy: policy.get_untracked(),
            mfa_role_ids: if policy.get_untracked() == MfaPolicy::Roles {
                roles.get_untracked()
            } else {
                BTreeSet::new()
            },
            // The key lifetime and the audit retention have their own sections.
            ..UpdateSecuritySettings::default()
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
            <Shown when=move || policy.get() == MfaPolicy::Roles>
                <RoleChecklist selected=roles read_only any_role=true />
            </Shown>
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
            <Shown when=move || stale.get()>
                <StaleBanner what="policy" on_reload=Callback::new(move |()| { stale.set(false); loaded.refetch(); }) />
            </Shown>
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            {move || match loaded.get() {
                None => view! { <p class="muted" aria-busy="true">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
                Some(Ok(_)) => form().into_any(),
            }}
        </section>
        <Shown when=move || saved.with(Option::is_some)>
            <KeyLifetimeSection saved read_only on_saved=Callback::new(show) />
        </Shown>
        <Shown when=move || saved.with(Option::is_some)>
            <RetentionSection saved read_only on_saved=Callback::new(show) />
        </Shown>
        <MailSection />
    }
}

/// An action saving the settings `request` gives (version and body), then telling
/// `on_saved`; a 412 sets `stale`, other failures `error`.
fn settings_saver(
    request: impl Fn() -> Option<(i64, UpdateSecuritySettings)> + 'static,
    message: &'static str,
    on_saved: Callback<SecuritySettings>,
    stale: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) -> Task<()> {
    let session = use_session();
    let toasts = use_toasts();
    Task::new(move |_: &()| {
        let request = request();
        async move {
            let Some((version, request)) = request else {
                return;
            };
            match api::settings::update_security(session, version, &request).await {
                Ok(settings) => {
                    error.set(None);
                    stale.set(false);
                    on_saved.run(settings);
                    toasts.success(message);
                }
                Err(e) if e.is_stale() => stale.set(true),
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    })
}

/// How long the audit log keeps events.
#[component]
fn RetentionSection(
    saved: RwSignal<Option<SecuritySettings>>,
    read_only: Signal<bool>,
    on_saved: Callback<SecuritySettings>,
) -> impl IntoView {
    let days = RwSignal::new(String::new());
    let stale = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    effect(move |_| {
        if let Some(settings) = saved.get() {
            days.set(settings.audit_retention_days.to_string());
        }
    });
    let request = move || {
        let current = saved.get()?;
        Some((
            current.version,
            UpdateSecuritySettings {
                mfa_policy: current.mfa_policy,
                mfa_role_ids: current.mfa_role_ids,
                api_key_max_days: None,
                audit_retention_days: Some(days.get().trim().parse::<u32>().unwrap_or(0)),
            },
        ))
    };
    let days_error = Signal::derive(move || {
        request().and_then(|(_, r)| {
            r.validate()
                .err()
                .and_then(|errors| {
                    errors
                        .into_iter()
                        .find(|e| e.field == "audit_retention_days")
                })
                .map(|e| e.message)
        })
    });
    let save = settings_saver(
        request,
        "Audit retention saved. Older events are removed within the hour.",
        on_saved,
        stale,
        error,
    );
    let submit = move || {
        if days_error.get_untracked().is_none() {
            save.dispatch(());
        }
    };
    view! {
        <section class="panel" aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit log"</h2>
            <Shown when=move || stale.get()>
                <p class="banner banner-warning" role="alert">"Someone else changed these settings after you opened them. Reload the page to see their version."</p>
            </Shown>
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            <form on:submit=move |ev| { ev.prevent_default(); submit(); } novalidate>
                <fieldset disabled=move || read_only.get()>
                    <TextField id="audit_retention_days" label="Keep events for (days)" value=days inputmode="numeric"
                        hint="1 to 3650 (default 365). Older events are removed for good." error=days_error reveal=true />
                </fieldset>
                <div class="form-actions">
                    <GuardedButton label="Save retention" class="button-primary" endpoint=endpoints::SECURITY_SETTINGS_UPDATE
                        disabled=Signal::derive(move || save.pending().get())
                        on_click=Callback::new(move |()| submit()) />
                </div>
            </form>
        </section>
    }
}

/// "Longest API key lifetime": days, or no limit (then keys may also never expire).
/// Saved on its own, with the sign-in policy as last saved.
#[component]
fn KeyLifetimeSection(
    saved: RwSignal<Option<SecuritySettings>>,
    read_only: Signal<bool>,
    on_saved: Callback<SecuritySettings>,
) -> impl IntoView {
    let limited = RwSignal::new(true);
    let days = RwSignal::new(String::new());
    let stale = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Follows what is saved (after a load or either save).
    effect(move |_| {
        if let Some(settings) = saved.get() {
            limited.set(settings.api_key_max_days.is_some());
            days.set(
                settings
                    .api_key_max_days
                    .unwrap_or(DEFAULT_MAX_KEY_DAYS)
                    .to_string(),
            );
        }
    });
    let request = move || {
        let current = saved.get()?;
        let max = if limited.get() {
            Some(days.get().trim().parse::<u32>().unwrap_or(0))
        } else {
            None
        };
        Some((
            current.version,
            UpdateSecuritySettings {
                mfa_policy: current.mfa_policy,
                mfa_role_ids: current.mfa_role_ids,
                api_key_max_days: Some(max),
                audit_retention_days: None,
            },
        ))
    };
    let days_error = Signal::derive(move || {
        request().and_then(|(_, r)| {
            r.validate()
                .err()
                .and_then(|errors| errors.into_iter().find(|e| e.field == "api_key_max_days"))
                .map(|e| e.message)
        })
    });
    let save = settings_saver(
        request,
        "API key lifetime saved. It applies to keys made from now on.",
        on_saved,
        stale,
        error,
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if days_error.get_untracked().is_none() {
            save.dispatch(());
        }
    };
    view! {
        <section class="panel" aria-labelledby="api-keys-heading">
            <h2 id="api-keys-heading">"API keys"</h2>
            <Shown when=move || stale.get()>
                <p class="banner banner-warning" role="alert">"Someone else changed these settings after you opened them. Reload the page to see their version."</p>
            </Shown>
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            <form on:submit=submit novalidate>
                <fieldset class="choices" disabled=move || read_only.get()>
                    <legend>"Longest API key lifetime"</legend>
                    <div class="choice">
                        <input type="radio" name="key_lifetime" id="key-lifetime-limited"
                            prop:checked=move || limited.get() on:change=move |_| limited.set(true) />
                        <label for="key-lifetime-limited">"Keys must expire"</label>
                    </div>
                    <Shown when=move || limited.get()>
                        <div class="choice-detail">
                            <TextField id="api_key_max_days" label="Within (days)" value=days inputmode="numeric"
                                hint="1 to 3650. Existing keys keep their expiry." error=days_error reveal=true />
                        </div>
                    </Shown>
                    <div class="choice">
                        <input type="radio" name="key_lifetime" id="key-lifetime-unlimited"
                            prop:checked=move || !limited.get() on:change=move |_| limited.set(false) />
                        <label for="key-lifetime-unlimited">"No limit"</label>
                        <p class="field-hint">"Keys may also never expire. A leaked key then works until someone revokes it."</p>
                    </div>
                </fieldset>
                <div class="form-actions">
                    <GuardedButton label="Save key lifetime" class="button-primary" endpoint=endpoints::SECURITY_SETTINGS_UPDATE
                        disabled=Signal::derive(move || save.pending().get())
                        on_click=Callback::new(move |()| if days_error.get_untracked().is_none() { save.dispatch(()); }) />
                </div>
            </form>
        </section>
    }
}
