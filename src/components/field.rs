//! The field kit: every input of the console with its label, its hint and its error,
//! tied to it by `aria-describedby` so screen readers read them with the field. Errors
//! show once the field has been left or the form submitted, then follow every keystroke.

use leptos::prelude::*;

use super::icons::{Icon, Svg};

/// The ids a field's hint and error carry, and the `aria-describedby` naming those
/// shown.
fn described_by(
    id: &str,
    has_hint: bool,
    shown_error: impl Fn() -> bool + Send + Sync + 'static,
) -> (
    String,
    String,
    impl Fn() -> Option<String> + Send + Sync + 'static,
) {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let (hint, error) = (hint_id.clone(), error_id.clone());
    let describe = move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint.clone());
        }
        if shown_error() {
            ids.push(error.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    (hint_id, error_id, describe)
}

/// The label of a field, with the "required" mark.
fn label_text(label: &'static str, required: bool) -> impl IntoView {
    view! { {label} {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })} }
}

/// A text input (text, email, password, a code...).
#[component]
pub fn TextField(
    /// The field's id, usually also its JSON name (server errors are matched by it).
    #[prop(into)]
    id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    /// Show the error even if the field was not left yet (after a submit).
    #[prop(into, optional)]
    reveal: Signal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] readonly: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let shown_error = move || error.get().filter(|_| touched.get() || reveal.get());
    let (hint_id, error_id, describe) =
        described_by(&id, hint.is_some(), move || shown_error().is_some());
    view! {
        <div class="field" class:field-invalid=move || shown_error().is_some()>
            <label for=id.clone()>{label_text(label, required)}</label>
            <input
                id=id.clone()
                name=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                readonly=readonly
                disabled=move || disabled.get()
                aria-invalid=move || if shown_error().is_some() { "true" } else { "false" }
                aria-describedby=describe
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:blur=move |_| touched.set(true)
            />
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{shown_error}</p>
        </div>
    }
}

/// A multi-line text input.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 3)] rows: u32,
) -> impl IntoView {
    let shown_error = move || error.get();
    let (hint_id, error_id, describe) =
        described_by(id, hint.is_some(), move || shown_error().is_some());
    view! {
        <div class="field" class:field-invalid=move || shown_error().is_some()>
            <label for=id>{label}</label>
            <textarea id=id name=id rows=rows aria-describedby=describe
                aria-invalid=move || if shown_error().is_some() { "true" } else { "false" }
                prop:value=move || value.get() on:input:target=move |ev| value.set(ev.target().value())></textarea>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{shown_error}</p>
        </div>
    }
}

/// A choice from a list. `inline` lays the label beside it (toolbars).
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    /// `(value, label)` of each option, in order.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] inline: bool,
    /// Why the choice cannot be taken (a server's objection).
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let (hint_id, error_id, describe) =
        described_by(id, hint.is_some(), move || error.with(Option::is_some));
    view! {
        <div class="field" class:field-inline=inline class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            <select id=id name=id aria-describedby=describe
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                on:change:target=move |ev| on_change.run(ev.target().value())>
                {move || options.get().into_iter().map(|(option, text)| {
                    let chosen = option.clone();
                    view! { <option value=option selected=move || value.with(|v| *v == chosen)>{text}</option> }
                }).collect_view()}
            </select>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// A colour, chosen with the browser's picker.
#[component]
pub fn ColorField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let shown_error = move || error.get();
    let (_, error_id, describe) = described_by(id, false, move || shown_error().is_some());
    view! {
        <div class="field" class:field-invalid=move || shown_error().is_some()>
            <label for=id>{label}</label>
            <input id=id name=id type="color" class="color-input" aria-describedby=describe
                prop:value=move || value.get() on:input:target=move |ev| value.set(ev.target().value()) />
            <p class="field-error" id=error_id aria-live="polite">{shown_error}</p>
        </div>
    }
}

/// "Type X to confirm": a destructive action goes ahead only once `expected` is typed.
/// The caller compares (it knows how, such as ignoring case for an email).
#[component]
pub fn ConfirmField(
    id: &'static str,
    /// What to type, shown in the label.
    #[prop(into)]
    expected: Signal<String>,
    value: RwSignal<String>,
    /// What typing it confirms ("deleting this user").
    what: &'static str,
) -> impl IntoView {
    let (hint_id, _, describe) = described_by(id, true, || false);
    view! {
        <div class="field">
            <label for=id>{move || format!("Type {} to confirm", expected.get())}</label>
            <input id=id name=id type="text" autocomplete="off" spellcheck="false" aria-describedby=describe
                prop:value=move || value.get() on:input:target=move |ev| value.set(ev.target().value()) />
            <p class="field-hint" id=hint_id>{format!("This makes sure you mean {what}.")}</p>
        </div>
    }
}

/// A search input. With `hide_label`, the label is for screen readers only and a search
/// icon stands in for it (toolbars).
#[component]
pub fn SearchField(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] hide_label: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let input = move || {
        view! {
            <input type="search" autocomplete="off" placeholder=placeholder disabled=move || disabled.get()
                prop:value=move || value.get() on:input:target=move |ev| value.set(ev.target().value()) />
        }
    };
    if hide_label {
        view! {
            <label class="search">
                <Svg icon=Icon::Search />
                <span class="sr-only">{label}</span>
                {input()}
            </label>
        }
        .into_any()
    } else {
        view! {
            <label class="field">
                <span>{label}</span>
                {input()}
            </label>
        }
        .into_any()
    }
}

/// A labelled checkbox.
#[component]
pub fn CheckboxField(
    id: &'static str,
    label: &'static str,
    checked: RwSignal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
    /// A server's objection to this choice (such as "no mail server" for a welcome mail).
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let (hint_id, error_id, describe) =
        described_by(id, hint.is_some(), move || error.with(Option::is_some));
    view! {
        <div class="field field-checkbox" class:field-invalid=move || error.with(Option::is_some)>
            <input
                id=id
                name=id
                type="checkbox"
                aria-describedby=describe
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                prop:checked=move || checked.get()
                on:change:target=move |ev| checked.set(ev.target().checked())
            />
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// One choice among a few, all visible: radio buttons in a fieldset whose legend names
/// the choice. Each button's id is `{name}-{value}`.
#[component]
pub fn RadioGroup(
    name: &'static str,
    legend: &'static str,
    /// `(value, label, hint)` of each choice, in order.
    options: Vec<(&'static str, &'static str, Option<&'static str>)>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <fieldset class="radio-group" disabled=move || disabled.get()>
            <legend>{legend}</legend>
            {options.into_iter().map(|(option, label, hint)| {
                let id = format!("{name}-{option}");
                let hint_id = hint.map(|_| format!("{id}-hint"));
                view! {
                    <div class="field-radio">
                        <input type="radio" id=id.clone() name=name value=option aria-describedby=hint_id.clone()
                            prop:checked=move || value.with(|v| v == option)
                            on:change=move |_| on_change.run(option.to_owned()) />
                        <label for=id>{label}</label>
                        {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}
