//! The user form, shared by "new user" and a user's profile tab.

use gatehouse_api::users::{CreateUser, UpdateUser, User};
use gatehouse_api::FieldError;
use leptos::prelude::*;

use crate::components::field::{CheckboxField, TextField};
use crate::components::form_frame::FormFrame;
use crate::forms::FormState;

/// What the administrator has typed, field by field.
#[derive(Clone, Copy)]
pub struct UserDraft {
    pub email: RwSignal<String>,
    pub username: RwSignal<String>,
    pub first_name: RwSignal<String>,
    pub last_name: RwSignal<String>,
    pub display_name: RwSignal<String>,
    pub phone: RwSignal<String>,
    pub locale: RwSignal<String>,
    pub timezone: RwSignal<String>,
    /// New users only.
    pub password: RwSignal<String>,
    pub email_verified: RwSignal<bool>,
    pub require_password_change: RwSignal<bool>,
    /// New users only: mail them a link to choose their password.
    pub send_welcome_email: RwSignal<bool>,
}

impl Default for UserDraft {
    fn default() -> Self {
        let text = || RwSignal::new(String::new());
        Self {
            email: text(),
            username: text(),
            first_name: text(),
            last_name: text(),
            display_name: text(),
            phone: text(),
            locale: text(),
            timezone: text(),
            password: text(),
            email_verified: RwSignal::new(false),
            require_password_change: RwSignal::new(false),
            send_welcome_email: RwSignal::new(false),
        }
    }
}

fn optional(value: String) -> Option<String> {
    Some(value).filter(|v| !v.trim().is_empty())
}

/// `Some(new value)` when it differs from the saved one (empty clears).
fn changed(value: RwSignal<String>, saved: &Option<String>) -> Option<String> {
    let value = value.get();
    (value.trim() != saved.as_deref().unwrap_or("")).then_some(value)
}

impl UserDraft {
    /// Fills the form with a saved user.
    pub fn load(&self, user: &User) {
        let set = |signal: RwSignal<String>, value: &Option<String>| {
            signal.set(value.clone().unwrap_or_default())
        };
        self.email.set(user.email.clone());
        set(self.username, &user.username);
        set(self.first_name, &user.first_name);
        set(self.last_name, &user.last_name);
        set(self.display_name, &user.display_name);
        set(self.phone, &user.phone);
        set(self.locale, &user.locale);
        set(self.timezone, &user.timezone);
        self.email_verified.set(user.email_verified);
        self.require_password_change
            .set(user.require_password_change);
        self.password.set(String::new());
    }

    pub fn to_create(self) -> CreateUser {
        CreateUser {
            email: self.email.get(),
            username: optional(self.username.get()),
            first_name: optional(self.first_name.get()),
            last_name: optional(self.last_name.get()),
            display_name: optional(self.display_name.get()),
            phone: optional(self.phone.get()),
            locale: optional(self.locale.get()),
            timezone: optional(self.timezone.get()),
            password: optional(self.password.get()),
            require_password_change: self.require_password_change.get(),
            email_verified: self.email_verified.get(),
            custom_attributes: Default::default(),
            send_welcome_email: self.send_welcome_email.get(),
            kind: Default::default(),
        }
    }

    /// Only what differs from `saved`, so a save never rewrites fields nobody touched.
    pub fn to_patch(self, saved: &User) -> UpdateUser {
        UpdateUser {
            email: Some(self.email.get()).filter(|e| e.trim() != saved.email),
            username: changed(self.username, &saved.username),
            first_name: changed(self.first_name, &saved.first_name),
            last_name: changed(self.last_name, &saved.last_name),
            display_name: changed(self.display_name, &saved.display_name),
            phone: changed(self.phone, &saved.phone),
            locale: changed(self.locale, &saved.locale),
            timezone: changed(self.timezone, &saved.timezone),
            email_verified: Some(self.email_verified.get()).filter(|v| *v != saved.email_verified),
            require_password_change: Some(self.require_password_change.get())
                .filter(|v| *v != saved.require_password_change),
            custom_attributes: None,
        }
    }
}

/// The fields of a user, their errors, and the submit button.
#[component]
pub fn UserForm(
    draft: UserDraft,
    form: FormState,
    /// The contract's verdict on what is typed.
    #[prop(into)]
    client_errors: Signal<Vec<FieldError>>,
    /// New users get a password field.
    #[prop(optional)]
    with_password: bool,
    #[prop(into)] pending: Signal<bool>,
    submit_label: &'static str,
    pending_label: &'static str,
    on_submit: Callback<()>,
    #[prop(optional, into)] read_only: Signal<bool>,
    /// Where "Cancel" leads (create pages).
    #[prop(optional)]
    cancel: Option<&'static str>,
) -> impl IntoView {
    let error =
        move |field: &'static str, value: RwSignal<String>| form.error(field, value, client_errors);
    view! {
        <FormFrame form pending read_only submit_label pending_label on_submit cancel>
            <fieldset disabled=move || read_only.get()>
                <legend>"Account"</legend>
                <div class="grid-2">
                    <TextField id="email" label="Email" value=draft.email required=true input_type="email" autocomplete="off"
                        error=error("email", draft.email) reveal=form.submitted />
                    <TextField id="username" label="Username" value=draft.username
                        hint="Optional. Letters, digits, dots, dashes and underscores."
                        error=error("username", draft.username) reveal=form.submitted />
                </div>
                {with_password.then(|| view! {
                    <TextField id="password" label="Password" value=draft.password input_type="password" autocomplete="new-password"
                        hint="Optional: without one, the user cannot sign in until a password is set. At least 12 characters."
                        error=error("password", draft.password) reveal=form.submitted />
                    <CheckboxField id="send_welcome_email" label="Email them a link to choose their own password"
                        hint="The link works once, within 7 days." checked=draft.send_welcome_email
                        error=form.server_error("send_welcome_email") />
                })}
                <CheckboxField id="email_verified" label="Email address verified" checked=draft.email_verified />
                <CheckboxField id="require_password_change" label="Require a new password at next sign-in"
                    checked=draft.require_password_change />
            </fieldset>
            <fieldset disabled=move || read_only.get()>
                <legend>"Name"</legend>
                <div class="grid-3">
                    <TextField id="first_name" label="First name" value=draft.first_name autocomplete="off"
                        error=error("first_name", draft.first_name) reveal=form.submitted />
                    <TextField id="last_name" label="Last name" value=draft.last_name autocomplete="off"
                        error=error("last_name", draft.last_name) reveal=form.submitted />
                    <TextField id="display_name" label="Display name" value=draft.display_name autocomplete="off"
                        hint="Shown in lists; first and last name when empty."
                        error=error("display_name", draft.display_name) reveal=form.submitted />
                </div>
            </fieldset>
            <fieldset disabled=move || read_only.get()>
                <legend>"Contact and region"</legend>
                <div class="grid-3">
                    <TextField id="phone" label="Phone" value=draft.phone input_type="tel" autocomplete="off"
                        error=error("phone", draft.phone) reveal=form.submitted />
                    <TextField id="locale" label="Language" value=draft.locale hint="Such as en, en-GB or pt-BR."
                        error=error("locale", draft.locale) reveal=form.submitted />
                    <TextField id="timezone" label="Time zone" value=draft.timezone hint="Such as Europe/Berlin or UTC."
                        error=error("timezone", draft.timezone) reveal=form.submitted />
                </div>
            </fieldset>
        </FormFrame>
    }
}
