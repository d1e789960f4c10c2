use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use leptos::prelude::*;

use super::{erase, typed, Erased};

type Run = Box<dyn Fn(&Erased) -> Pin<Box<dyn Future<Output = ()>>>>;

/// Work the user starts (a save, a sign-in step, a delete): Leptos' `Action` for work
/// that reports through signals of its own rather than an output value. `Copy`.
pub struct Task<I> {
    inner: Action<Erased, ()>,
    input_type: PhantomData<fn(I)>,
}

impl<I> Clone for Task<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Task<I> {}

/// The one place the framework's action is instantiated.
fn erased(run: Run) -> Action<Erased, ()> {
    Action::new_local(run)
}

impl<I: 'static> Task<I> {
    pub fn new<Fut>(run: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = ()> + 'static,
    {
        let run: Run = Box::new(move |input| Box::pin(run(typed::<I>(input))));
        Self {
            inner: erased(run),
            input_type: PhantomData,
        }
    }

    /// Starts the work with `input`.
    pub fn dispatch(&self, input: I) {
        self.inner.dispatch_local(erase(input));
    }

    /// Whether some of the work started is still running (reactive).
    pub fn pending(&self) -> Memo<bool> {
        self.inner.pending()
    }
}
