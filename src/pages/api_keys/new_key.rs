//! "New API key", one dialog for the three places keys are made (my keys, a user's
//! page, a service account): name, expiry within the tenant's maximum with the exact
//! day it ends, an optional subset of the owner's permissions; then the secret, once.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use gatehouse_api::api_keys::{
    CreateApiKey, CreatedApiKey, KeyExpiry, DEFAULT_MAX_KEY_DAYS, EXPIRY_PRESETS_DAYS,
    MAX_POLICY_DAYS,
};
use gatehouse_api::endpoints::url;
use gatehouse_api::{FieldError, Permission};
use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::clipboard::copy_then;
use crate::components::dialog::Dialog;
use crate::components::field::{CheckboxField, SelectField, TextField};
use crate::components::permission_picker::PermissionPicker;
use crate::components::shown::Shown;
use crate::components::time::{day, end_of, now};
use crate::config::api_absolute_url;
use crate::forms::{focus_first_invalid, FormState};
use crate::reactive::{effect, Fetched, Task};
use crate::session::use_session;

/// How long the tenant lets keys live, as far as the console knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLimit {
    /// Keys must expire within this many days.
    Days(u32),
    /// No limit: keys may also never expire.
    None,
    /// The settings could not be read (they need users:read): the usual presets are
    /// offered and the server says if one is too long.
    Unknown,
}

impl KeyLimit {
    /// The maximum to check a request against here (`None`: leave it to the server).
    fn max_days(self) -> Option<u32> {
        match self {
            KeyLimit::Days(days) => Some(days),
            KeyLimit::None | KeyLimit::Unknown => None,
        }
    }
}

/// The expiry choices under `limit`: the presets that fit (and the maximum itself when
/// it is none of them), a chosen date, and "Never" only where keys may live forever.
pub fn expiry_choices(limit: KeyLimit) -> Vec<(String, String)> {
    let cap = match limit {
        KeyLimit::Days(days) => days,
        KeyLimit::None => MAX_POLICY_DAYS,
        KeyLimit::Unknown => DEFAULT_MAX_KEY_DAYS,
    };
    let mut days: Vec<u32> = EXPIRY_PRESETS_DAYS
        .into_iter()
        .filter(|d| *d <= cap)
        .collect();
    if let KeyLimit::Days(max) = limit {
        if !days.contains(&max) {
            days.push(max);
        }
    }
    let mut choices: Vec<(String, String)> = days
        .into_iter()
        .map(|d| {
            let label = if EXPIRY_PRESETS_DAYS.contains(&d) {
                format!("{d} days")
            } else {
                format!("{d} days (the longest allowed)")
            };
            (d.to_string(), label)
        })
        .collect();
    choices.push(("date".into(), "On a date…".into()));
    if limit == KeyLimit::None {
        choices.push(("never".into(), "Never".into()));
    }
    choices
}

/// What a choice of the expiry menu means (`None`: a date is still to be chosen).
fn chosen_expiry(choice: &str, date: &str) -> Option<KeyExpiry> {
    match choice {
        "never" => Some(KeyExpiry::Never),
        "date" => end_of(date).map(KeyExpiry::At),
        days => days.parse().ok().map(KeyExpiry::InDays),
    }
}

/// "Expires on 24 Dec 2026", or "Never expires".
pub fn expiry_sentence(expires_at: Option<DateTime<Utc>>) -> String {
    match expires_at {
        Some(at) => format!("Expires on {}", day(at)),
        None => "Never expires".into(),
    }
}

