//! The one data table: columns, sortable headers that say their state to screen
//! readers (`aria-sort`), an optional selection column with "select all on this page",
//! and skeleton rows while the first page loads.

use std::collections::BTreeSet;

use gatehouse_api::query::SortOrder;
use leptos::prelude::*;
use uuid::Uuid;

use super::icons::{Icon, Svg};

/// A column a table can be sorted by.
pub trait SortKey: Copy + PartialEq + Send + Sync + 'static {
    /// The direction a column starts in: newest first for times, A to Z for text.
    fn default_order(self) -> SortOrder;
}

/// The contract's sort columns, each with its own natural direction.
macro_rules! sort_keys {
    ($($key:ty),*) => {$(
        impl SortKey for $key {
            fn default_order(self) -> SortOrder {
                <$key>::default_order(self)
            }
        }
    )*};
}
sort_keys!(
    gatehouse_api::users::UserSortBy,
    gatehouse_api::invites::InviteSortBy,
    gatehouse_api::api_keys::ApiKeySortBy
);

/// For tables that cannot be sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsorted {}

impl SortKey for Unsorted {
    fn default_order(self) -> SortOrder {
        match self {}
    }
}

/// The column and direction a table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortState<K> {
    pub by: K,
    pub order: SortOrder,
}

impl<K: SortKey> SortState<K> {
    /// Clicking a header: the same column flips direction; another column starts in
    /// its natural direction.
    pub fn toggled(self, column: K) -> Self {
        if self.by == column {
            SortState {
                by: column,
                order: self.order.reversed(),
            }
        } else {
            SortState {
                by: column,
                order: column.default_order(),
            }
        }
    }
}

/// One column: its header, the sort key when it can be sorted, a class for its cells
/// (`numeric`, `cell-email`, ...) and how a row shows in it.
pub struct Column<T, K = Unsorted> {
    pub header: &'static str,
    pub sort: Option<K>,
    pub class: &'static str,
    pub cell: fn(&T) -> AnyView,
}

impl<T, K> Column<T, K> {
    pub fn new(header: &'static str, cell: fn(&T) -> AnyView) -> Self {
        Self {
            header,
            sort: None,
            class: "",
            cell,
        }
    }

    pub fn class(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }

    pub fn sorted_by(mut self, key: K) -> Self {
        self.sort = Some(key);
        self
    }
}

/// Sorting a table: its state and what a header click asks for.
pub struct Sorting<K: SortKey> {
    pub state: Signal<SortState<K>>,
    pub on_sort: Callback<SortState<K>>,
}

/// Choosing rows: the chosen ids, each row's id, and how to name a row to a screen
/// reader ("Select ada@example.com").
pub struct Selection<T> {
    pub chosen: RwSignal<BTreeSet<Uuid>>,
    pub id: fn(&T) -> Uuid,
    pub name: fn(&T) -> String,
}

#[component]
fn SortHeader<K: SortKey>(label: &'static str, column: K, sorting: Sorting<K>) -> impl IntoView {
    let Sorting { state, on_sort } = sorting;
    let active = move || state.with(|s| s.by == column);
    let aria_sort = move || match (active(), state.with(|s| s.order)) {
        (false, _) => "none",
        (true, SortOrder::Asc) => "ascending",
        (true, SortOrder::Desc) => "descending",
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <button type="button" class="sort" class:sort-active=active
                on:click=move |_| on_sort.run(state.get_untracked().toggled(column))>
                {label}
                {move || active().then(|| match state.with(|s| s.order) {
                    SortOrder::Asc => view! { <Svg icon=Icon::ArrowUp /> },
                    SortOrder::Desc => view! { <Svg icon=Icon::ArrowDown /> },
                })}
            </button>
        </th>
    }
}

/// One page of rows. Rendered afresh for each page, so the rows are plain values.
#[component]
pub fn DataTable<T: Send + Sync + 'static, K: SortKey>(
    /// What the table lists, for screen readers.
    caption: &'static str,
    columns: Vec<Column<T, K>>,
    rows: Vec<T>,
    #[prop(optional)] sorting: Option<Sorting<K>>,
    #[prop(optional)] selection: Option<Selection<T>>,
) -> impl IntoView {
    let select_all = selection.as_ref().map(|s| {
        let ids: Vec<Uuid> = rows.iter().map(s.id).collect();
        let chosen = s.chosen;
        let all = ids.clone();
        let all_chosen = move || !ids.is_empty() && chosen.with(|c| ids.iter().all(|id| c.contains(id)));
        view! {
            <th scope="col" class="cell-check">
                <input type="checkbox" aria-label="Select everyone on this page" prop:checked=all_chosen
                    on:change:target=move |ev| {
                        let on = ev.target().checked();
                        chosen.update(|c| for id in &all { if on { c.insert(*id); } else { c.remove(id); } });
                    } />
            </th>
        }
    });
    let headers = columns
        .iter()
        .map(|column| match (column.sort, &sorting) {
            (Some(key), Some(sorting)) => view! {
                <SortHeader label=column.header column=key
                    sorting=Sorting { state: sorting.state, on_sort: sorting.on_sort } />
            }
            .into_any(),
            _ => view! { <th scope="col" class=column.class>{column.header}</th> }.into_any(),
        })
        .collect_view();
    let body = rows
        .iter()
        .map(|row| {
            let check = selection.as_ref().map(|s| {
                let id = (s.id)(row);
                let chosen = s.chosen;
                let label = format!("Select {}", (s.name)(row));
                view! {
                    <td class="cell-check">
                        <input type="checkbox" aria-label=label prop:checked=move || chosen.with(|c| c.contains(&id))
                            on:change:target=move |ev| {
                                let on = ev.target().checked();
                                chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                            } />
                    </td>
                }
            });
            let cells = columns
                .iter()
                .map(|column| view! { <td class=column.class>{(column.cell)(row)}</td> })
                .collect_view();
            view! { <tr>{check}{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="sr-only">{caption}</caption>
                <thead><tr>{select_all}{headers}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// Placeholder rows while the first page loads.
#[component]
pub fn TableSkeleton(columns: usize, caption: &'static str) -> impl IntoView {
    view! {
        <div class="table-wrap" aria-busy="true">
            <table class="table table-skeleton">
                <caption class="sr-only">{format!("Loading {caption}")}</caption>
                <tbody>
                    {(0..8).map(|_| view! { <tr><td colspan=columns><span class="skeleton-bar"></span></td></tr> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
