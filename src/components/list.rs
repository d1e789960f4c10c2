//! What every list page shares: its query lives in the URL (reload, Back and a pasted
//! link show the same list), a search box that updates the URL after a pause, paging,
//! and the loading, empty, no-match and error states. A page brings its filters, its
//! table and what to say when there is nothing yet.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_api::api_keys::ApiKeyListQuery;
use gatehouse_api::invites::InviteListQuery;
use gatehouse_api::query::{NameQuery, QueryPairs};
use gatehouse_api::users::UserListQuery;
use gatehouse_api::{Page, Pagination};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use send_wrapper::SendWrapper;

use super::banner::ErrorBanner;
use super::debounce::debounced;
use super::field::SearchField;
use super::pager::Pager;
use super::table::{SortKey, SortState, Sorting, TableSkeleton};
use crate::api::ApiError;
use crate::reactive::{effect, Fetched};

/// How long typing must pause before a search runs.
pub const SEARCH_PAUSE: Duration = Duration::from_millis(300);

/// A list's query, as the URL and the API both carry it.
pub trait ListQuery: Clone + PartialEq + Send + Sync + 'static {
    fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self;
    fn to_pairs(&self) -> QueryPairs;
    fn search(&self) -> Option<String>;
    fn set_search(&mut self, search: Option<String>);
    fn set_page(&mut self, page: Option<u32>);
    fn set_per_page(&mut self, per_page: u32);
    /// Whether a search or a filter narrows the list: then an empty page means "nothing
    /// matches", not "nothing yet".
    fn narrowed(&self) -> bool;
    /// The same order and page size, with nothing narrowing it.
    fn cleared(&self) -> Self;
}

/// The parts of [`ListQuery`] every contract query spells the same way: its own
/// `from_pairs`/`to_pairs`, a `search` field with `search_term`, `page` and `per_page`.
macro_rules! list_query_basics {
    ($query:ty) => {
        fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
            <$query>::from_pairs(pairs)
        }
        fn to_pairs(&self) -> QueryPairs {
            <$query>::to_pairs(self)
        }
        fn search(&self) -> Option<String> {
            self.search_term().map(str::to_owned)
        }
        fn set_search(&mut self, search: Option<String>) {
            self.search = search;
        }
        fn set_page(&mut self, page: Option<u32>) {
            self.page = page;
        }
        fn set_per_page(&mut self, per_page: u32) {
            self.per_page = Some(per_page);
        }
    };
}

/// [`SortedQuery`] for a contract query with `sort_by`/`sort_order` fields and the
/// methods giving their defaults.
macro_rules! sorted_query {
    ($query:ty, $key:ty) => {
        impl SortedQuery for $query {
            type Key = $key;
            fn sort_state(&self) -> SortState<Self::Key> {
                SortState {
                    by: self.sort_by(),
                    order: self.sort_order(),
                }
            }
            fn set_sort(&mut self, sort: SortState<Self::Key>) {
                self.sort_by = Some(sort.by);
                self.sort_order = Some(sort.order);
            }
        }
    };
}

impl ListQuery for UserListQuery {
    list_query_basics!(UserListQuery);
    fn narrowed(&self) -> bool {
        self.search_term().is_some()
            || self.status.is_some()
            || self.identity_source.is_some()
            || self.kind.is_some()
            || self.mfa_enabled.is_some()
            || self.group_id.is_some()
            || self.role_id.is_some()
    }
    fn cleared(&self) -> Self {
        UserListQuery {
            sort_by: self.sort_by,
            sort_order: self.sort_order,
            per_page: self.per_page,
            ..Default::default()
        }
    }
}

impl ListQuery for NameQuery {
    list_query_basics!(NameQuery);
    fn narrowed(&self) -> bool {
        self.search_term().is_some()
    }
    fn cleared(&self) -> Self {
        NameQuery {
            per_page: self.per_page,
            ..Default::default()
        }
    }
}

/// A list whose order lives in its query (and so in the URL).
pub trait SortedQuery: ListQuery {
    type Key: SortKey;
    fn sort_state(&self) -> SortState<Self::Key>;
    fn set_sort(&mut self, sort: SortState<Self::Key>);
}

sorted_query!(UserListQuery, gatehouse_api::users::UserSortBy);
sorted_query!(InviteListQuery, gatehouse_api::invites::InviteSortBy);
sorted_query!(ApiKeyListQuery, gatehouse_api::api_keys::ApiKeySortBy);

impl ListQuery for InviteListQuery {
    list_query_basics!(InviteListQuery);
    fn narrowed(&self) -> bool {
        self.search_term().is_some() || self.status.is_some()
    }
    fn cleared(&self) -> Self {
        InviteListQuery {
            sort_by: self.sort_by,
            sort_order: self.sort_order,
            per_page: self.per_page,
            ..Default::default()
        }
    }
}