/// The expiry menu, the date field when "On a date…" is chosen, and the exact day the
/// key will stop working, said as the choice changes.
#[component]
pub fn ExpiryPicker(
    #[prop(into)] limit: Signal<KeyLimit>,
    choice: RwSignal<String>,
    date: RwSignal<String>,
    #[prop(optional, into)] choice_error: Signal<Option<String>>,
    #[prop(optional, into)] date_error: Signal<Option<String>>,
) -> impl IntoView {
    let options = Signal::derive(move || expiry_choices(limit.get()));
    // A choice the limit no longer allows (the settings just arrived) falls back to 30
    // days, or the longest left.
    effect(move |_| {
        let offered = options.get();
        if !offered
            .iter()
            .any(|(value, _)| *value == choice.get_untracked())
        {
            let fallback = offered
                .iter()
                .find(|(value, _)| value == "30")
                .or_else(|| {
                    offered
                        .iter()
                        .rfind(|(value, _)| value.parse::<u32>().is_ok())
                })
                .map_or_else(|| "date".to_owned(), |(value, _)| value.clone());
            choice.set(fallback);
        }
    });
    let summary = move || {
        let choice = choice.get();
        match chosen_expiry(&choice, &date.get()) {
            Some(expiry) => expiry_sentence(expiry.resolve(now())),
            None => "Choose the last day the key works.".into(),
        }
    };
    let on_date = move || choice.get() == "date";
    view! {
        <SelectField id="key-expiry" label="Expires" value=choice options
            on_change=Callback::new(move |value| choice.set(value))
            error=Signal::derive(move || choice_error.get().filter(|_| !on_date())) />
        <Shown when=on_date>
            <TextField id="key-expires-on" label="Last day" value=date input_type="date"
                hint="The key stops working at the end of this day (UTC)."
                error=Signal::derive(move || date_error.get()) reveal=true />
        </Shown>
        <p class="expiry-summary" id="key-expiry-summary" aria-live="polite">{summary}</p>
    }
}

/// What is typed in the dialog; kept when a request fails or the dialog is dismissed
/// before a key exists.
#[derive(Clone, Copy)]
struct KeyDraft {
    name: RwSignal<String>,
    choice: RwSignal<String>,
    date: RwSignal<String>,
    limited: RwSignal<bool>,
    permissions: RwSignal<BTreeSet<Permission>>,
}

impl KeyDraft {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            choice: RwSignal::new("30".into()),
            date: RwSignal::new(String::new()),
            limited: RwSignal::new(false),
            permissions: RwSignal::new(BTreeSet::new()),
        }
    }

    fn clear(&self) {
        self.name.set(String::new());
        self.choice.set("30".into());
        self.date.set(String::new());
        self.limited.set(false);
        self.permissions.set(BTreeSet::new());
    }

    /// The request, or `None` while "On a date…" has no date.
    fn request(&self) -> Option<CreateApiKey> {
        Some(CreateApiKey {
            name: self.name.get().trim().to_owned(),
            expires: chosen_expiry(&self.choice.get(), &self.date.get())?,
            permissions: self.limited.get().then(|| self.permissions.get()),
        })
    }
}

