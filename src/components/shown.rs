//! Leptos's `Show`, compiled once for the whole console.
//!
//! `Show` is generic over its condition and its children's view type, so each of its
//! sixty-odd uses compiled its own copy of the component, its memo and its children's
//! wrapper. This one takes the condition as a `Signal<bool>` and its children and
//! fallback type-erased, as the rest of the console's components do: one copy, the same
//! behaviour (the children are built again only when the condition flips).

use leptos::prelude::*;

/// Shows its children while `when` is true, else `fallback` (nothing by default).
#[component]
pub fn Shown(
    /// Whether the children show; read through a memo, so that recomputing it to the
    /// same answer leaves them as they are.
    #[prop(into)]
    when: Signal<bool>,
    children: ChildrenFn,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    let shown = Memo::new(move |_| when.get());
    move || {
        if shown.get() {
            children()
        } else {
            fallback.run()
        }
    }
}
