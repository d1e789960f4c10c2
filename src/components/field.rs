//! Labelled form fields whose errors sit under them and are announced.

use leptos::prelude::*;

/// A text input with its label, hint and error. The error shows once the field has been
/// left or the form submitted, and then follows every keystroke.
#[component]
pub fn TextField(
    /// The field's id, also its JSON name (server errors are matched by it).
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Show the error even if the field was not left yet (after a submit).
    #[prop(into, optional)]
    reveal: Signal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let shown_error = move || error.get().filter(|_| touched.get() || reveal.get());
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if shown_error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || shown_error().is_some()>
            <label for=id>{label} {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                required=required
                disabled=move || disabled.get()
                aria-invalid=move || if shown_error().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:blur=move |_| touched.set(true)
            />
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <p class="field-error" id=error_id.clone() aria-live="polite">{shown_error}</p>
        </div>
    }
}

/// A labelled checkbox.
#[component]
pub fn CheckboxField(
    id: &'static str,
    label: &'static str,
    checked: RwSignal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field field-checkbox">
            <input
                id=id
                name=id
                type="checkbox"
                aria-describedby=hint.map(|_| hint_id.clone())
                prop:checked=move || checked.get()
                on:change:target=move |ev| checked.set(ev.target().checked())
            />
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
        </div>
    }
}
