//! [`Fetched`]: what a page loads (from the API, mostly), read the way a `LocalResource`
//! is read, with the framework's async machinery compiled once for all of them.
//!
//! Why not `LocalResource<T>` itself: every `T`, and every fetcher closure, instantiates
//! Leptos' async-derived signal again (its future, its scheduling, its subscribers), about
//! 7 KB of wasm each; thirty-odd resources made 160 KB of the console's code. Here there
//! is one `LocalResource<Rc<dyn Any>>`, and only a thin typed face per `T`.

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

type Value = Rc<dyn Any>;
type ValueFuture = Pin<Box<dyn Future<Output = Value>>>;

/// Loads a `T` when created and again whenever a signal its fetcher read changes (or on
/// [`Fetched::refetch`]); `Copy`, like a signal.
pub struct Fetched<T> {
    inner: LocalResource<Value>,
    value_type: PhantomData<fn() -> T>,
}

impl<T> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetched<T> {}

/// The one place the framework's resource is instantiated.
fn erased(fetcher: Box<dyn Fn() -> ValueFuture>) -> LocalResource<Value> {
    LocalResource::new(fetcher)
}

/// The value stored, as the type it was stored as (only [`Fetched::new`] and
/// [`Fetched::set`] store, both as `T`).
fn typed<T: 'static>(value: &Value) -> &T {
    value
        .downcast_ref()
        .expect("a Fetched<T> holds only T values")
}

fn erase<T: 'static>(value: T) -> Value {
    Rc::new(value)
}

impl<T: Clone + 'static> Fetched<T> {
    pub fn new<Fut>(fetcher: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = T> + 'static,
    {
        let fetcher = move || -> ValueFuture {
            let loading = fetcher();
            Box::pin(async move { erase(loading.await) })
        };
        Self {
            inner: erased(Box::new(fetcher)),
            value_type: PhantomData,
        }
    }

    /// The value once loaded (reactive).
    pub fn get(&self) -> Option<T> {
        self.inner
            .with(|value| value.as_ref().map(typed::<T>).cloned())
    }

    /// Loads again.
    pub fn refetch(&self) {
        self.inner.refetch();
    }
}

/// Waits for the value (in a `Suspend`, which then follows it). `Send` because a
/// `Suspend` asks for it; the browser's wasm has one thread.
impl<T: Clone + 'static> IntoFuture for Fetched<T> {
    type Output = T;
    type IntoFuture = SendWrapper<Pin<Box<dyn Future<Output = T>>>>;

    fn into_future(self) -> Self::IntoFuture {
        let loading = self.inner.into_future();
        SendWrapper::new(Box::pin(async move { typed::<T>(&loading.await).clone() }))
    }
}
