//! Signing in and out, lockout, and who may call what before roles are granted.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, USERS};

#[tokio::test]
async fn wrong_email_and_wrong_password_look_the_same() {
    let server = TestServer::start().await;
    let unknown = problem(
        server.try_login("nobody@example.com", ADMIN_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let wrong = problem(
        server.try_login(ADMIN_EMAIL, "wrong password here").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(unknown["detail"], wrong["detail"]);
    // Email matching ignores case and surrounding spaces.
    server.login(" ADMIN@example.com ", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn sign_in_returns_a_token_that_sign_out_revokes() {
    let server = TestServer::start().await;
    let response = server.try_login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let body: Value = response.json().await.unwrap();
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("ghs_"));
    assert!(body["data"]["expires_at"].as_str().is_some());
    assert_eq!(body["data"]["user"]["email"], ADMIN_EMAIL);
    assert!(body["data"]["user"]["last_login_at"].is_string());

    let me: Value = server
        .get("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["user"]["email"], ADMIN_EMAIL);
    assert_eq!(
        me["data"]["permissions"].as_array().unwrap().len(),
        gatehouse_api::Permission::ALL.len()
    );

    let out = server
        .request(Method::POST, "/api/v1/auth/logout", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    problem(
        server.get("/api/v1/auth/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn garbage_tokens_are_refused() {
    let server = TestServer::start().await;
    for header in [
        "Bearer ghs_nonsense",
        "Bearer ",
        "Basic YWRtaW46cGFzcw==",
        "ghs_x",
    ] {
        let response = server
            .http
            .get(format!("{}{USERS}", server.base))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn a_user_without_roles_can_only_read_themselves() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server
        .create_member(&admin, "plain@example.com", "some other phrase")
        .await;
    let plain = server.login("plain@example.com", "some other phrase").await;

    let me: Value = server
        .get("/api/v1/auth/me", &plain)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["permissions"], json!([]));
    let denied = problem(server.get(USERS, &plain).await, StatusCode::FORBIDDEN).await;
    assert_eq!(denied["missing_permission"], "users:read");
    assert!(denied["detail"].as_str().unwrap().contains("users:read"));
    let create = server
        .send_json(
            Method::POST,
            USERS,
            Some(&plain),
            json!({"email": "new@example.com"}),
        )
        .await;
    problem(create, StatusCode::FORBIDDEN).await;
    // Nothing was created.
    let list: Value = server
        .get(&format!("{USERS}?search=new%40example"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total_items"], 0);
}

#[tokio::test]
async fn other_tenants_are_invisible() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let response = server.get("/api/v1/tenants/elsewhere/users", &admin).await;
    problem(response, StatusCode::NOT_FOUND).await;
    let tenants: Value = server
        .get("/api/v1/tenants", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tenants["data"][0]["id"], "default");
    assert_eq!(tenants["data"].as_array().unwrap().len(), 1);
}
