//! Leptos' reactive primitives the way the console uses them, with their generic
//! machinery compiled once rather than once per use.
//!
//! A `LocalResource<T>`, an `Action<I, O>` or an `Effect` instantiates the framework's
//! async code (its future, scheduling and subscribers) again for every value type and
//! every closure it is given: 0.9 KB of wasm an effect, several KB a resource or an
//! action, and the console has dozens of each. Here each is instantiated once, over an
//! erased value (`Rc<dyn Any>`) or a boxed closure, behind a thin typed face; the
//! behaviour is the framework's own.

mod effect;
mod fetched;
mod task;

use std::any::Any;
use std::rc::Rc;

pub use effect::effect;
pub use fetched::Fetched;
pub use task::Task;

/// A value of some type only its typed face knows.
type Erased = Rc<dyn Any>;

fn erase<T: 'static>(value: T) -> Erased {
    Rc::new(value)
}

/// The value stored, as the type it was stored as (each face stores only its own `T`).
fn typed<T: 'static>(value: &Erased) -> &T {
    value
        .downcast_ref()
        .expect("an erased value is read as the type it was stored as")
}
