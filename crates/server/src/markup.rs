//! Text put into HTML (mail bodies) or XML (SAML metadata): one escape for both, since
//! `&#39;` and the four named entities mean the same in either.

/// Escapes text for an element's content or a quoted attribute value.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
