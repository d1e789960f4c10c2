use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use super::{erase, typed, Erased};

type ValueFuture = Pin<Box<dyn Future<Output = Erased>>>;

/// What a page loads (from the API, mostly), read like Leptos' `LocalResource`, whose
/// machinery it uses once for every `T` (each resource type made 7 KB of wasm, thirty-odd
/// of them 160 KB). Loads when created and again whenever a signal its fetcher read
/// changes, or on [`Fetched::refetch`]; `Copy`, like a signal.
pub struct Fetched<T> {
    inner: LocalResource<Erased>,
    value_type: PhantomData<fn() -> T>,
}

impl<T> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetched<T> {}

/// The one place the framework's resource is instantiated.
fn erased(fetcher: Box<dyn Fn() -> ValueFuture>) -> LocalResource<Erased> {
    LocalResource::new(fetcher)
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
