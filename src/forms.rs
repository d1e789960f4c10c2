//! Form state shared by every form: which errors to show where, and when.
//!
//! Client-side errors come from the contract's own validation (the same rules the server
//! runs); server errors (422, or 409 on a unique field) are put under their field and
//! cleared as soon as that field is edited. Anything else goes to a banner. The values
//! typed are never touched by a failure.

use gatehouse_api::FieldError;
use leptos::prelude::*;

use crate::api::ApiError;

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
        Effect::new(move |previous: Option<String>| {
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
