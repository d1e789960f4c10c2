//! Choosing a new password: the password, the policy checked live as a list of rules,
//! and the password again.

use gatehouse_api::validation::password_checklist;
use gatehouse_api::FieldError;
use leptos::prelude::*;

use super::field::TextField;
use super::icons::{Icon, Svg};
use crate::forms::FormState;

/// The error of the repeat field: shown once something is typed there or the form was
/// submitted.
pub fn mismatch(
    password: RwSignal<String>,
    repeat: RwSignal<String>,
    form: FormState,
) -> Option<FieldError> {
    let compare = !repeat.get().is_empty() || form.submitted.get();
    (compare && repeat.get() != password.get())
        .then(|| FieldError::new("repeat_password", "The passwords do not match."))
}

/// The two fields and the rules. `field` is the password's JSON name (`password`,
/// `new_password`), so the server's errors land under it.
#[component]
pub fn NewPasswordFields(
    field: &'static str,
    password: RwSignal<String>,
    repeat: RwSignal<String>,
    /// The account's address: a password must not contain it.
    #[prop(into)]
    email: Signal<String>,
    form: FormState,
    client_errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let rules = move || {
        password_checklist(&password.get(), &email.get())
            .into_iter()
            .map(|(rule, met)| {
                view! {
                    <li class:rule-met=met>
                        {if met { view! { <Svg icon=Icon::Check /> }.into_any() } else { view! { <span class="rule-dot" aria-hidden="true"></span> }.into_any() }}
                        <span>{rule}</span>
                        <span class="sr-only">{if met { " (met)" } else { " (not yet)" }}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <TextField id=field label="New password" value=password required=true
            input_type="password" autocomplete="new-password"
            error=form.error(field, password, client_errors) reveal=form.submitted />
        <ul class="password-rules" aria-label="Password rules">{rules}</ul>
        <TextField id="repeat_password" label="Repeat the password" value=repeat required=true
            input_type="password" autocomplete="new-password"
            error=form.error("repeat_password", repeat, client_errors) reveal=form.submitted />
    }
}
