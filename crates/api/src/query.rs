//! Query strings, built the same way for API calls and console URLs.

use std::fmt::Display;

use serde::{Deserialize, Serialize};

/// Decoded `key=value` pairs in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryPairs(Vec<(String, String)>);

impl FromIterator<(String, String)> for QueryPairs {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        Self(pairs.into_iter().collect())
    }
}

impl QueryPairs {
    /// Adds `key=value` when there is a value.
    pub fn push_opt(&mut self, key: &str, value: Option<impl Display>) -> &mut Self {
        if let Some(value) = value {
            self.0.push((key.to_owned(), value.to_string()));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `a=1&b=two%20words`, percent-encoded; empty when there are no pairs.
    pub fn to_query_string(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `path?query`, or just `path` when there is nothing to add.
    pub fn append_to(&self, path: &str) -> String {
        if self.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", self.to_query_string())
        }
    }
}

/// The methods every list query shares, for a struct with `page`, `per_page` and
/// `search` fields: the 1-based page, the page size clamped to the API's limits, and the
/// trimmed search term.
#[macro_export]
macro_rules! paged_query {
    ($query:ty) => {
        impl $query {
            pub fn page(&self) -> u32 {
                self.page.unwrap_or(1).max(1)
            }

            pub fn per_page(&self) -> u32 {
                self.per_page
                    .unwrap_or($crate::DEFAULT_PER_PAGE)
                    .clamp(1, $crate::MAX_PER_PAGE)
            }

            /// The trimmed search term, if any.
            pub fn search_term(&self) -> Option<&str> {
                $crate::validation::clean(&self.search)
            }
        }
    };
    // A sorted list: also the column (its default when unset) and the direction (the
    // column's natural one when unset).
    ($query:ty, sorted by $sort:ty) => {
        $crate::paged_query!($query);

        impl $query {
            pub fn sort_by(&self) -> $sort {
                self.sort_by.unwrap_or_default()
            }

            pub fn sort_order(&self) -> $crate::query::SortOrder {
                self.sort_order
                    .unwrap_or_else(|| self.sort_by().default_order())
            }
        }
    };
}

/// The query of a list searched by name (roles, groups): page, page size, search.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct NameQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 25, at most 200).
    pub per_page: Option<u32>,
    /// Case-insensitive match on the name.
    pub search: Option<String>,
}

crate::paged_query!(NameQuery);

impl NameQuery {
    /// 422 for a search the server will not run (too long, too many words, control
    /// characters).
    pub fn validate(&self) -> Result<(), Vec<crate::FieldError>> {
        crate::validation::Report::new()
            .check_opt("search", self.search.as_deref(), crate::validation::search)
            .finish()
    }

    /// The same query from its first page.
    pub fn first_page(self) -> Self {
        Self { page: None, ..self }
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => q.page = value.parse().ok(),
                "per_page" => q.per_page = value.parse().ok(),
                "search" => q.search = Some(value.to_owned()).filter(|v| !v.is_empty()),
                _ => {}
            }
        }
        q
    }

    pub fn to_pairs(&self) -> QueryPairs {
        let mut pairs = QueryPairs::default();
        pairs
            .push_opt("search", self.search_term())
            .push_opt("page", self.page.filter(|&p| p > 1))
            .push_opt("per_page", self.per_page);
        pairs
    }
}

/// The direction of a sorted list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub const fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "asc" => Some(SortOrder::Asc),
            "desc" => Some(SortOrder::Desc),
            _ => None,
        }
    }

    pub const fn reversed(self) -> Self {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_non_ascii() {
        assert_eq!(encode("a+b c&d=é/"), "a%2Bb%20c%26d%3D%C3%A9%2F");
        let mut pairs = QueryPairs::default();
        pairs
            .push_opt("q", Some("x y"))
            .push_opt("n", None::<u32>)
            .push_opt("p", Some(2));
        assert_eq!(pairs.append_to("/users"), "/users?q=x%20y&p=2");
        assert_eq!(QueryPairs::default().append_to("/users"), "/users");
    }
}
