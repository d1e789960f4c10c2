//! A signal that follows another after it has been still for a moment (search boxes).

use std::time::Duration;

use leptos::prelude::*;

use crate::reactive::effect;

/// `source`'s value, `delay` after its last change.
pub fn debounced(source: RwSignal<String>, delay: Duration) -> ReadSignal<String> {
    let (settled, set_settled) = signal(source.get_untracked());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    effect(move |_| {
        let value = source.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(set_timeout_with_handle(move || set_settled.set(value), delay).ok());
    });
    settled
}
