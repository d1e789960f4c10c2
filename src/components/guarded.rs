//! Controls for actions the signed-in administrator may not be allowed to take: they stay
//! visible but disabled, and say which permission is missing. The server decides anyway.

use gatehouse_api::endpoints::Endpoint;
use leptos::prelude::*;

use crate::components::link::A;
use crate::session::use_session;

/// "Needs the users:write permission", when the administrator lacks it.
fn missing_message(endpoint: &Endpoint) -> Option<String> {
    use_session()
        .missing_for(endpoint)
        .map(|p| format!("Needs the {p} permission"))
}

/// A button for `endpoint`'s action.
#[component]
pub fn GuardedButton(
    label: &'static str,
    endpoint: Endpoint,
    on_click: Callback<()>,
    /// Extra classes, such as `button-primary` or `button-danger`.
    #[prop(optional)]
    class: &'static str,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// Why the action is out of reach although the permission is held (the target is
    /// a stronger account); disables the button and says so.
    #[prop(optional, into)]
    blocked: Signal<Option<String>>,
    /// What the button does, for screen readers, when the label alone is ambiguous
    /// ("Remove" next to each group).
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    let reason = move || missing_message(&endpoint).or_else(|| blocked.get());
    view! {
        <button
            type="button"
            class=format!("button {class}")
            aria-label=aria_label
            disabled=move || reason().is_some() || disabled.get()
            title=reason
            on:click=move |_| on_click.run(())
        >
            {label}
        </button>
    }
}

/// A link to a page for `endpoint`'s action ("New role"): the page's main action, unless
/// `secondary` (one main action per page; "Import CSV" sits beside "New user").
#[component]
pub fn GuardedLink(
    href: &'static str,
    endpoint: Endpoint,
    #[prop(optional)] secondary: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let missing = Memo::new(move |_| missing_message(&endpoint));
    let children = StoredValue::new(children);
    let class = if secondary {
        "button"
    } else {
        "button button-primary"
    };
    move || {
        match missing.get() {
        None => view! { <A href=href attr:class=class>{children.with_value(|c| c())}</A> }.into_any(),
        Some(reason) => view! {
            <span class=class aria-disabled="true" title=reason>{children.with_value(|c| c())}</span>
        }
        .into_any(),
    }
    }
}
