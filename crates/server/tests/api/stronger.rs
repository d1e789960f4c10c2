//! "Holds the permission" is not enough: nobody changes an account, role or group that
//! carries more than they hold; default groups grant nothing the creator could not;
//! dangerous actions need a fresh proof of identity; inputs have bounds.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{
    error_fields, problem, TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, GROUPS, ROLES, USERS,
};
use gatehouse_server::store::engine::query;

const PASSWORD: &str = "member passphrase 1";

/// Signs in a new user holding the built-in role `role`; returns (id, token).
async fn with_builtin(
    server: &TestServer,
    admin: &str,
    email: &str,
    role: &str,
) -> (String, String) {
    let user = server.create_member(admin, email, PASSWORD).await;
    let role = server.builtin_role(admin, role).await;
    let set = server
        .set_roles(admin, &user.id.to_string(), &[&role])
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    (user.id.to_string(), server.login(email, PASSWORD).await)
}

async fn json_of(server: &TestServer, path: &str, token: &str) -> Value {
    server.get(path, token).await.json().await.unwrap()
}

/// Asserts a 403 that explains the target is stronger.
async fn refused_as_stronger(response: reqwest::Response, what: &str) {
    let body = problem(response, StatusCode::FORBIDDEN).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("permissions you do not"),
        "{what}: {detail}"
    );
}

#[tokio::test]
async fn an_editor_cannot_touch_an_administrator() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let admin_id = server.my_id(&admin).await;
    let (_, editor) = with_builtin(&server, &admin, "editor@example.com", "Editor").await;
    let (viewer_id, _) = with_builtin(&server, &admin, "viewer@example.com", "Viewer").await;
    let target = format!("{USERS}/{admin_id}");
    let before = json_of(&server, &target, &admin).await["data"].clone();

    let etag = server.get(&target, &editor).await.headers()["etag"].clone();
    let attempts = [
        (
            Method::PATCH,
            target.clone(),
            json!({"email": "mine@example.com"}),
        ),
        (
            Method::PUT,
            format!("{target}/status"),
            json!({"status": "LOCKED"}),
        ),
        (
            Method::PUT,
            format!("{target}/status"),
            json!({"status": "DISABLED"}),
        ),
        (
            Method::POST,
            format!("{target}/password/reset"),
            json!({"method": "SET", "new_password": "taken over at last"}),
        ),
        (Method::POST, format!("{target}/mfa/disable"), json!({})),
    ];
    for (method, path, body) in attempts {
        let response = server
            .request(method.clone(), &path, Some(&editor))
            .header("if-match", etag.clone())
            .json(&body)
            .send()
            .await
            .unwrap();
        refused_as_stronger(response, &format!("{method} {path}")).await;
    }
    let delete = server
        .request(
            Method::DELETE,
            &format!("{target}?confirm_email=admin%40example.com"),
            Some(&editor),
        )
        .send()
        .await
        .unwrap();
    refused_as_stronger(delete, "delete").await;

    // Nothing changed: same record, same password.
    assert_eq!(json_of(&server, &target, &admin).await["data"], before);
    server.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // The same editor may act on someone weaker.
    let viewer = format!("{USERS}/{viewer_id}");
    let etag = server.get(&viewer, &editor).await.headers()["etag"].clone();
    let changed = server
        .request(Method::PATCH, &viewer, Some(&editor))
        .header("if-match", etag)
        .json(&json!({"display_name": "Vera"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test]
async fn groups_and_roles_carrying_more_than_the_caller_are_out_of_reach() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let admin_id = server.my_id(&admin).await;
    let (_, editor) = with_builtin(&server, &admin, "editor@example.com", "Editor").await;
    let admin_role = server.builtin_role(&admin, "Admin").await;

    // A plain group with the administrator in it: the editor cannot take them out.
    let ops = server.create_group(&admin, "Ops", &[]).await;
    let members = format!("{GROUPS}/{ops}/members");
    let add = server
        .send_json(
            Method::POST,
            &members,
            Some(&admin),
            json!({"user_ids": [admin_id]}),
        )
        .await;
    assert_eq!(add.status(), StatusCode::OK);
    let removed = server
        .send_json(
            Method::DELETE,
            &members,
            Some(&editor),
            json!({"user_ids": [admin_id]}),
        )
        .await;
    let body = problem(removed, StatusCode::FORBIDDEN).await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("Nothing was changed"));
    assert_eq!(
        json_of(&server, &format!("{GROUPS}/{ops}"), &admin).await["data"]["member_count"],
        1
    );

    // A group granting Admin: the editor can neither delete it nor strip its role.
    let admins = server.create_group(&admin, "Admins", &[&admin_role]).await;
    let group = format!("{GROUPS}/{admins}");
    let strip = server
        .request(Method::PATCH, &group, Some(&editor))
        .header("if-match", "\"1\"")
        .json(&json!({"role_ids": []}))
        .send()
        .await
        .unwrap();
    refused_as_stronger(strip, "strip the group's role").await;
    let delete = server
        .request(Method::DELETE, &group, Some(&editor))
        .send()
        .await
        .unwrap();
    refused_as_stronger(delete, "delete the group").await;
    assert_eq!(
        json_of(&server, &group, &admin).await["data"]["roles"][0]["id"],
        admin_role
    );

    // A role manager without sso:write cannot edit or delete a role that has it.
    let (_, manager) = server
        .member_with(
            &admin,
            "manager@example.com",
            &["roles:read", "roles:write", "users:read"],
        )
        .await;
    let sso = server
        .create_role(&admin, "SSO admin", &["sso:read", "sso:write"])
        .await;
    let role = format!("{ROLES}/{sso}");
    let edit = server
        .request(Method::PATCH, &role, Some(&manager))
        .header("if-match", "\"1\"")
        .json(&json!({"description": "renamed by someone weaker"}))
        .send()
        .await
        .unwrap();
    refused_as_stronger(edit, "edit the role").await;
    let delete = server
        .request(Method::DELETE, &role, Some(&manager))
        .send()
        .await
        .unwrap();
    refused_as_stronger(delete, "delete the role").await;
    assert_eq!(json_of(&server, &role, &admin).await["data"]["version"], 1);
}

