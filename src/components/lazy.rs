//! Pages whose code arrives on first visit.
//!
//! The release build (`cargo xtask dist`, compiled with `--cfg gatehouse_split`) cuts each
//! function declared with [`lazy_pages!`], and everything only it reaches, into a wasm chunk
//! of its own (wasm-split, after the build). Everywhere else (`trunk serve`, the component
//! tests) the same functions are plain async functions, so pages behave the same.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use super::banner::ErrorBanner;
use super::dialog::Dialog;
use crate::components::shown::Shown;

pub use wasm_split_helpers::SplitLoaderError;

/// Builds a page's view; it lives in the page's chunk.
pub type PageView = fn() -> AnyView;

/// Fetching a page's chunk (at once when it is there already).
pub type Loading = Pin<Box<dyn Future<Output = Result<PageView, SplitLoaderError>>>>;

/// Declares split points: `chunk: { name => view, ... }`. Each `name` becomes a function
/// that starts loading the page's chunk and answers its [`PageView`]. Pages that share a
/// chunk come together, so the tabs of one area load once. Every loader has the same
/// type, so the router and [`lazy`] are compiled once for all of them.
#[macro_export]
macro_rules! lazy_pages {
    ($($chunk:ident: { $($name:ident => $page:expr),+ $(,)? })+) => { $($(
        pub fn $name() -> $crate::components::lazy::Loading {
            use $crate::components::lazy::{PageView, SplitLoaderError};

            #[cfg(gatehouse_split)]
            #[wasm_split_helpers::wasm_split($chunk, fallible)]
            fn $name() -> Result<PageView, SplitLoaderError> {
                Ok(|| ::leptos::prelude::IntoAny::into_any($page))
            }

            #[cfg(not(gatehouse_split))]
            async fn $name() -> Result<PageView, SplitLoaderError> {
                Ok(|| ::leptos::prelude::IntoAny::into_any($page))
            }

            Box::pin($name())
        }
    )+)+ };
}

/// A route's view that loads the page's chunk first: a quiet placeholder while it comes,
/// and if it cannot be fetched, an error with a retry instead of a dead console.
pub fn lazy(load: fn() -> Loading) -> impl Fn() -> AnyView + Clone + Send + Sync + 'static {
    lazy_with(load, || ())
}

/// [`lazy`] for a page whose first request `ahead` sends while its code loads, so the
/// data and the code arrive together (see [`crate::api::send_ahead`]).
pub fn lazy_with(
    load: fn() -> Loading,
    ahead: fn(),
) -> impl Fn() -> AnyView + Clone + Send + Sync + 'static {
    move || view! { <LazyPage load ahead /> }.into_any()
}

/// A rarely opened dialog whose code arrives the first time `open` turns true. Until it
/// has, a dialog with the same title says it is loading, or that it could not be and
/// offers a retry: the click visibly did something, where the user is looking. Then it
/// stays mounted: it keeps what was typed and opens at once the next time. What it acts
/// on reaches it by context, provided before this (a loaded page takes no props).
#[component]
pub fn LazyDialog(
    open: RwSignal<bool>,
    load: fn() -> Loading,
    #[prop(into)] title: Signal<String>,
    /// What closing it before its code arrived means (a paused request to cancel).
    #[prop(optional)]
    on_dismiss: Option<Callback<()>>,
) -> impl IntoView {
    let opened = Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || open.get());
    view! {
        <Shown when=move || opened.get()>
            {
                let (page, retry) = fetch_page(load, || ());
                move || match page.get() {
                    Some(Some(page)) => page(),
                    state => view! {
                        <Dialog open title on_dismiss=on_dismiss.unwrap_or_else(|| Callback::new(|()| ()))>
                            {match state {
                                None => view! { <p class="muted" aria-busy="true">"Loading…"</p> }.into_any(),
                                _ => view! { <ErrorBanner message=NOT_LOADED on_retry=retry /> }.into_any(),
                            }}
                        </Dialog>
                    }
                    .into_any(),
                }
            }
        </Shown>
    }
}

const NOT_LOADED: &str =
    "This part of the console could not be loaded. Check the connection and try again.";

/// Starts fetching a page's code (and `ahead`, its first request): not yet, the page,
/// or `Some(None)` when its code could not be fetched; and what fetches it again.
fn fetch_page(
    load: fn() -> Loading,
    ahead: fn(),
) -> (RwSignal<Option<Option<PageView>>>, Callback<()>) {
    let page = RwSignal::new(None::<Option<PageView>>);
    let fetch = move || {
        ahead();
        page.set(None);
        leptos::task::spawn_local(async move {
            let loaded = load().await;
            // The visitor may have left before the code arrived.
            let _ = page.try_set(Some(loaded.ok()));
        });
    };
    fetch();
    (page, Callback::new(move |()| fetch()))
}

#[component]
fn LazyPage(load: fn() -> Loading, ahead: fn()) -> impl IntoView {
    loaded_or(load, ahead, page_loading)
}

fn page_loading() -> AnyView {
    view! { <div class="page-loading" aria-busy="true"></div> }.into_any()
}

/// A part of a page few use (a toolbar that shows once rows are chosen, the view behind
/// a filter), whose code arrives the first time it shows: nothing until then (or, for a
/// part that fills the page, the same quiet placeholder as a page's), and an error with
/// a retry if it cannot be fetched. What it acts on reaches it by context, as for
/// [`LazyDialog`].
#[component]
pub fn LazyPart(
    load: fn() -> Loading,
    /// Whether the part fills the page, and says it is loading until it comes.
    #[prop(optional)]
    fills_page: bool,
) -> impl IntoView {
    let nothing: fn() -> AnyView = || ().into_any();
    loaded_or(load, || (), if fills_page { page_loading } else { nothing })
}

/// The loaded view, `waiting` until it is, or the error with a retry.
fn loaded_or(load: fn() -> Loading, ahead: fn(), waiting: fn() -> AnyView) -> impl IntoView {
    let (page, retry) = fetch_page(load, ahead);
    move || match page.get() {
        None => waiting(),
        Some(Some(page)) => page(),
        Some(None) => view! { <ErrorBanner message=NOT_LOADED on_retry=retry /> }.into_any(),
    }
}