/// The shared "New API key" dialog. `owner`: the user the key acts as (`None`: the
/// signed-in user, through `/auth/me/api-keys`); `held`: their permissions, the most a
/// key can be limited to (`None` while they load).
#[component]
pub fn NewApiKeyDialog(
    open: RwSignal<bool>,
    #[prop(optional)] owner: Option<Uuid>,
    #[prop(into)] held: Signal<Option<BTreeSet<Permission>>>,
    on_created: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let draft = KeyDraft::new();
    let form = FormState::default();
    let created = RwSignal::new(None::<CreatedApiKey>);
    let copied = RwSignal::new(false);
    let confirm_close = RwSignal::new(false);
    // The tenant's maximum; the settings need users:read, so without it the usual
    // presets show and the server has the last word.
    let settings = Fetched::new(move || {
        let wanted = open.get();
        async move {
            if wanted {
                Some(api::settings::security(session).await)
            } else {
                None
            }
        }
    });
    let limit = Signal::derive(move || match settings.get().flatten() {
        Some(Ok(s)) => s.api_key_max_days.map_or(KeyLimit::None, KeyLimit::Days),
        _ => KeyLimit::Unknown,
    });
    let client_errors = Signal::derive(move || match draft.request() {
        Some(request) => request
            .validate(now(), limit.get().max_days())
            .err()
            .unwrap_or_default(),
        None => {
            let mut errors = CreateApiKey {
                name: draft.name.get(),
                expires: KeyExpiry::InDays(1),
                permissions: None,
            }
            .validate(now(), None)
            .err()
            .unwrap_or_default();
            errors.push(FieldError::new("expires", "Choose a date."));
            errors
        }
    });
    let expires_error = form.error("expires", draft.choice, client_errors);
    let date_error = form.error("expires", draft.date, client_errors);
    let shown = move |error: Signal<Option<String>>| {
        Signal::derive(move || error.get().filter(|_| form.submitted.get()))
    };
    let permissions_error = {
        let server = form.server_error("permissions");
        Signal::derive(move || {
            client_errors
                .with(|c| {
                    c.iter()
                        .find(|e| e.field == "permissions")
                        .map(|e| e.message.clone())
                })
                .filter(|_| form.submitted.get())
                .or_else(|| server.get())
        })
    };
    let create = Task::new(move |request: &CreateApiKey| {
        let request = request.clone();
        async move {
            let answer = match owner {
                Some(user) => api::api_keys::create_for(session, user, &request).await,
                None => api::api_keys::create_mine(session, &request).await,
            };
            if let Some(key) = form.settle(answer) {
                copied.set(false);
                created.set(Some(key));
                on_created.run(());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.begin();
        match draft.request() {
            Some(request) if client_errors.with_untracked(Vec::is_empty) => {
                create.dispatch(request);
            }
            _ => focus_first_invalid(),
        }
    };
    // After a key was made, the next opening starts afresh.
    let finish = move || {
        open.set(false);
        confirm_close.set(false);
        if created.get_untracked().is_some() {
            created.set(None);
            draft.clear();
            form.reset();
        }
    };
    // Closing while an uncopied secret is on screen asks first: it cannot be shown again.
    let before_close = Callback::new(move |()| {
        let lose_secret = created.with_untracked(Option::is_some) && !copied.get_untracked();
        if lose_secret {
            confirm_close.set(true);
        }
        !lose_secret
    });
    let title = Signal::derive(move || {
        if created.with(Option::is_some) {
            "Your new API key".to_owned()
        } else {
            "New API key".to_owned()
        }
    });
    let owner_permissions = move || held.get();
    view! {
        <Dialog open title before_close on_dismiss=Callback::new(move |()| finish())>
            {move || match created.get() {
                Some(key) => view! {
                    <CreatedKeyPanel created=key copied />
                    <Shown when=move || confirm_close.get()>
                        <ConfirmClose on_back=Callback::new(move |()| confirm_close.set(false))
                            on_close=Callback::new(move |()| finish()) />
                    </Shown>
                    <Shown when=move || !confirm_close.get()>
                        <div class="dialog-actions">
                            <button type="button" class="button button-primary"
                                on:click=move |_| if before_close.run(()) { finish() }>"Done"</button>
                        </div>
                    </Shown>
                }.into_any(),
                None => view! {
                    <form on:submit=submit novalidate class="new-key-form">
                        {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
                        <TextField id="key-name" label="Name" value=draft.name required=true
                            hint="What uses the key, such as \"CI deploy\": you will recognise it in lists."
                            error=form.error("name", draft.name, client_errors) reveal=form.submitted />
                        <ExpiryPicker limit choice=draft.choice date=draft.date
                            choice_error=shown(expires_error) date_error=shown(date_error) />
                        <CheckboxField id="key-limit-permissions" label="Limit the key to some permissions"
                            hint="Without a limit the key can do everything its owner can, now and later."
                            checked=draft.limited />
                        <Shown when=move || draft.limited.get()>
                            {move || match owner_permissions() {
                                Some(offered) => view! {
                                    <fieldset class="key-permissions" aria-describedby="key-permissions-error">
                                        <legend>"The key may only"</legend>
                                        <PermissionPicker selected=draft.permissions read_only=false offered />
                                    </fieldset>
                                }.into_any(),
                                None => view! { <p class="muted" aria-busy="true">"Loading the owner's permissions…"</p> }.into_any(),
                            }}
                        </Shown>
                        <p class="field-error" id="key-permissions-error" aria-live="polite">{move || permissions_error.get()}</p>
                        <div class="dialog-actions">
                            <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                            <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                                {move || if create.pending().get() { "Creating…" } else { "Create key" }}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Dialog>
    }
}

/// A command that proves the key works: who it acts as.
pub fn curl_example(secret: &str) -> String {
    format!(
        "curl -H \"Authorization: Bearer {secret}\" {}",
        api_absolute_url(&url::me())
    )
}

/// The secret, this once: read-only, copyable, with a warning and a command to try it.
/// `copied` is set once the key (or the command holding it) has been copied.
#[component]
pub fn CreatedKeyPanel(created: CreatedApiKey, copied: RwSignal<bool>) -> impl IntoView {
    let CreatedApiKey { key, secret } = created;
    let command = curl_example(&secret);
    let mark = Callback::new(move |()| copied.set(true));
    let (secret_text, command_text) = (secret.clone(), command.clone());
    let scope = match &key.permissions {
        Some(permissions) => format!(
            "Limited to {}.",
            permissions
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!("Acts with all of {}'s permissions.", key.owner.name),
    };
    view! {
        <div class="created-key">
            <p class="banner banner-warning" role="alert">
                "Copy the key now: it will not be shown again. Gatehouse keeps only a fingerprint of it."
            </p>
            <div class="field">
                <label for="api-key-secret">{format!("API key \u{201c}{}\u{201d}", key.name)}</label>
                <div class="copy-link">
                    <input type="text" id="api-key-secret" class="secret-field" readonly spellcheck="false"
                        autocomplete="off" prop:value=secret aria-describedby="api-key-facts"
                        on:focus:target=move |ev| ev.target().select()
                        on:copy=move |_| copied.set(true) />
                    <button type="button" class="button button-primary" id="copy-api-key"
                        on:click=move |_| copy_then(secret_text.clone(), "API key", Some(mark))>"Copy key"</button>
                </div>
                <p class="field-hint" id="api-key-facts">
                    {expiry_sentence(key.expires_at)}". "{scope}
                </p>
            </div>
            <h3 class="created-key-try">"Try it"</h3>
            <pre class="curl-example" id="api-key-curl" on:copy=move |_| copied.set(true)><code>{command}</code></pre>
            <button type="button" class="button"
                on:click=move |_| copy_then(command_text.clone(), "Command", Some(mark))>"Copy command"</button>
        </div>
    }
}

/// "You have not copied the key": asked in place before the secret is lost.
#[component]
fn ConfirmClose(on_back: Callback<()>, on_close: Callback<()>) -> impl IntoView {
    let back = NodeRef::<html::Button>::new();
    effect(move |_| {
        if let Some(button) = back.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="confirm-close" role="alertdialog" aria-modal="false"
            aria-labelledby="confirm-close-title" aria-describedby="confirm-close-text">
            <h3 id="confirm-close-title">"Close without copying the key?"</h3>
            <p id="confirm-close-text">"You have not copied it, and it cannot be shown again. Whatever was to use it will need a new key."</p>
            <div class="dialog-actions">
                <button type="button" class="button" node_ref=back on:click=move |_| on_back.run(())>"Back to the key"</button>
                <button type="button" class="button button-danger" on:click=move |_| on_close.run(())>"Close without copying"</button>
            </div>
        </div>
    }
}
