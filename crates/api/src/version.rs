//! Versions of stored objects, as HTTP entity tags: every object has a version that
//! grows with each change; reads answer it as `ETag`, writes name the one they are based
//! on in `If-Match`, so nobody overwrites a change they have not seen.

/// The `ETag` for a resource version: a strong entity tag, `"3"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What an `If-Match` header asks for (RFC 9110 §13.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version.
    Any,
    /// A list of entity tags. `None` stands for a tag that can never match one of ours
    /// (a weak tag, which strong comparison never matches, or one we never sent).
    Tags(Vec<Option<i64>>),
}

impl IfMatch {
    /// Parses the header; `None` when it is not a list of entity tags at all.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value == "*" {
            return Some(IfMatch::Any);
        }
        let mut tags = Vec::new();
        for item in value.split(',').map(str::trim) {
            let (weak, tag) = match item.strip_prefix("W/") {
                Some(tag) => (true, tag),
                None => (false, item),
            };
            let opaque = tag.strip_prefix('"')?.strip_suffix('"')?;
            if opaque.contains('"') {
                return None;
            }
            tags.push(opaque.parse::<i64>().ok().filter(|_| !weak));
        }
        (!tags.is_empty()).then_some(IfMatch::Tags(tags))
    }

    /// Whether the header matches an object at version `current`.
    pub fn matches(&self, current: i64) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => tags.contains(&Some(current)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_follows_strong_comparison() {
        assert_eq!(etag(7), "\"7\"");
        let seven = IfMatch::parse("\"7\"").unwrap();
        assert!(seven.matches(7) && !seven.matches(8));
        assert!(
            !IfMatch::parse("W/\"7\"").unwrap().matches(7),
            "weak never matches"
        );
        assert!(!IfMatch::parse("\"stale-version\"").unwrap().matches(1));
        assert!(IfMatch::parse("\"1\", \"7\"").unwrap().matches(7));
        assert!(IfMatch::parse("*").unwrap().matches(42));
        for malformed in ["7", "", "\"7", "\"a\"b\""] {
            assert_eq!(IfMatch::parse(malformed), None, "{malformed}");
        }
    }
}