#[tokio::test]
async fn default_groups_grant_nothing_the_creator_could_not() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (_, editor) = with_builtin(&server, &admin, "editor@example.com", "Editor").await;
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let viewer_role = server.builtin_role(&admin, "Viewer").await;
    let admins = server.create_group(&admin, "Admins", &[&admin_role]).await;
    let everyone = server
        .create_group(&admin, "Everyone", &[&viewer_role])
        .await;

    // Making a group default is granting its roles to everyone created later.
    let mark = |token: &str, group: &str| {
        server
            .request(Method::PATCH, &format!("{GROUPS}/{group}"), Some(token))
            .header("if-match", "\"1\"")
            .json(&json!({"is_default": true}))
            .send()
    };
    let refused = mark(&editor, &admins).await.unwrap();
    let body = problem(refused, StatusCode::FORBIDDEN).await;
    assert!(body["detail"].as_str().unwrap().contains("Admin"));
    assert_eq!(
        mark(&editor, &everyone).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        mark(&admin, &admins).await.unwrap().status(),
        StatusCode::OK
    );

    let groups_of = |token: String, email: &'static str| {
        let server = &server;
        async move {
            let user = server.create_member(&token, email, PASSWORD).await;
            let groups = json_of(server, &format!("{USERS}/{}/groups", user.id), &token).await;
            let mut names: Vec<String> = groups["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(
        groups_of(editor.clone(), "by-editor@example.com").await,
        ["Everyone"]
    );
    assert_eq!(
        groups_of(admin.clone(), "by-admin@example.com").await,
        ["Admins", "Everyone"]
    );
}

/// Makes the caller's sign-in look older than the few minutes dangerous actions allow.
async fn age_sessions(server: &TestServer) {
    let db = server.database().await;
    query("UPDATE sessions SET confirmed_at = 0")
        .execute(&db)
        .await
        .unwrap();
}

#[tokio::test]
async fn dangerous_actions_need_a_recent_proof_of_identity() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let user = server
        .create_member(&admin, "sam@example.com", PASSWORD)
        .await;
    let target = format!("{USERS}/{}", user.id);
    age_sessions(&server).await;

    let reset_path = format!("{target}/password/reset");
    let reset = || {
        server.send_json(
            Method::POST,
            &reset_path,
            Some(&admin),
            json!({"method": "SET", "new_password": "a brand new passphrase"}),
        )
    };
    let body = problem(reset().await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:confirm-identity");
    server.login("sam@example.com", PASSWORD).await;

    // Granting Admin (which carries roles:write) waits too; granting Viewer does not.
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let viewer_role = server.builtin_role(&admin, "Viewer").await;
    let id = user.id.to_string();
    let grant = server.set_roles(&admin, &id, &[&admin_role]).await;
    assert_eq!(
        problem(grant, StatusCode::FORBIDDEN).await["type"],
        "urn:gatehouse:problem:confirm-identity"
    );
    assert_eq!(
        server
            .set_roles(&admin, &id, &[&viewer_role])
            .await
            .status(),
        StatusCode::OK
    );

    let confirm =
        |body: Value| server.send_json(Method::POST, "/api/v1/auth/me/confirm", Some(&admin), body);
    let wrong = problem(
        confirm(json!({"password": "not my password"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&wrong), ["password"]);
    let empty = problem(confirm(json!({})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&empty), ["password"]);
    let confirmed = confirm(json!({"password": ADMIN_PASSWORD})).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert!(confirmed["data"]["valid_until"].is_string());

    assert_eq!(reset().await.status(), StatusCode::OK);
    assert_eq!(
        server.set_roles(&admin, &id, &[&admin_role]).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn searches_and_id_lists_have_bounds() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let group = server.create_group(&admin, "Bounded", &[]).await;
    for list in [
        USERS.to_owned(),
        GROUPS.to_owned(),
        ROLES.to_owned(),
        format!("{GROUPS}/{group}/members"),
    ] {
        for search in [
            "nul%00byte",
            &"x".repeat(201),
            "a%20b%20c%20d%20e%20f%20g%20h%20i",
        ] {
            let response = server.get(&format!("{list}?search={search}"), &admin).await;
            let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error_fields(&body), ["search"], "{list} {search}");
        }
        let fine = server
            .get(&format!("{list}?search=ada%20lovelace"), &admin)
            .await;
        assert_eq!(fine.status(), StatusCode::OK);
    }
    let ids: Vec<String> = (0..101)
        .map(|n| uuid::Uuid::from_u128(n).to_string())
        .collect();
    let me = server.my_id(&admin).await;
    let roles = server
        .send_json(
            Method::PUT,
            &format!("{USERS}/{me}/roles"),
            Some(&admin),
            json!({"role_ids": ids}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(roles, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["role_ids"]
    );
    let group = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&admin),
            json!({"name": "Too many", "role_ids": ids}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(group, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["role_ids"]
    );
}
