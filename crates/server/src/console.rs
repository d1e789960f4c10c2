//! Serving the built console: SPA fallback, pre-compressed assets, cache headers and the
//! Content-Security-Policy that lets exactly this build's scripts run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::Context;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Cache policy for hashed build outputs: they never change under the same name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else is revalidated, so a deployment takes effect at the next load.
const REVALIDATE: &str = "no-cache";

/// A router that serves the console in `dir` for every path the API does not claim.
pub fn router<S: Clone + Send + Sync + 'static>(dir: &Path) -> anyhow::Result<Router<S>> {
    let index = dir.join("index.html");
    let policy = Arc::new(PolicyCache::new(dir)?);
    let index_file = ServeFile::new(&index)
        .precompressed_br()
        .precompressed_gzip();
    let spa = move |request: Request| {
        let index_file = index_file.clone();
        async move {
            // Paths with a file extension are assets; a missing one is a 404, not the app.
            if !is_document(request.uri().path()) {
                return (StatusCode::NOT_FOUND, "not found").into_response();
            }
            index_file
                .oneshot(request)
                .await
                .map(IntoResponse::into_response)
                .unwrap_or_else(|e| match e {})
        }
    };
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(tower::service_fn(move |request: Request| {
            let spa = spa.clone();
            async move { Ok::<_, std::convert::Infallible>(spa(request).await) }
        }));
    Ok(Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(move |request, next| {
            cache_and_policy(request, next, policy.clone())
        })))
}

/// The CSP of the current build, recomputed when `index.html` changes (a redeploy
/// without a restart must not leave the new loader script blocked).
struct PolicyCache {
    dir: PathBuf,
    current: Mutex<(Option<SystemTime>, HeaderValue)>,
}

impl PolicyCache {
    fn new(dir: &Path) -> anyhow::Result<Self> {
        let cache = Self {
            dir: dir.to_owned(),
            current: Mutex::new((None, HeaderValue::from_static(""))),
        };
        cache.get().with_context(|| {
            format!(
                "{} not found: build the console first (cargo xtask dist)",
                dir.join("index.html").display()
            )
        })?;
        Ok(cache)
    }

    fn get(&self) -> anyhow::Result<HeaderValue> {
        let index = self.dir.join("index.html");
        let modified = std::fs::metadata(&index)?.modified().ok();
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.0.is_none() || current.0 != modified {
            *current = (modified, HeaderValue::from_str(&policy_for(&self.dir)?)?);
        }
        Ok(current.1.clone())
    }
}

async fn cache_and_policy(request: Request, next: Next, policy: Arc<PolicyCache>) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    // Decided by the path, not the response: a 304 revalidation carries no content
    // type, yet its headers replace the cached ones and must keep the console's CSP.
    let is_html = is_document(&path);
    let headers = response.headers_mut();
    if is_html {
        match policy.get() {
            Ok(csp) => {
                headers.insert(CONTENT_SECURITY_POLICY, csp);
            }
            Err(error) => {
                tracing::error!(%error, "cannot compute the console's CSP; serving an error instead");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The console build is unreadable.",
                )
                    .into_response();
            }
        }
    }
    let cache = if response.status().is_success() && !is_html && is_hashed(&path) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether a path names the app's HTML document (a client-side route or `*.html`)
/// rather than an asset.
fn is_document(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.') || last.ends_with(".html")
}

/// Whether a file name carries trunk's content hash (`name-0123456789abcdef.ext`).
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split(['-', '_', '.'])
        .any(|part| part.len() == 16 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The Content-Security-Policy for the console built in `dir`: what the bundled server
/// sends, and what `gatehouse-server csp` prints for a proxy or static host to send.
pub fn policy_for(dir: &Path) -> anyhow::Result<String> {
    let html = std::fs::read_to_string(dir.join("index.html"))?;
    Ok(content_security_policy(&html, api_origin(dir).as_deref()))
}

/// The API origin the console is configured to call (`config.json`), when it is not the
/// console's own origin.
fn api_origin(dir: &Path) -> Option<String> {
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("config.json")).ok()?).ok()?;
    let base = config.get("api_base_url")?.as_str()?;
    let (scheme, rest) = base.split_once("://")?;
    let host = rest.split('/').next()?;
    Some(format!("{scheme}://{host}"))
}

/// Scripts: this origin plus a hash of each inline script of `index.html` (trunk's loader),
/// WebAssembly compilation, nothing else. No inline styles, no frames, no plugins.
pub fn content_security_policy(index_html: &str, api_origin: Option<&str>) -> String {
    let hashes: Vec<String> = inline_scripts(index_html)
        .map(|body| {
            format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(body.as_bytes()))
            )
        })
        .collect();
    let connect = match api_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; img-src 'self' data:; \
         connect-src {connect}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    )
}

/// Bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, rest) = rest.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Where `cargo xtask dist` puts the console, relative to the repository.
pub fn default_dir() -> PathBuf {
    PathBuf::from("dist")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_hashes_inline_scripts_only() {
        let html =
            r#"<head><script type="module">boot()</script><script src="/x.js"></script></head>"#;
        let csp = content_security_policy(html, None);
        let expected = STANDARD.encode(Sha256::digest(b"boot()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
        assert!(
            csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
                && !csp.contains("'unsafe-eval'")
        );
        assert!(
            content_security_policy(html, Some("https://api.example.com"))
                .contains("connect-src 'self' https://api.example.com;")
        );
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/gatehouse-console-9f86d081884c7d65_bg.wasm"));
        assert!(is_hashed("/main-9f86d081884c7d65.css"));
        // The split console's parts and their loader (cargo xtask dist names them).
        assert!(is_hashed("/split_sso-a9d504d3a9e23672.wasm"));
        assert!(is_hashed("/chunk_12-b64d9ee5c4db2856.wasm"));
        assert!(is_hashed("/gatehouse-console_bg-4cf320422c861361.wasm"));
        assert!(is_hashed("/__wasm_split.89e496442e4dc823_split.js"));
        assert!(!is_hashed("/config.json"));
        assert!(!is_hashed("/users/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
    }
}
