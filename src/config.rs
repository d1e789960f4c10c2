//! Runtime configuration from `config.json` next to `index.html`, so one build deploys
//! anywhere: `{"api_base_url": "https://api.example.com"}`; empty means same origin.

use std::cell::RefCell;

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Config {
    /// Origin (and optional path prefix) of the Gatehouse API; empty for same origin.
    #[serde(default)]
    pub api_base_url: String,
}

thread_local! {
    static CONFIG: RefCell<Config> = RefCell::new(Config::default());
}

/// Loads `config.json`; a missing or unreadable file means the defaults.
pub async fn load() {
    let config = match gloo_net::http::Request::get("/config.json").send().await {
        Ok(response) if response.ok() => response.json::<Config>().await.unwrap_or_default(),
        _ => Config::default(),
    };
    set(config);
}

pub fn set(config: Config) {
    CONFIG.with(|c| *c.borrow_mut() = config);
}

/// The absolute or same-origin URL of an API path such as `/api/v1/auth/me`.
pub fn api_url(path: &str) -> String {
    CONFIG.with(|c| format!("{}{path}", c.borrow().api_base_url.trim_end_matches('/')))
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
