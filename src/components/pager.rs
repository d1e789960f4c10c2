//! Pagination: which page buttons to show, and the pager under every table.

use gatehouse_api::Pagination;
use leptos::prelude::*;

use super::field::SelectField;

/// Page sizes on offer.
pub const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];

/// The page buttons to show: the first, the last and the neighbours of the current page,
/// with `None` for a gap. A gap of a single page shows that page instead.
pub fn page_window(current: u32, total: u32) -> Vec<Option<u32>> {
    if total == 0 {
        return Vec::new();
    }
    let current = current.clamp(1, total);
    let mut wanted: Vec<u32> = [1, current.saturating_sub(1), current, current + 1, total]
        .into_iter()
        .filter(|p| (1..=total).contains(p))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    let mut previous = 0;
    for page in wanted {
        match page - previous {
            1 => {}
            2 => out.push(Some(previous + 1)),
            _ => out.push(None),
        }
        out.push(Some(page));
        previous = page;
    }
    out
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "Showing 26–50 of 1,000", a page size menu and page buttons.
#[component]
pub fn Pager(
    pagination: Pagination,
    on_page: Callback<u32>,
    on_per_page: Callback<u32>,
    /// What is counted, in the plural ("users").
    noun: &'static str,
) -> impl IntoView {
    let summary = {
        let p = pagination;
        match p.shown_range() {
            Some((first, last)) => format!(
                "Showing {}–{} of {} {noun}",
                group_thousands(first),
                group_thousands(last),
                group_thousands(p.total_items)
            ),
            None => format!("{} {noun}", group_thousands(p.total_items)),
        }
    };
    let buttons = {
        let p = pagination;
        page_window(p.page, p.total_pages)
            .into_iter()
            .map(|item| match item {
                Some(page) => {
                    let current = page == p.page;
                    view! {
                        <li>
                            <button
                                type="button"
                                class="page"
                                class:page-current=current
                                aria-current=current.then_some("page")
                                aria-label=format!("Page {page}")
                                on:click=move |_| on_page.run(page)
                            >
                                {page}
                            </button>
                        </li>
                    }
                    .into_any()
                }
                None => view! { <li class="page-gap" aria-hidden="true">"…"</li> }.into_any(),
            })
            .collect_view()
    };
    let sizes: Vec<(String, String)> = PAGE_SIZES
        .into_iter()
        .map(|size| (size.to_string(), size.to_string()))
        .collect();
    let at_start = pagination.page <= 1;
    let at_end = pagination.page >= pagination.total_pages;
    view! {
        <nav class="pager" aria-label="Pagination">
            <p class="pager-summary" aria-live="polite">{summary}</p>
            <div class="pager-size">
                <SelectField id="per-page" label="Rows per page" inline=true
                    value=pagination.per_page.to_string()
                    options=sizes
                    on_change=Callback::new(move |value: String| {
                        if let Ok(size) = value.parse() {
                            on_per_page.run(size);
                        }
                    }) />
            </div>
            <ul class="pages">
                <li>
                    <button type="button" class="page" disabled=at_start aria-label="Previous page"
                        on:click=move |_| on_page.run(pagination.page - 1)>"‹"</button>
                </li>
                {buttons}
                <li>
                    <button type="button" class="page" disabled=at_end aria-label="Next page"
                        on:click=move |_| on_page.run(pagination.page + 1)>"›"</button>
                </li>
            </ul>
        </nav>
    }
}
