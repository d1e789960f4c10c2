//! Form state shared by every form: which errors to show where, and when.
//!
//! Client-side errors come from the contract's own validation (the same rules the server
//! runs); server errors (422, or 409 on a unique field) are put under their field and
//! cleared as soon as that field is edited. Anything else goes to a banner. The values
//! typed are never touched by a failure.

use gatehouse_api::FieldError;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::reactive::{effect, Task};

#[derive(Clone, Copy)]
pub struct FormState {
    /// Set by the first submit: from then on every error shows, touched or not.
    pub submitted: RwSignal<bool>,
    /// Errors the server reported, by field.
    server: RwSignal<Vec<FieldError>>,
    /// A failure that belongs to no field.
    pub banner: RwSignal<Option<String>>,
}

impl Default for FormState {
    fn default() -> Self {
        Self {
            submitted: RwSignal::new(false),
            server: RwSignal::new(Vec::new()),
            banner: RwSignal::new(None),
        }
    }
}

fn first_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

impl FormState {
    /// The error to show under `field`: the client rule's, else the server's (until the
    /// field is edited).
    pub fn error(
        &self,
        field: &'static str,
        value: RwSignal<String>,
        client: Signal<Vec<FieldError>>,
    ) -> Signal<Option<String>> {
        let server = self.server;
        effect(move |previous: Option<String>| {
            let current = value.get();
            if previous.is_some_and(|p| p != current) {
                server.update(|errors| errors.retain(|e| e.field != field));
            }
            current
        });
        Signal::derive(move || {
            client
                .with(|c| first_for(c, field))
                .or_else(|| server.with(|s| first_for(s, field)))
        })
    }

    /// The server's error for a field that has no text (a checkbox), until the next
    /// failure or success.
    pub fn server_error(&self, field: &'static str) -> Signal<Option<String>> {
        let server = self.server;
        Signal::derive(move || server.with(|s| first_for(s, field)))
    }

    /// The error for a field named at run time (a row of a list, whose position may
    /// change): the client rule's once submitted, else the server's.
    pub fn row_error(
        &self,
        field: impl Fn() -> String + Send + Sync + 'static,
        client: Signal<Vec<FieldError>>,
    ) -> Signal<Option<String>> {
        let (server, submitted) = (self.server, self.submitted);
        Signal::derive(move || {
            let field = field();
            client
                .with(|c| first_for(c, &field))
                .filter(|_| submitted.get())
                .or_else(|| server.with(|s| first_for(s, &field)))
        })
    }

    /// Starts a submit: reveals errors and clears the previous failure.
    pub fn begin(&self) {
        self.submitted.set(true);
        self.banner.set(None);
    }

    /// Shows a failed request: field errors under their fields, the rest in the banner.
    pub fn fail(&self, error: &ApiError) {
        let fields = error.field_errors().to_vec();
        if fields.is_empty() {
            self.banner.set(Some(error.message()));
        } else {
            self.banner.set(Some(
                "Some fields need attention; see the messages under them.".into(),
            ));
        }
        self.server.set(fields);
    }

    /// The outcome of a submit: the answer after a success (the form is reset), `None`
    /// after a failure (shown, and focus moved to the first field in error).
    pub fn settle<T>(&self, outcome: Result<T, ApiError>) -> Option<T> {
        match outcome {
            Ok(answer) => {
                self.reset();
                Some(answer)
            }
            Err(error) => {
                self.fail(&error);
                focus_first_invalid();
                None
            }
        }
    }

    /// After a success.
    pub fn reset(&self) {
        self.submitted.set(false);
        self.server.set(Vec::new());
        self.banner.set(None);
    }
}

/// Moves keyboard focus to the first invalid field of the page, so a failed submit says
/// where to look.
pub fn focus_first_invalid() {
    request_animation_frame(|| {
        if let Ok(Some(element)) =
            document().query_selector(".field-invalid input, .field-invalid textarea")
        {
            use wasm_bindgen::JsCast;
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        }
    });
}

/// Moves keyboard focus to the element with `id` once it is on screen (a field a step
/// or a new row has just brought).
pub fn focus_later(id: impl Into<String>) {
    let id = id.into();
    request_animation_frame(move || {
        if let Some(element) = document().get_element_by_id(&id) {
            use wasm_bindgen::JsCast;
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        }
    });
}

/// A partial update, as the contract defines them.
pub trait Patch {
    fn validate(&self) -> Result<(), Vec<FieldError>>;
    fn is_empty(&self) -> bool;
}

macro_rules! patch_types {
    ($($t:ty),*) => {$(
        impl Patch for $t {
            fn validate(&self) -> Result<(), Vec<FieldError>> {
                <$t>::validate(self)
            }
            fn is_empty(&self) -> bool {
                <$t>::is_empty(self)
            }
        }
    )*};
}
patch_types!(
    gatehouse_api::users::UpdateUser,
    gatehouse_api::roles::UpdateRole,
    gatehouse_api::groups::UpdateGroup
);

/// What an edit form holds, compared with the saved object.
pub trait Draft<T>: Copy + Send + Sync + 'static {
    type Patch: Patch + 'static;
    /// Replaces what is typed with the saved values.
    fn load(&self, saved: &T);
    /// Only what differs from `saved`, so a save never rewrites fields nobody touched.
    fn patch(&self, saved: &T) -> Self::Patch;
    /// Whether nothing typed differs from `saved`.
    fn is_unchanged(&self, saved: &T) -> bool {
        self.patch(saved).is_empty()
    }
}