impl ListQuery for ApiKeyListQuery {
    list_query_basics!(ApiKeyListQuery);
    fn narrowed(&self) -> bool {
        self.search_term().is_some()
            || self.status.is_some()
            || self.owner_id.is_some()
            || self.expires_within_days.is_some()
    }
    fn cleared(&self) -> Self {
        ApiKeyListQuery {
            sort_by: self.sort_by,
            sort_order: self.sort_order,
            per_page: self.per_page,
            ..Default::default()
        }
    }
}

/// A list page's state. Cheap to copy.
pub struct ListState<Q: ListQuery> {
    /// The query in the URL.
    pub query: Memo<Q>,
    /// What the search box shows; the URL follows it after a pause.
    pub search: RwSignal<String>,
    /// Set while a newer page loads; the rows on screen stay, dimmed.
    pub pending: RwSignal<bool>,
    go: Callback<(Q, bool)>,
}

impl<Q: ListQuery> Clone for ListState<Q> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Q: ListQuery> Copy for ListState<Q> {}

impl<Q: ListQuery> ListState<Q> {
    /// The list at the current URL; every change navigates to the same path with the
    /// new query.
    pub fn from_url() -> Self {
        let query_map = use_query_map();
        let query = Memo::new(move |_| {
            query_map.with(|m| Q::from_pairs(m.latest_values().map(|(k, v)| (k.as_ref(), v))))
        });
        let navigate = navigator();
        let go = Callback::new(move |(query, replace): (Q, bool)| {
            navigate.run((query.to_pairs(), replace));
        });
        let search = RwSignal::new(query.get_untracked().search().unwrap_or_default());
        follow_search(
            search,
            Signal::derive(move || query.with(|q| q.search().unwrap_or_default())),
            Callback::new(move |term| {
                let mut next = query.get_untracked();
                next.set_search(term);
                next.set_page(None);
                go.run((next, true));
            }),
        );
        Self {
            query,
            search,
            pending: RwSignal::new(false),
            go,
        }
    }

    /// Changes what is listed (a filter, the order): back to the first page.
    pub fn refine(&self, change: impl FnOnce(&mut Q)) {
        let mut next = self.query.get_untracked();
        change(&mut next);
        next.set_page(None);
        self.go.run((next, false));
    }

    pub fn on_page(&self) -> Callback<u32> {
        let (query, go) = (self.query, self.go);
        Callback::new(move |page| {
            let mut next = query.get_untracked();
            next.set_page(Some(page));
            go.run((next, false));
        })
    }

    pub fn on_per_page(&self) -> Callback<u32> {
        let this = *self;
        Callback::new(move |per_page| this.refine(|q| q.set_per_page(per_page)))
    }

    /// Whether a search or filter narrows the list (reactive).
    pub fn narrowed(&self) -> bool {
        self.query.with(ListQuery::narrowed)
    }

    /// Drops the search and every filter, keeping the order and page size.
    pub fn clear(&self) -> Callback<()> {
        let (query, go, search) = (self.query, self.go, self.search);
        Callback::new(move |()| {
            search.set(String::new());
            go.run((query.with_untracked(ListQuery::cleared), false));
        })
    }
}

impl<Q: SortedQuery> ListState<Q> {
    /// The order in the URL, and what a header click does to it (back to page 1).
    pub fn url_sorting(&self) -> Sorting<Q::Key> {
        let (query, this) = (self.query, *self);
        Sorting {
            state: Signal::derive(move || query.with(SortedQuery::sort_state)),
            on_sort: Callback::new(move |s| this.refine(|q| q.set_sort(s))),
        }
    }
}

