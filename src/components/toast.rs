//! Short-lived confirmations ("User saved") announced to screen readers.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    id: u32,
    message: String,
    error: bool,
}

/// The toast queue, provided as context by the app.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u32>,
}

impl Default for Toasts {
    fn default() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
        }
    }
}

impl Toasts {
    pub fn success(&self, message: impl Into<String>) {
        self.push(message.into(), false);
    }

    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), true);
    }

    fn push(&self, message: String, error: bool) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items
            .update(|items| items.push(Toast { id, message, error }));
        let items = self.items;
        set_timeout(
            move || items.update(|items| items.retain(|t| t.id != id)),
            std::time::Duration::from_secs(6),
        );
    }

    fn dismiss(&self, id: u32) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }
}

/// What a bulk action did, in one sentence: for each outcome, how many had it, with a
/// phrase for one and for many (`{n}` stands for the number); the first outcome always,
/// the others when they happened. `[(Revoked, "1 invite revoked", "{n} invites
/// revoked"), (Gone, "1 was gone", "{n} were gone")]` says "3 invites revoked; 1 was gone."
pub fn tally<T: PartialEq>(outcomes: &[T], phrases: &[(T, &str, &str)]) -> String {
    let said: Vec<String> = phrases
        .iter()
        .enumerate()
        .map(|(i, (outcome, one, many))| {
            (
                i,
                outcomes.iter().filter(|o| *o == outcome).count(),
                one,
                many,
            )
        })
        .filter(|(i, n, _, _)| *i == 0 || *n > 0)
        .map(|(_, n, one, many)| match n {
            1 => (*one).to_owned(),
            n => many.replace("{n}", &n.to_string()),
        })
        .collect();
    format!("{}.", said.join("; "))
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Where toasts appear (bottom right), as a polite live region.
#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.error>
                    <span>{toast.message.clone()}</span>
                    <button type="button" class="icon-button" aria-label="Dismiss" on:click=move |_| toasts.dismiss(toast.id)>
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
