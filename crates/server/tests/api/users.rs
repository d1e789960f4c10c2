//! The users API: create, read, list, update with versions, status, passwords, delete.

use gatehouse_api::users::{CreateUser, User};
use gatehouse_api::{Page, Single};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{error_fields, problem, TestServer, ADMIN_EMAIL, USERS};

fn user_url(user: &User) -> String {
    format!("{USERS}/{}", user.id)
}

async fn list(server: &TestServer, token: &str, query: &str) -> Page<User> {
    let response = server.get(&format!("{USERS}?{query}"), token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn create_returns_the_user_with_etag_and_location() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let response = server
        .send_json(
            Method::POST,
            USERS,
            Some(&token),
            json!({"email": " Grace@Example.com ", "first_name": "Grace", "last_name": "Hopper",
                   "username": "  ", "password": "correct horse battery", "require_password_change": true,
                   "custom_attributes": {"team": "navy"}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let user = response.json::<Single<User>>().await.unwrap().data;
    assert_eq!(user.email, "grace@example.com");
    assert_eq!(user.username, None, "blank optional fields are not set");
    assert_eq!(user.name(), "Grace Hopper");
    assert_eq!(etag, "\"1\"");
    assert_eq!(location, user_url(&user));
    assert!(user.require_password_change && user.password_changed_at.is_some());
    let body = server.get(&location, &token).await.text().await.unwrap();
    assert!(
        !body.contains("password_hash") && !body.contains("argon2"),
        "secrets never leave the server"
    );
    server
        .login("grace@example.com", "correct horse battery")
        .await;
}

#[tokio::test]
async fn create_reports_every_invalid_field() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let response = server
        .send_json(Method::POST, USERS, Some(&token), json!({"email": "not-an-email", "phone": "call me", "locale": "english", "password": "short"}))
        .await;
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        error_fields(&body),
        ["email", "phone", "locale", "password"]
    );
    assert_eq!(
        body["errors"][0]["message"],
        "Enter an email address like name@example.com."
    );
}

#[tokio::test]
async fn duplicate_emails_and_usernames_conflict_and_deleted_emails_are_free_again() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let first = server
        .create_user(
            &token,
            &CreateUser {
                email: "dup@example.com".into(),
                username: Some("dup".into()),
                ..Default::default()
            },
        )
        .await;
    let again = server
        .send_json(
            Method::POST,
            USERS,
            Some(&token),
            json!({"email": "DUP@example.com"}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(again, StatusCode::CONFLICT).await),
        ["email"]
    );
    let username = server
        .send_json(
            Method::POST,
            USERS,
            Some(&token),
            json!({"email": "other@example.com", "username": "dup"}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(username, StatusCode::CONFLICT).await),
        ["username"]
    );

    let deleted = server
        .request(
            Method::DELETE,
            &format!("{}?confirm_email=dup%40example.com", user_url(&first)),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    server
        .create_user(
            &token,
            &CreateUser {
                email: "dup@example.com".into(),
                ..Default::default()
            },
        )
        .await;
}

#[tokio::test]
async fn patch_needs_the_current_version() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let user = server
        .create_user(
            &token,
            &CreateUser {
                email: "edit@example.com".into(),
                display_name: Some("Before".into()),
                ..Default::default()
            },
        )
        .await;
    let patch = |etag: Option<&str>, body: Value| {
        let request = server
            .request(Method::PATCH, &user_url(&user), Some(&token))
            .json(&body);
        match etag {
            Some(etag) => request.header("if-match", etag.to_owned()).send(),
            None => request.send(),
        }
    };

    problem(
        patch(None, json!({"display_name": "X"})).await.unwrap(),
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    problem(
        patch(Some("yesterday"), json!({"display_name": "X"}))
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;

    let first = patch(
        Some("\"1\""),
        json!({"display_name": "Edited", "phone": "+44 20 7946 0958"}),
    )
    .await
    .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let edited = first.json::<Single<User>>().await.unwrap().data;
    assert_eq!(
        (edited.display_name.as_deref(), edited.version),
        (Some("Edited"), 2)
    );

    // A second admin still holding version 1 must not overwrite the change.
    let stale = patch(Some("\"1\""), json!({"display_name": "Stale"}))
        .await
        .unwrap();
    let body = problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:stale-version");
    let current: Single<User> = server
        .get(&user_url(&user), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current.data.display_name.as_deref(), Some("Edited"));

    // A well-formed tag that is not the current version is a failed precondition (a
    // weak tag never matches: If-Match compares strongly), never a bad request.
    for tag in ["\"stale-version\"", "W/\"2\"", "\"1\", \"7\""] {
        let refused = patch(Some(tag), json!({"display_name": "No"}))
            .await
            .unwrap();
        problem(refused, StatusCode::PRECONDITION_FAILED).await;
    }

    // Empty strings clear optional fields; invalid values are refused field by field.
    let cleared = patch(Some("\"1\", \"2\""), json!({"phone": ""}))
        .await
        .unwrap();
    assert_eq!(
        cleared.json::<Single<User>>().await.unwrap().data.phone,
        None
    );
    let invalid = patch(
        Some("\"3\""),
        json!({"email": "nope", "timezone": "mars base"}),
    )
    .await
    .unwrap();
    assert_eq!(
        error_fields(&problem(invalid, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["email", "timezone"]
    );
    // `*` matches whatever version is current.
    let any = patch(Some("*"), json!({"display_name": "Anyone"}))
        .await
        .unwrap();
    assert_eq!(any.headers()["etag"], "\"4\"");
    let unknown = patch(Some("\"4\""), json!({"status": "DISABLED"}))
        .await
        .unwrap();
    problem(unknown, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn delete_requires_typing_the_email_and_hides_the_user() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let user = server
        .create_member(&token, "gone@example.com", "a fine password")
        .await;
    let session = server.login("gone@example.com", "a fine password").await;

    let missing = server
        .request(Method::DELETE, &user_url(&user), Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_fields(&problem(missing, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["confirm_email"]
    );
    let wrong = server
        .request(
            Method::DELETE,
            &format!("{}?confirm_email=other%40example.com", user_url(&user)),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await;

    let deleted = server
        .request(
            Method::DELETE,
            &format!("{}?confirm_email=GONE%40example.com", user_url(&user)),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(
        server.get(&user_url(&user), &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        list(&server, &token, "search=gone")
            .await
            .pagination
            .total_items,
        0
    );
    problem(
        server
            .try_login("gone@example.com", "a fine password")
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        server.get("/api/v1/auth/me", &session).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn disabling_or_locking_always_ends_every_session_for_good() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let user = server
        .create_member(&token, "leaver@example.com", "a rather long phrase")
        .await;
    let first = server
        .login("leaver@example.com", "a rather long phrase")
        .await;
    let second = server
        .login("leaver@example.com", "a rather long phrase")
        .await;
    let status_url = format!("{}/status", user_url(&user));
    let set = |body: Value| server.send_json(Method::PUT, &status_url, Some(&token), body);

    // Locking without asking for it still ends both sessions, and unlocking brings
    // neither back.
    let locked =
        set(json!({"status": "LOCKED", "reason": "suspicious", "terminate_sessions": false})).await;
    assert_eq!(locked.status(), StatusCode::OK);
    assert_eq!(
        set(json!({"status": "ACTIVE"})).await.status(),
        StatusCode::OK
    );
    for session in [&first, &second] {
        problem(
            server.get("/api/v1/auth/me", session).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }

    let third = server
        .login("leaver@example.com", "a rather long phrase")
        .await;
    let disabled = set(json!({"status": "DISABLED", "reason": "Left the company"})).await;
    let disabled = disabled.json::<Single<User>>().await.unwrap().data;
    assert_eq!(disabled.status_reason.as_deref(), Some("Left the company"));
    assert_eq!(
        set(json!({"status": "ACTIVE"})).await.status(),
        StatusCode::OK
    );
    problem(
        server.get("/api/v1/auth/me", &third).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let pending = set(json!({"status": "PENDING_APPROVAL"})).await;
    assert_eq!(
        error_fields(&problem(pending, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["status"]
    );
}

#[tokio::test]
async fn admins_cannot_lock_themselves_or_the_last_admin_out() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let me: Value = server
        .get("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    let my_id = me["data"]["user"]["id"].as_str().unwrap();
    let status_url = format!("{USERS}/{my_id}/status");
    let refused = server
        .send_json(
            Method::PUT,
            &status_url,
            Some(&token),
            json!({"status": "DISABLED"}),
        )
        .await;
    assert!(problem(refused, StatusCode::CONFLICT).await["detail"]
        .as_str()
        .unwrap()
        .contains("your own account"));
    let delete = server
        .request(
            Method::DELETE,
            &format!(
                "{USERS}/{my_id}?confirm_email={}",
                ADMIN_EMAIL.replace('@', "%40")
            ),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    problem(delete, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn password_reset_replaces_the_password_and_ends_sessions() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let user = server
        .create_member(&token, "forgetful@example.com", "the old password")
        .await;
    let session = server
        .login("forgetful@example.com", "the old password")
        .await;
    let url = format!("{}/password/reset", user_url(&user));

    let weak = server
        .send_json(
            Method::POST,
            &url,
            Some(&token),
            json!({"method": "SET", "new_password": "forgetful@example.com1"}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(weak, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["new_password"]
    );

    let reset = server
        .send_json(Method::POST, &url, Some(&token), json!({"method": "SET", "new_password": "a brand new password", "require_password_change": true}))
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let reset = reset.json::<Single<User>>().await.unwrap().data;
    assert!(reset.require_password_change && reset.password_changed_at.is_some());
    problem(
        server.get("/api/v1/auth/me", &session).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        server
            .try_login("forgetful@example.com", "the old password")
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    server
        .login("forgetful@example.com", "a brand new password")
        .await;
}

#[tokio::test]
async fn mfa_can_be_disabled() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let user = server
        .create_member(&token, "mfa@example.com", "mfa user password")
        .await;
    let response = server
        .request(
            Method::POST,
            &format!("{}/mfa/disable", user_url(&user)),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let after = response.json::<Single<User>>().await.unwrap().data;
    assert!(!after.mfa_enabled);
    assert_eq!(after.version, user.version + 1);
    let missing = server
        .request(
            Method::POST,
            &format!("{USERS}/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/mfa/disable"),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    problem(missing, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn list_searches_filters_sorts_and_pages() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let people = [
        ("ada@analytical.test", "Ada", "Lovelace", "ada"),
        ("grace@navy.test", "Grace", "Hopper", "ghopper"),
        ("alan@bletchley.test", "Alan", "Turing", "aturing"),
        ("edsger@eindhoven.test", "Edsger", "Dijkstra", "ewd"),
        ("barbara@mit.test", "Barbara", "Liskov", "liskov"),
    ];
    for (email, first, last, username) in people {
        let request = CreateUser {
            email: email.into(),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            display_name: Some(format!("{first} {last}")),
            username: Some(username.into()),
            ..Default::default()
        };
        server.create_user(&token, &request).await;
    }
    let emails = |page: Page<User>| page.data.into_iter().map(|u| u.email).collect::<Vec<_>>();

    // Substring, case-insensitive, over every name field; several words must all match.
    assert_eq!(
        emails(list(&server, &token, "search=LOVE").await),
        ["ada@analytical.test"]
    );
    assert_eq!(
        emails(list(&server, &token, "search=hopp").await),
        ["grace@navy.test"]
    );
    assert_eq!(
        emails(list(&server, &token, "search=turing%20al").await),
        ["alan@bletchley.test"]
    );
    assert_eq!(
        emails(list(&server, &token, "search=ew").await),
        ["edsger@eindhoven.test"]
    );
    assert_eq!(
        list(&server, &token, "search=%22%29%20OR%20")
            .await
            .pagination
            .total_items,
        0
    );
    assert_eq!(
        list(&server, &token, "search=100%25")
            .await
            .pagination
            .total_items,
        0
    );

    // Sorting: by email ascending, by name descending.
    let by_email = emails(list(&server, &token, "sort_by=email&search=.test").await);
    assert_eq!(
        by_email,
        [
            "ada@analytical.test",
            "alan@bletchley.test",
            "barbara@mit.test",
            "edsger@eindhoven.test",
            "grace@navy.test"
        ]
    );
    let by_name = emails(
        list(
            &server,
            &token,
            "sort_by=display_name&sort_order=desc&search=.test",
        )
        .await,
    );
    assert_eq!(by_name.first().unwrap(), "grace@navy.test");

    // Filters.
    let alan = list(&server, &token, "search=alan").await.data.remove(0);
    server
        .send_json(
            Method::PUT,
            &format!("{}/status", user_url(&alan)),
            Some(&token),
            json!({"status": "DISABLED"}),
        )
        .await;
    assert_eq!(
        emails(list(&server, &token, "status=DISABLED").await),
        ["alan@bletchley.test"]
    );
    assert_eq!(
        list(&server, &token, "status=ACTIVE&identity_source=LOCAL")
            .await
            .pagination
            .total_items,
        5
    );
    assert_eq!(
        list(&server, &token, "identity_source=SAML")
            .await
            .pagination
            .total_items,
        0
    );
    assert_eq!(
        list(&server, &token, "mfa_enabled=false")
            .await
            .pagination
            .total_items,
        6
    );

    // Pages: six users in all (five and the administrator).
    let page = list(&server, &token, "per_page=4&page=2&sort_by=email").await;
    assert_eq!(
        (
            page.pagination.total_items,
            page.pagination.total_pages,
            page.data.len()
        ),
        (6, 2, 2)
    );
    let clamped = list(&server, &token, "per_page=5000").await;
    assert_eq!(clamped.pagination.per_page, 200);
    let beyond = list(&server, &token, "page=9").await;
    assert!(beyond.data.is_empty());
    assert_eq!(beyond.pagination.total_items, 6);
}
