//! Groups: roles through membership, bulk membership changes, default groups, filters.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{error_fields, problem, TestServer, GROUPS, USERS};

#[tokio::test]
async fn members_hold_the_groups_roles() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let auditor = server
        .create_role(&admin, "Auditor", &["users:read", "audit:read"])
        .await;
    let direct = server
        .create_role(&admin, "Group reader", &["groups:read"])
        .await;
    let group = server.create_group(&admin, "Auditors", &[&auditor]).await;
    let user = server
        .create_member(&admin, "ines@example.com", "correct battery staple")
        .await;
    assert_eq!(
        server
            .set_roles(&admin, &user.id.to_string(), &[&direct])
            .await
            .status(),
        StatusCode::OK
    );
    let before = server
        .login("ines@example.com", "correct battery staple")
        .await;
    problem(server.get(USERS, &before).await, StatusCode::FORBIDDEN).await;

    let add = server
        .send_json(
            Method::POST,
            &format!("{GROUPS}/{group}/members"),
            Some(&admin),
            json!({"user_ids": [user.id]}),
        )
        .await;
    assert_eq!(add.status(), StatusCode::OK);
    // The same session gains the group's permissions at once.
    assert_eq!(server.get(USERS, &before).await.status(), StatusCode::OK);
    let me: Value = server
        .get("/api/v1/auth/me", &before)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["data"]["permissions"],
        json!(["users:read", "groups:read", "audit:read"])
    );

    let roles: Value = server
        .get(&format!("{USERS}/{}/roles", user.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(roles["data"]["direct"][0]["name"], "Group reader");
    let effective = roles["data"]["effective"].as_array().unwrap();
    assert_eq!(effective.len(), 2);
    assert_eq!(effective[0]["role"]["name"], "Auditor");
    assert_eq!(
        effective[0]["sources"],
        json!([{"kind": "group", "id": group, "name": "Auditors"}])
    );
    assert_eq!(effective[1]["sources"], json!([{"kind": "direct"}]));
    let groups: Value = server
        .get(&format!("{USERS}/{}/groups", user.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["data"][0]["name"], "Auditors");

    // Filters: members of the group, holders of the role (through the group).
    let by_group: Value = server
        .get(&format!("{USERS}?group_id={group}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_group["pagination"]["total_items"], 1);
    let by_role: Value = server
        .get(&format!("{USERS}?role_id={auditor}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_role["data"][0]["email"], "ines@example.com");
    let admins: Value = server
        .get(
            &format!(
                "{USERS}?role_id={}",
                server.builtin_role(&admin, "Admin").await
            ),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admins["pagination"]["total_items"], 1);
}

#[tokio::test]
async fn membership_changes_are_idempotent_with_per_user_results() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let group = server.create_group(&admin, "Team", &[]).await;
    let a = server
        .create_member(&admin, "a@example.com", "a long passphrase")
        .await
        .id
        .to_string();
    let b = server
        .create_member(&admin, "b@example.com", "a long passphrase")
        .await
        .id
        .to_string();
    let ghost = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let members = format!("{GROUPS}/{group}/members");

    let first: Value = server
        .send_json(
            Method::POST,
            &members,
            Some(&admin),
            json!({"user_ids": [a, a, b, ghost]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<&str> = first["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["added", "added", "user_not_found"]);
    assert_eq!(first["data"]["member_count"], 2);
    let again: Value = server
        .send_json(
            Method::POST,
            &members,
            Some(&admin),
            json!({"user_ids": [b]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["data"]["results"][0]["outcome"], "already_member");

    let list: Value = server
        .get(&format!("{members}?search=b%40example"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total_items"], 1);
    assert_eq!(list["data"][0]["email"], "b@example.com");

    let removed: Value = server
        .send_json(
            Method::DELETE,
            &members,
            Some(&admin),
            json!({"user_ids": [a, ghost]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<&str> = removed["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["removed", "not_member"]);
    assert_eq!(removed["data"]["member_count"], 1);
    let none = server
        .send_json(
            Method::POST,
            &members,
            Some(&admin),
            json!({"user_ids": []}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(none, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["user_ids"]
    );
    let group_view: Value = server
        .get(&format!("{GROUPS}/{group}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(group_view["data"]["member_count"], 1);
}

#[tokio::test]
async fn adding_members_to_a_powerful_group_is_escalation() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let admins = server.create_group(&admin, "Admins", &[&admin_role]).await;
    let editor_role = server.builtin_role(&admin, "Editor").await;
    let editor = server
        .create_member(&admin, "editor@example.com", "correct battery staple")
        .await;
    assert_eq!(
        server
            .set_roles(&admin, &editor.id.to_string(), &[&editor_role])
            .await
            .status(),
        StatusCode::OK
    );
    let token = server
        .login("editor@example.com", "correct battery staple")
        .await;

    let join = server
        .send_json(
            Method::POST,
            &format!("{GROUPS}/{admins}/members"),
            Some(&token),
            json!({"user_ids": [editor.id]}),
        )
        .await;
    problem(join, StatusCode::FORBIDDEN).await;
    let make = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&token),
            json!({"name": "Shadow admins", "role_ids": [admin_role]}),
        )
        .await;
    problem(make, StatusCode::FORBIDDEN).await;
    // An Editor may hand out what an Editor holds.
    let ok = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&token),
            json!({"name": "Editors", "role_ids": [editor_role]}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    let unknown = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&admin),
            json!({"name": "Ghosts", "role_ids": ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"]}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["role_ids"]
    );
}

#[tokio::test]
async fn new_users_join_default_groups_and_deleted_users_leave() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let everyone = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&admin),
            json!({"name": "Everyone", "is_default": true, "color": "#1a7f37"}),
        )
        .await;
    let everyone: Value = everyone.json().await.unwrap();
    assert_eq!(everyone["data"]["color"], "#1a7f37");
    let id = everyone["data"]["id"].as_str().unwrap().to_owned();
    let user = server
        .create_member(&admin, "newbie@example.com", "correct battery staple")
        .await;
    let groups: Value = server
        .get(&format!("{USERS}/{}/groups", user.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["data"][0]["name"], "Everyone");

    let delete = server
        .request(
            Method::DELETE,
            &format!("{USERS}/{}?confirm_email=newbie%40example.com", user.id),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    let group: Value = server
        .get(&format!("{GROUPS}/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(group["data"]["member_count"], 0);

    let stale = server
        .request(Method::PATCH, &format!("{GROUPS}/{id}"), Some(&admin))
        .header("if-match", "\"9\"")
        .json(&json!({"name": "All"}))
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let dup = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&admin),
            json!({"name": "everyone"}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(dup, StatusCode::CONFLICT).await),
        ["name"]
    );
    let listed: Value = server
        .get(&format!("{GROUPS}?search=every"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["is_default"], true);
}
