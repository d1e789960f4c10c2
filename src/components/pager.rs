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

/// An estimated count as people say it: two significant figures, "about 120,000" or
/// "about 1.2 million".
pub fn about(n: u64) -> String {
    if n >= 1_000_000 {
        // Integer tenths: formatting a float would ship the float printer, 7 KB.
        let tenths = (n + 50_000) / 100_000;
        return match tenths % 10 {
            0 => format!("about {} million", tenths / 10),
            tenth => format!("about {}.{tenth} million", tenths / 10),
        };
    }
    let magnitude = 10u64.pow(n.max(1).ilog10().saturating_sub(1));
    format!(
        "about {}",
        group_thousands((n + magnitude / 2) / magnitude * magnitude)
    )
}

/// "Showing 26–50 of 1,000", a page size menu and page buttons. When the server only
/// estimated the total, it says "about", offers no last page, and Next stays open.
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
        let total = if p.total_is_estimate {
            about(p.total_items)
        } else {
            group_thousands(p.total_items)
        };
        match p.shown_range() {
            Some((first, last)) => format!(
                "Showing {}–{} of {total} {noun}",
                group_thousands(first),
                group_thousands(last)
            ),
            None => format!("{total} {noun}"),
        }
    };
    let buttons = {
        let p = pagination;
        // An estimated list has no known last page: show the neighbours and a gap.
        let mut window = if p.total_is_estimate {
            page_window(p.page, p.page + 1)
        } else {
            page_window(p.page, p.total_pages)
        };
        if p.total_is_estimate {
            window.push(None);
        }
        window
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
    let at_end = !pagination.total_is_estimate && pagination.page >= pagination.total_pages;
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
