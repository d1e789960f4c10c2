//! The envelopes every response is wrapped in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Facts about the request that produced a response, for support and logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meta {
    pub request_id: String,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub timestamp: DateTime<Utc>,
}

/// One resource: `{"data": {...}, "meta": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Single<T> {
    pub data: T,
    pub meta: Meta,
}

/// One page of a list: `{"data": [...], "pagination": {...}, "meta": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
    pub meta: Meta,
}

/// Where a page sits in the whole list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pagination {
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
    pub total_items: u64,
    pub total_pages: u32,
    /// True when `total_items` is an estimate: the list is too long to count on every
    /// request (a search matching a large share of a million users). Show it as
    /// "about …"; the pages go on while they come back full.
    #[serde(default)]
    pub total_is_estimate: bool,
}

impl Pagination {
    /// The pagination of page `page` (1-based) of `per_page` items out of `total_items`.
    pub fn new(page: u32, per_page: u32, total_items: u64) -> Self {
        let per_page = per_page.max(1);
        let total_pages = total_items.div_ceil(u64::from(per_page));
        Self {
            page,
            per_page,
            total_items,
            total_pages: u32::try_from(total_pages).unwrap_or(u32::MAX),
            total_is_estimate: false,
        }
    }

    /// Like [`Pagination::new`], with `total_items` an estimate.
    pub fn estimated(page: u32, per_page: u32, total_items: u64) -> Self {
        Self {
            total_is_estimate: true,
            ..Self::new(page, per_page, total_items)
        }
    }

    /// Index of the first item on this page (0-based), for `OFFSET`.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }

    /// 1-based range of the items shown, `None` for an empty page.
    pub fn shown_range(&self) -> Option<(u64, u64)> {
        let first = self.offset() + 1;
        if first > self.total_items {
            return None;
        }
        let last = (self.offset() + u64::from(self.per_page)).min(self.total_items);
        Some((first, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_counts_partial_last_page() {
        let p = Pagination::new(3, 50, 101);
        assert_eq!(p.total_pages, 3);
        assert_eq!(p.offset(), 100);
        assert_eq!(p.shown_range(), Some((101, 101)));
    }

    #[test]
    fn pagination_of_empty_list_has_no_pages() {
        let p = Pagination::new(1, 25, 0);
        assert_eq!(p.total_pages, 0);
        assert_eq!(p.shown_range(), None);
    }
}
