//! Roles: built-in ones are fixed, custom ones editable; nobody grants what they lack.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, TestServer, ROLES, USERS};

#[tokio::test]
async fn builtin_roles_exist_and_cannot_change() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let roles: Value = server.get(ROLES, &admin).await.json().await.unwrap();
    let names: Vec<&str> = roles["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Admin", "Editor", "Viewer"]);
    let viewer = roles["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Viewer")
        .unwrap();
    assert!(viewer["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p.as_str().unwrap().ends_with(":read")));
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let url = format!("{ROLES}/{admin_role}");
    let patch = server
        .request(Method::PATCH, &url, Some(&admin))
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Boss"}))
        .send()
        .await
        .unwrap();
    assert!(problem(patch, StatusCode::CONFLICT).await["detail"]
        .as_str()
        .unwrap()
        .contains("Built-in"));
    let delete = server
        .request(Method::DELETE, &format!("{url}?force=true"), Some(&admin))
        .send()
        .await
        .unwrap();
    problem(delete, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn custom_roles_round_trip_with_versions_and_unique_names() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let id = server
        .create_role(&admin, "Support", &["users:read", "users:write"])
        .await;
    let dup = server
        .send_json(
            Method::POST,
            ROLES,
            Some(&admin),
            json!({"name": "support"}),
        )
        .await;
    assert_eq!(
        crate::common::error_fields(&problem(dup, StatusCode::CONFLICT).await),
        ["name"]
    );
    let invalid = server
        .send_json(Method::POST, ROLES, Some(&admin), json!({"name": ""}))
        .await;
    problem(invalid, StatusCode::UNPROCESSABLE_ENTITY).await;

    let url = format!("{ROLES}/{id}");
    let edit = |etag: &'static str, body: Value| {
        server
            .request(Method::PATCH, &url, Some(&admin))
            .header("if-match", etag)
            .json(&body)
            .send()
    };
    let saved = edit(
        "\"1\"",
        json!({"permissions": ["users:read"], "description": "Helps people"}),
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["data"]["permissions"], json!(["users:read"]));
    assert_eq!(saved["data"]["version"], 2);
    problem(
        edit("\"1\"", json!({"name": "Stale"})).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
}

#[tokio::test]
async fn deleting_a_role_in_use_needs_force_and_says_who_holds_it() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (member, member_token) = server
        .member_with(&admin, "holder@example.com", &["users:read"])
        .await;
    let roles: Value = server
        .get(&format!("{USERS}/{member}/roles"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let role = roles["data"]["direct"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    server.create_group(&admin, "Readers", &[&role]).await;

    let refused = server
        .request(Method::DELETE, &format!("{ROLES}/{role}"), Some(&admin))
        .send()
        .await
        .unwrap();
    let body = problem(refused, StatusCode::CONFLICT).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("1 users and 1 groups"),
        "{body}"
    );
    let holders: Value = server
        .get(&format!("{ROLES}/{role}/holders"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(holders["data"]["direct_user_count"], 1);
    assert_eq!(holders["data"]["users"][0]["email"], "holder@example.com");
    assert_eq!(holders["data"]["groups"][0]["name"], "Readers");

    let forced = server
        .request(
            Method::DELETE,
            &format!("{ROLES}/{role}?force=true"),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forced.status(), StatusCode::NO_CONTENT);
    // The holder lost the permission at once.
    problem(
        server.get(USERS, &member_token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn nobody_grants_permissions_they_do_not_hold() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    // A role manager who may read users but not delete them.
    let (_, manager) = server
        .member_with(
            &admin,
            "manager@example.com",
            &["roles:read", "roles:write", "users:read"],
        )
        .await;
    let create = server
        .send_json(
            Method::POST,
            ROLES,
            Some(&manager),
            json!({"name": "Deleter", "permissions": ["users:delete"]}),
        )
        .await;
    let body = problem(create, StatusCode::FORBIDDEN).await;
    assert_eq!(body["missing_permission"], "users:delete");
    // Within their own permissions, they may.
    let reader = server
        .send_json(
            Method::POST,
            ROLES,
            Some(&manager),
            json!({"name": "Reader", "permissions": ["users:read"]}),
        )
        .await;
    assert_eq!(reader.status(), StatusCode::CREATED);
    let reader: Value = reader.json().await.unwrap();
    let reader = reader["data"]["id"].as_str().unwrap().to_owned();

    // Granting Admin (or widening a role) is escalation too.
    let target = server
        .create_member(&admin, "target@example.com", "correct battery staple")
        .await;
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let grant = server
        .set_roles(&manager, &target.id.to_string(), &[&admin_role])
        .await;
    problem(grant, StatusCode::FORBIDDEN).await;
    let ok = server
        .set_roles(&manager, &target.id.to_string(), &[&reader])
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let widen = server
        .request(Method::PATCH, &format!("{ROLES}/{reader}"), Some(&manager))
        .header("if-match", "\"1\"")
        .json(&json!({"permissions": ["users:read", "sso:write"]}))
        .send()
        .await
        .unwrap();
    problem(widen, StatusCode::FORBIDDEN).await;
    let roles: Value = server
        .get(&format!("{USERS}/{}/roles", target.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        roles["data"]["permissions"],
        json!(["users:read"]),
        "nothing changed"
    );
}

#[tokio::test]
async fn the_last_admin_cannot_lose_admin() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let me = server.my_id(&admin).await;
    let strip = server.set_roles(&admin, &me, &[]).await;
    assert!(problem(strip, StatusCode::CONFLICT).await["detail"]
        .as_str()
        .unwrap()
        .contains("without an active administrator"));

    // Admin through a group counts; removing the last such membership is refused.
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let admins = server.create_group(&admin, "Admins", &[&admin_role]).await;
    let added = server
        .send_json(
            Method::POST,
            &format!("{}/{admins}/members", crate::common::GROUPS),
            Some(&admin),
            json!({"user_ids": [me]}),
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let now_indirect = server.set_roles(&admin, &me, &[]).await;
    assert_eq!(
        now_indirect.status(),
        StatusCode::OK,
        "still Admin through the group"
    );
    let leave = server
        .send_json(
            Method::DELETE,
            &format!("{}/{admins}/members", crate::common::GROUPS),
            Some(&admin),
            json!({"user_ids": [me]}),
        )
        .await;
    problem(leave, StatusCode::CONFLICT).await;
    let delete_group = server
        .request(
            Method::DELETE,
            &format!("{}/{admins}", crate::common::GROUPS),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    problem(delete_group, StatusCode::CONFLICT).await;
    let drop_role = server
        .request(
            Method::PATCH,
            &format!("{}/{admins}", crate::common::GROUPS),
            Some(&admin),
        )
        .header("if-match", "\"1\"")
        .json(&json!({"role_ids": []}))
        .send()
        .await
        .unwrap();
    problem(drop_role, StatusCode::CONFLICT).await;
    // The refused changes changed nothing.
    let me_now: Value = server
        .get("/api/v1/auth/me", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(me_now["data"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("roles:write")));

    // With a second administrator, the first may step down.
    let second = server
        .create_member(&admin, "second@example.com", "correct battery staple")
        .await;
    assert_eq!(
        server
            .set_roles(&admin, &second.id.to_string(), &[&admin_role])
            .await
            .status(),
        StatusCode::OK
    );
    let leave = server
        .send_json(
            Method::DELETE,
            &format!("{}/{admins}/members", crate::common::GROUPS),
            Some(&admin),
            json!({"user_ids": [me]}),
        )
        .await;
    assert_eq!(leave.status(), StatusCode::OK);
}
