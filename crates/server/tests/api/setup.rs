//! First-run setup through the one-time link.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{error_fields, problem, Options, TestServer};

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn setup_creates_the_first_admin_once() {
    let server = TestServer::start_with(Options {
        admin: false,
        ..Options::default()
    })
    .await;
    let link = server
        .setup_url()
        .expect("a server without administrator prints a setup link");
    assert!(link.starts_with(&server.base) && link.contains("/setup?token=ghsetup_"));

    let status: Value = server
        .request(Method::GET, "/api/v1/setup", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["required"], true);

    let body = |token: &str, password: &str| json!({"token": token, "email": "Root@Example.com", "password": password, "display_name": "Root"});
    let forged = server
        .send_json(
            Method::POST,
            "/api/v1/setup",
            None,
            body("ghsetup_guess", "correct horse battery"),
        )
        .await;
    problem(forged, StatusCode::FORBIDDEN).await;

    let weak = server
        .send_json(
            Method::POST,
            "/api/v1/setup",
            None,
            body(&token_of(&link), "short"),
        )
        .await;
    assert_eq!(
        error_fields(&problem(weak, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["password"]
    );

    let created = server
        .send_json(
            Method::POST,
            "/api/v1/setup",
            None,
            body(&token_of(&link), "correct horse battery"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["data"]["user"]["email"], "root@example.com");
    assert!(created["data"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("roles:write")));
    let token = created["data"]["token"].as_str().unwrap();
    assert_eq!(
        server.get("/api/v1/auth/me", token).await.status(),
        StatusCode::OK
    );

    let again = server
        .send_json(
            Method::POST,
            "/api/v1/setup",
            None,
            body(&token_of(&link), "correct horse battery"),
        )
        .await;
    problem(again, StatusCode::CONFLICT).await;
    let status: Value = server
        .request(Method::GET, "/api/v1/setup", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["required"], false);
    server
        .login("root@example.com", "correct horse battery")
        .await;
}

#[tokio::test]
async fn an_admin_from_the_environment_closes_setup() {
    let server = TestServer::start().await;
    assert_eq!(server.setup_url(), None);
    let response = server
        .send_json(
            Method::POST,
            "/api/v1/setup",
            None,
            json!({"token": "x", "email": "a@b.co", "password": "correct horse battery"}),
        )
        .await;
    problem(response, StatusCode::CONFLICT).await;
}