/// Goes to the current path with a list's query: pushed, or replacing the entry.
fn navigator() -> Callback<(QueryPairs, bool)> {
    let location = use_location();
    let navigate = use_navigate();
    Callback::new(move |(pairs, replace): (QueryPairs, bool)| {
        let path = crate::config::route_path(&location.pathname.get_untracked());
        navigate(
            &pairs.append_to(&path),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    })
}

/// Keeps the search box and the URL's search in step; `search_for` changes the URL's.
fn follow_search(
    search: RwSignal<String>,
    in_url: Signal<String>,
    search_for: Callback<Option<String>>,
) {
    let settled = debounced(search, SEARCH_PAUSE);
    // Typing: after a pause, the URL (and so the list) follows, from page 1. The
    // history entry is replaced, so Back does not step through every keystroke.
    effect(move |first: Option<()>| {
        let term = settled.get();
        if first.is_some() && term.trim() != in_url.get_untracked() {
            search_for.run(Some(term).filter(|t| !t.trim().is_empty()));
        }
    });
    // Back, a pasted link, "clear": the box follows the URL, unless typing is
    // still settling.
    effect(move |_| {
        let in_url = in_url.get();
        let typing = settled.get_untracked() != search.get_untracked();
        if !typing && search.get_untracked().trim() != in_url {
            search.set(in_url);
        }
    });
}

/// The search box of a list: labelled for screen readers, bound to the list's state.
#[component]
pub fn SearchBox<Q: ListQuery>(
    state: ListState<Q>,
    /// What is searched, for screen readers ("Search users").
    label: &'static str,
    placeholder: &'static str,
) -> impl IntoView {
    view! { <SearchField label value=state.search placeholder hide_label=true /> }
}

/// The results of a list: a progress bar while a page loads (the previous rows stay,
/// dimmed), skeleton rows the first time, the rows and the pager, or what an empty list
/// means: `empty` when there is nothing yet, "nothing matches" with a way to clear the
/// search and filters otherwise; errors with a retry.
#[component]
pub fn ListResults<Q: ListQuery, T: Clone + Send + Sync + 'static>(
    state: ListState<Q>,
    items: Fetched<Result<Page<T>, ApiError>>,
    /// Plural of what is listed ("users"), for the pager and the messages.
    noun: &'static str,
    /// The rows of one page.
    rows: Callback<Vec<T>, AnyView>,
    /// What the list is for and the first action, when it has nothing yet.
    #[prop(into)]
    empty: ViewFn,
    /// Columns of the skeleton shown before the first page arrives.
    #[prop(default = 5)]
    columns: usize,
) -> impl IntoView {
    // Only this is generic: the page read and its rows built. The states around it are
    // compiled once for every list.
    let page: PageLoader = Arc::new(move || {
        SendWrapper::new(Box::pin(async move {
            items.await.map(|page| {
                let pagination = page.pagination;
                let rows = (pagination.total_items > 0).then(|| rows.run(page.data));
                (pagination, rows)
            })
        }))
    });
    let parts = ResultParts {
        pending: state.pending,
        clear: state.clear(),
        on_page: state.on_page(),
        on_per_page: state.on_per_page(),
        narrowed: Callback::new(move |()| state.query.with_untracked(ListQuery::narrowed)),
        retry: Callback::new(move |()| items.refetch()),
    };
    results_view(page, parts, noun, empty, columns)
}

/// A page of a list as [`ListResults`] shows it: its pagination, and its rows when it
/// has any.
type ShownPage = Result<(Pagination, Option<AnyView>), ApiError>;

/// Reads the current page (tracked, in a `Suspend`). `Send` because a `Suspend` asks for
/// it; the browser's wasm has one thread.
type PageFuture = SendWrapper<Pin<Box<dyn Future<Output = ShownPage>>>>;

type PageLoader = Arc<dyn Fn() -> PageFuture + Send + Sync>;

/// What the results do with the list's state.
struct ResultParts {
    pending: RwSignal<bool>,
    clear: Callback<()>,
    on_page: Callback<u32>,
    on_per_page: Callback<u32>,
    narrowed: Callback<(), bool>,
    retry: Callback<()>,
}

/// [`ListResults`] past its one generic step.
fn results_view(
    page: PageLoader,
    parts: ResultParts,
    noun: &'static str,
    empty: ViewFn,
    columns: usize,
) -> AnyView {
    let ResultParts {
        pending,
        clear,
        on_page,
        on_per_page,
        narrowed,
        retry,
    } = parts;
    view! {
        <div class="progress" class:progress-active=move || pending.get() aria-hidden="true"></div>
        <div class="results" class:results-busy=move || pending.get() aria-busy=move || pending.get().to_string()>
            <Transition fallback=move || view! { <TableSkeleton columns caption=noun /> } set_pending=pending>
                <ErrorBoundary fallback=move |errors| view! {
                    <ErrorBanner
                        message=Signal::derive(move || errors.with(|e| e.iter().next().map(|(_, e)| e.to_string()).unwrap_or_default()))
                        on_retry=retry
                    />
                }>
                    {move || {
                        let loading = page();
                        let empty = empty.clone();
                        Suspend::new(async move {
                            loading.await.map(|(pagination, rows)| match rows {
                                Some(rows) => view! {
                                    {rows}
                                    <Pager pagination on_page on_per_page noun />
                                }
                                .into_any(),
                                None if narrowed.run(()) => view! {
                                    <div class="empty">
                                        <h2>{format!("No {noun} match")}</h2>
                                        <p>"Nothing matches this search and these filters. Try fewer words or another filter."</p>
                                        <button type="button" class="button" on:click=move |_| clear.run(())>"Clear search and filters"</button>
                                    </div>
                                }
                                .into_any(),
                                None => empty.run(),
                            })
                        })
                    }}
                </ErrorBoundary>
            </Transition>
        </div>
    }
    .into_any()
}
