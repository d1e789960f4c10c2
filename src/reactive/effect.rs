use leptos::prelude::*;

/// `Effect::new`: runs `run` now and again whenever a signal it read changes, passing
/// what it returned the last time (`None` the first time). One boxed closure type per
/// `T`, so the effect's runner is compiled once, not once per closure.
pub fn effect<T: 'static>(run: impl FnMut(Option<T>) -> T + 'static) -> Effect<LocalStorage> {
    let run: Box<dyn FnMut(Option<T>) -> T> = Box::new(run);
    Effect::new(run)
}
