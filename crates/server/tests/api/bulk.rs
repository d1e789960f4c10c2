//! Bulk actions: one request, run in the server, a result per user; a dry run changes
//! nothing; each change is refused for the same reasons the single one would be and is
//! audited like it, all under one request id.

use gatehouse_api::users::CreateUser;
use gatehouse_api::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, TestServer, GROUPS, USERS};

const BULK: &str = "/api/v1/tenants/default/users/bulk";
const AUDIT: &str = "/api/v1/tenants/default/audit";

async fn bulk(server: &TestServer, token: &str, body: Value) -> (StatusCode, String, Value) {
    let answer = server
        .send_json(Method::POST, BULK, Some(token), body)
        .await;
    let status = answer.status();
    let request_id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, request_id, answer.json().await.unwrap())
}

async fn count(server: &TestServer, token: &str, query: &str) -> u64 {
    let page: Value = server.get_json(&format!("{USERS}?{query}"), token).await;
    page["pagination"]["total_items"].as_u64().unwrap()
}

#[tokio::test]
async fn a_filtered_hundred_are_disabled_in_one_request_with_one_request_id() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    for n in 0..100 {
        let request = CreateUser {
            email: format!("contractor{n}@example.com"),
            last_name: Some("Contractor".into()),
            ..Default::default()
        };
        server.create_user(&admin, &request).await;
    }
    server
        .create_member(&admin, "staff@example.com", "correct battery staple")
        .await;
    let body = |dry_run: bool| {
        json!({
            "action": {"kind": "disable", "reason": "Contract ended"},
            "selection": {"filter": {"search": "contractor", "status": "ACTIVE"}},
            "dry_run": dry_run,
        })
    };

    let (status, _, preview) = bulk(&server, &admin, body(true)).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["data"]["dry_run"], true);
    assert_eq!(preview["data"]["done"], 100);
    assert_eq!(count(&server, &admin, "status=DISABLED").await, 0);
    let audited: Value = server
        .get_json(&format!("{AUDIT}?action=user.status_changed"), &admin)
        .await;
    assert_eq!(audited["data"], json!([]), "a dry run records nothing");

    let (status, request_id, done) = bulk(&server, &admin, body(false)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["data"]["done"], 100);
    assert_eq!(done["data"]["results"].as_array().unwrap().len(), 100);
    assert_eq!(count(&server, &admin, "status=DISABLED").await, 100);
    assert_eq!(count(&server, &admin, "status=ACTIVE").await, 2);
    let events: Value = server
        .get_json(
            &format!("{AUDIT}?request_id={request_id}&per_page=200"),
            &admin,
        )
        .await;
    let events = events["data"].as_array().unwrap();
    assert_eq!(events.len(), 100);
    assert!(events.iter().all(|e| e["action"] == "user.status_changed"
        && e["reason"] == "Contract ended"
        && e["request_id"] == request_id.as_str()));

    // Again: every one is skipped, already disabled.
    let (_, _, again) = bulk(
        &server,
        &admin,
        json!({
            "action": {"kind": "disable"},
            "selection": {"filter": {"search": "contractor"}},
        }),
    )
    .await;
    assert_eq!(again["data"]["skipped"], 100, "{again}");
    assert_eq!(again["data"]["results"][0]["reason"], "Already disabled.");
}

#[tokio::test]
async fn own_account_stronger_users_and_the_last_admin_are_refused_one_by_one() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let admin_id = server.my_id(&admin).await;
    let everything: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    let (deputy_id, deputy) = server
        .member_with(&admin, "deputy@example.com", &everything)
        .await;
    let (manager_id, manager) = server
        .member_with(
            &admin,
            "manager@example.com",
            &["users:read", "users:write"],
        )
        .await;
    let plain = server
        .create_member(&admin, "plain@example.com", "correct battery staple")
        .await
        .id
        .to_string();

    // The manager: their own account, and users stronger than them, are refused;
    // the plain user is disabled.
    let (status, _, answer) = bulk(&server, &manager, json!({
        "action": {"kind": "disable"},
        "selection": {"ids": [manager_id, deputy_id, plain, "01890000-0000-7000-8000-000000000000"]},
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let outcomes: Vec<(&str, &str)> = answer["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap(),
                r["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(outcomes[0].0, "refused");
    assert!(outcomes[0].1.contains("Your own account"), "{outcomes:?}");
    assert_eq!(outcomes[1].0, "refused");
    assert!(
        outcomes[1].1.contains("permissions you do not"),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[2], ("done", ""));
    assert_eq!(outcomes[3].0, "skipped");

    // Deputy holds everything but is not an Admin: the only Admin cannot be disabled.
    let (_, _, answer) = bulk(
        &server,
        &deputy,
        json!({
            "action": {"kind": "lock", "reason": "Testing"},
            "selection": {"ids": [admin_id]},
        }),
    )
    .await;
    assert_eq!(answer["data"]["refused"], 1, "{answer}");
    assert!(answer["data"]["results"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("last active administrator"));
    let still: Value = server
        .get_json(&format!("{USERS}/{admin_id}"), &admin)
        .await;
    assert_eq!(still["data"]["status"], "ACTIVE");

    // An action needing more than users:write: 403 naming it, nothing changed.
    let (status, _, refusal) = bulk(
        &server,
        &manager,
        json!({
            "action": {"kind": "delete", "confirm_count": 1},
            "selection": {"ids": [plain]},
        }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refusal}");
    assert_eq!(refusal["missing_permission"], "users:delete");
}

#[tokio::test]
async fn groups_roles_and_deleting_with_the_count_typed() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let user = server
            .create_member(
                &admin,
                &format!("member{n}@example.com"),
                "correct battery staple",
            )
            .await;
        ids.push(user.id.to_string());
    }
    let group = server.create_group(&admin, "Support", &[]).await;
    let role = server
        .create_role(&admin, "Helpdesk", &["users:read"])
        .await;
    let first = server
        .send_json(
            Method::POST,
            &format!("{GROUPS}/{group}/members"),
            Some(&admin),
            json!({"user_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);

    let (_, _, added) = bulk(
        &server,
        &admin,
        json!({
            "action": {"kind": "add_to_group", "group_id": group},
            "selection": {"ids": ids},
        }),
    )
    .await;
    assert_eq!(
        (
            added["data"]["done"].as_u64(),
            added["data"]["skipped"].as_u64()
        ),
        (Some(2), Some(1)),
        "{added}"
    );
    assert_eq!(added["data"]["results"][0]["reason"], "Already a member.");
    let (_, _, given) = bulk(
        &server,
        &admin,
        json!({
            "action": {"kind": "assign_role", "role_id": role},
            "selection": {"filter": {"group_id": group}},
        }),
    )
    .await;
    assert_eq!(given["data"]["done"], 3, "{given}");
    assert_eq!(count(&server, &admin, &format!("role_id={role}")).await, 3);

    let missing = server
        .send_json(
            Method::POST,
            BULK,
            Some(&admin),
            json!({"action": {"kind": "delete", "confirm_count": 2}, "selection": {"ids": ids}}),
        )
        .await;
    let body = problem(missing, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "action.confirm_count");
    let (status, _, deleted) = bulk(
        &server,
        &admin,
        json!({
            "action": {"kind": "delete", "confirm_count": 3},
            "selection": {"ids": ids},
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["data"]["done"], 3);
    assert_eq!(count(&server, &admin, "search=member").await, 0);
}
