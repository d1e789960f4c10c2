//! Serving the built console: SPA fallback, pre-compressed files, caching, CSP.

use std::fs;

use reqwest::{Method, StatusCode};

use crate::common::{problem, Options, TestServer};

fn fake_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("index.html"),
        r#"<!doctype html><html><head><script type="module">import init from '/app-0123456789abcdef.js'; init();</script></head><body></body></html>"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("app-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .unwrap();
    fs::write(
        dir.path().join("app-0123456789abcdef.js.br"),
        b"brotli bytes",
    )
    .unwrap();
    fs::write(dir.path().join("config.json"), r#"{"api_base_url": ""}"#).unwrap();
    dir
}

#[tokio::test]
async fn serves_the_app_for_client_side_routes() {
    let build = fake_build();
    let server = TestServer::start_with(Options {
        static_dir: Some(build.path().to_owned()),
        ..Options::default()
    })
    .await;
    for path in [
        "/",
        "/users",
        "/users/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b?tab=profile",
        "/setup?token=x",
    ] {
        let response = server
            .request(Method::GET, path, None)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(headers["cache-control"], "no-cache");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("'wasm-unsafe-eval'")
                && csp.contains("'sha256-")
                && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("<script type=\"module\">"));
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_precompressed() {
    let build = fake_build();
    let server = TestServer::start_with(Options {
        static_dir: Some(build.path().to_owned()),
        ..Options::default()
    })
    .await;
    let plain = server
        .request(Method::GET, "/app-0123456789abcdef.js", None)
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        plain.text().await.unwrap(),
        "export default function init() {}"
    );

    let br = server
        .request(Method::GET, "/app-0123456789abcdef.js", None)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let config = server
        .request(Method::GET, "/config.json", None)
        .send()
        .await
        .unwrap();
    assert_eq!(config.headers()["cache-control"], "no-cache");

    let missing = server
        .request(Method::GET, "/missing-0123456789abcdef.wasm", None)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The API keeps answering in problem+json next to the console.
    problem(
        server
            .request(Method::GET, "/api/v1/nope", None)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn revalidated_pages_keep_the_console_policy() {
    let build = fake_build();
    let server = TestServer::start_with(Options {
        static_dir: Some(build.path().to_owned()),
        ..Options::default()
    })
    .await;
    let first = server
        .request(Method::GET, "/users", None)
        .send()
        .await
        .unwrap();
    let modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    let again = server
        .request(Method::GET, "/users", None)
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let csp = again.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("'wasm-unsafe-eval'"),
        "a 304 must not replace the page's CSP: {csp}"
    );
    assert_eq!(again.headers()["cache-control"], "no-cache");
}