/// Keeps an edit form in step with the saved object: when it changes (after a save, or a
/// reload), the form shows it, unless the administrator has edits in progress, which are
/// kept. Setting `discard` loads the saved object even over edits.
pub fn follow_saved<T, D>(saved: RwSignal<Option<T>>, draft: D, discard: RwSignal<bool>)
where
    T: Clone + Send + Sync + 'static,
    D: Draft<T>,
{
    effect(move |previous: Option<Option<T>>| {
        let current = saved.get();
        // Only `saved` is tracked: loading the draft must not re-run this effect.
        untrack(|| {
            if let Some(current) = &current {
                let untouched = previous.flatten().is_none_or(|p| draft.is_unchanged(&p));
                if discard.get() || untouched {
                    draft.load(current);
                    discard.set(false);
                }
            }
        });
        current
    });
}

/// Everything an edit tab needs.
pub struct EditSession {
    pub form: FormState,
    /// The contract's verdict on what is typed.
    pub client_errors: Signal<Vec<FieldError>>,
    /// Someone else saved first; the form keeps what was typed.
    pub stale: RwSignal<bool>,
    pub pending: Signal<bool>,
    pub submit: Callback<()>,
    /// Loads the other administrator's version over the form.
    pub reload_theirs: Callback<()>,
}

/// Editing a saved object in place: validates with the contract's rules, sends only what
/// changed with the version on screen, shows the result, and on a stale version keeps
/// the form and offers the other version.
pub fn edit_session<T, D, Fut>(
    saved: RwSignal<Option<T>>,
    draft: D,
    reload: Callback<()>,
    saved_message: &'static str,
    save: impl Fn(T, D::Patch) -> Fut + Copy + 'static,
) -> EditSession
where
    T: Clone + Send + Sync + 'static,
    D: Draft<T>,
    Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    let toasts = crate::components::toast::use_toasts();
    let form = FormState::default();
    let stale = RwSignal::new(false);
    let discard = RwSignal::new(true);
    follow_saved(saved, draft, discard);
    let client_errors = Signal::derive(move || {
        saved
            .with(|s| {
                s.as_ref()
                    .map(|s| draft.patch(s).validate().err().unwrap_or_default())
            })
            .unwrap_or_default()
    });
    let action = Task::new(move |_: &()| {
        let current = saved.get_untracked();
        async move {
            let Some(current) = current else { return };
            let patch = draft.patch(&current);
            match save(current, patch).await {
                Ok(updated) => {
                    form.reset();
                    stale.set(false);
                    discard.set(true);
                    saved.set(Some(updated));
                    toasts.success(saved_message);
                }
                Err(error) if error.is_stale() => stale.set(true),
                Err(error) => {
                    form.fail(&error);
                    focus_first_invalid();
                }
            }
        }
    });
    let submit = Callback::new(move |()| {
        form.begin();
        let unchanged = saved.with_untracked(|s| s.as_ref().is_none_or(|s| draft.is_unchanged(s)));
        if unchanged {
            toasts.success("There are no changes to save.");
        } else if client_errors.with_untracked(Vec::is_empty) {
            action.dispatch(());
        } else {
            focus_first_invalid();
        }
    });
    let reload_theirs = Callback::new(move |()| {
        discard.set(true);
        stale.set(false);
        form.reset();
        reload.run(());
    });
    EditSession {
        form,
        client_errors,
        stale,
        pending: action.pending().into(),
        submit,
        reload_theirs,
    }
}

/// Says that someone else saved first, keeps the form, and offers their version.
#[component]
pub fn StaleBanner(what: &'static str, on_reload: Callback<()>) -> impl IntoView {
    view! {
        <div class="banner banner-warning" role="alert">
            <p>{format!("Someone else changed this {what} after you opened it, so your changes were not saved. They are still in the form below.")}</p>
            <button type="button" class="button" on:click=move |_| on_reload.run(())>"Load their version (discards your changes)"</button>
        </div>
    }
}

/// Everything a "new …" page needs.
pub struct CreateSession {
    pub form: FormState,
    pub client_errors: Signal<Vec<FieldError>>,
    pub pending: Signal<bool>,
    pub submit: Callback<()>,
}

/// Creating an object: checks what is typed with the contract's rules, sends it, and on
/// success says so and opens what was created (`created` gives the message and path).
/// On failure the errors go under their fields and everything typed stays.
pub fn create_session<R, T, Fut>(
    request: impl Fn() -> R + Copy + Send + Sync + 'static,
    validate: fn(&R) -> Result<(), Vec<FieldError>>,
    send: impl Fn(R) -> Fut + Copy + 'static,
    created: impl Fn(&T) -> (String, String) + Copy + 'static,
) -> CreateSession
where
    R: 'static,
    T: 'static,
    Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    let toasts = crate::components::toast::use_toasts();
    let navigate = leptos_router::hooks::use_navigate();
    let form = FormState::default();
    let client_errors = Signal::derive(move || validate(&request()).err().unwrap_or_default());
    let action = Task::new(move |_: &()| {
        let sent = send(request());
        let navigate = navigate.clone();
        async move {
            match sent.await {
                Ok(object) => {
                    form.reset();
                    let (message, path) = created(&object);
                    toasts.success(message);
                    navigate(&path, Default::default());
                }
                Err(error) => {
                    form.fail(&error);
                    focus_first_invalid();
                }
            }
        }
    });
    let submit = Callback::new(move |()| {
        form.begin();
        if client_errors.with_untracked(Vec::is_empty) {
            action.dispatch(());
        } else {
            focus_first_invalid();
        }
    });
    CreateSession {
        form,
        client_errors,
        pending: action.pending().into(),
        submit,
    }
}
