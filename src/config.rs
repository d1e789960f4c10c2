//! Runtime configuration from `config.json` next to `index.html`, so one build deploys
//! anywhere: `{"api_base_url": "https://api.example.com"}`; empty means the API beside
//! the console (same origin, same path prefix).
//!
//! Where the console lives comes from `<base href>` in index.html (`/` as built; `/admin/`
//! when a proxy serves it under that prefix): assets load relative to it, and
//! [`base_path`] puts it in front of every route and API path.

use std::cell::RefCell;
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Config {
    /// Origin (and optional path prefix) of the Gatehouse API; empty for the console's
    /// own origin and path prefix.
    #[serde(default)]
    pub api_base_url: String,
}

thread_local! {
    static CONFIG: RefCell<Config> = RefCell::new(Config::default());
}

/// Read once at start from the document's base URL; a page that never set it (a
/// component test) is at the root.
static BASE_PATH: OnceLock<String> = OnceLock::new();

/// The path prefix the console is served under, without the trailing slash: `""` at the
/// root, `"/admin"` under `<base href="/admin/">`.
pub fn base_path() -> &'static str {
    BASE_PATH.get().map_or("", String::as_str)
}

/// A path of the page's URL as the router's routes know it (without [`base_path`]).
pub fn route_path(path: &str) -> String {
    strip_base(base_path(), path).to_owned()
}

/// `path` without the prefix `base` (`"/admin"`), when it is under it.
pub fn strip_base<'a>(base: &str, path: &'a str) -> &'a str {
    match path.strip_prefix(base) {
        Some("") if !base.is_empty() => "/",
        Some(rest) if !base.is_empty() && rest.starts_with('/') => rest,
        _ => path,
    }
}

/// Reads the prefix from the document's base URL; then loads `config.json` beside
/// index.html. A missing or unreadable file means the defaults.
pub async fn load() {
    let base = leptos::prelude::document()
        .base_uri()
        .ok()
        .flatten()
        .and_then(|uri| web_sys::Url::new(&uri).ok())
        .map(|url| url.pathname().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let base = BASE_PATH.get_or_init(|| base);
    let config = match gloo_net::http::Request::get(&format!("{base}/config.json"))
        .send()
        .await
    {
        Ok(response) if response.ok() => response
            .text()
            .await
            .ok()
            .and_then(|text| crate::api::read_json::<Config>(&text).ok())
            .unwrap_or_default(),
        _ => Config::default(),
    };
    set(config);
}

pub fn set(config: Config) {
    CONFIG.with(|c| *c.borrow_mut() = config);
}

/// The absolute or same-origin URL of an API path such as `/api/v1/auth/me`.
pub fn api_url(path: &str) -> String {
    CONFIG.with(|c| match c.borrow().api_base_url.trim_end_matches('/') {
        "" => format!("{}{path}", base_path()),
        base => format!("{base}{path}"),
    })
}

/// Like [`api_url`], but always absolute (the console's own origin when the API shares
/// it): for addresses used outside the console, such as in a command or at an identity
/// provider.
pub fn api_absolute_url(path: &str) -> String {
    let url = api_url(path);
    if url.starts_with('/') {
        let origin = leptos::prelude::window()
            .location()
            .origin()
            .unwrap_or_default();
        format!("{origin}{url}")
    } else {
        url
    }
}
