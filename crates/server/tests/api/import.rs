//! CSV import: an exported file comes back unchanged, one edited name is exactly one
//! update, the same file twice changes nothing, rows in error change nothing and say
//! why, and bad files are refused with a clear message.

use gatehouse_api::users::CreateUser;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, TestServer, USERS};

const IMPORT: &str = "/api/v1/tenants/default/users/import";

async fn import(server: &TestServer, token: &str, body: Value) -> Value {
    let answer = server
        .send_json(Method::POST, IMPORT, Some(token), body)
        .await;
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body:#}");
    body["data"].clone()
}

fn counts(report: &Value) -> [u64; 4] {
    ["created", "updated", "unchanged", "errors"].map(|k| report[k].as_u64().unwrap())
}

#[tokio::test]
async fn an_export_comes_back_unchanged_and_one_edit_is_one_update() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    for (email, first) in [
        ("ada@example.com", "Ada"),
        ("grace@example.com", "Grace"),
        ("=lin@example.com", "Lin"),
    ] {
        let request = CreateUser {
            email: email.replace('=', ""),
            first_name: Some(first.into()),
            last_name: Some("+Formula".into()),
            ..Default::default()
        };
        server.create_user(&admin, &request).await;
    }
    let exported = server
        .get(
            &format!("{USERS}/export?columns=email,first_name,last_name,status,id,created_at"),
            &admin,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(exported.contains("'+Formula"), "{exported}");

    let report = import(&server, &admin, json!({"csv": exported, "dry_run": true})).await;
    assert_eq!(report["headers"][0], "email");
    assert_eq!(
        report["mapping"],
        json!(["email", "first_name", "last_name", "status", null, null])
    );
    assert_eq!(report["preview"].as_array().unwrap().len(), 4);
    assert_eq!(counts(&report), [0, 0, 4, 0], "{report:#}");

    let edited = exported.replace(",Grace,", ",Grace B.,");
    let report = import(&server, &admin, json!({"csv": edited, "dry_run": true})).await;
    assert_eq!(counts(&report), [0, 1, 3, 0], "{report:#}");
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["outcome"] == "updated")
        .unwrap();
    assert_eq!(row["email"], "grace@example.com");
    assert_eq!(row["detail"], "Changes first_name");
    let grace: Value = server
        .get_json(&format!("{USERS}?search=grace"), &admin)
        .await;
    assert_eq!(
        grace["data"][0]["first_name"], "Grace",
        "a dry run changes nothing"
    );

    let report = import(&server, &admin, json!({"csv": edited})).await;
    assert_eq!(counts(&report), [0, 1, 3, 0]);
    let report = import(&server, &admin, json!({"csv": edited})).await;
    assert_eq!(
        counts(&report),
        [0, 0, 4, 0],
        "the same file twice changes nothing"
    );
    let events: Value = server
        .get_json("/api/v1/tenants/default/audit?action=user.updated", &admin)
        .await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    assert_eq!(events["data"][0]["reason"], "Imported from CSV");
    assert_eq!(
        events["data"][0]["changes"],
        json!([{"field": "first_name", "before": "Grace", "after": "Grace B."}])
    );
}

#[tokio::test]
async fn new_rows_with_groups_roles_and_status_and_rows_in_error() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_group(&admin, "Support", &[]).await;
    server
        .create_role(&admin, "Helpdesk", &["users:read"])
        .await;
    let csv = "\u{feff}E-mail,Given name,Surname,Groups,Roles,Status,Notes\n\
        ann@example.com,Ann,Lee,support,Helpdesk,ACTIVE,first\n\
        bob@example.com,Bob,Ray,Support;Nowhere,,,second\n\
        not-an-email,Cy,Doe,,,,third\n\
        ann@example.com,Ann,Again,,,,fourth\n\
        dee@example.com,=HYPERLINK(\"http://evil\"),Doe,,,,fifth\n\
        eve@example.com,Eve,Moss,,,DISABLED,sixth\n\
        \n";
    let report = import(&server, &admin, json!({"csv": csv})).await;
    assert_eq!(
        report["mapping"],
        json!([
            "email",
            "first_name",
            "last_name",
            "groups",
            "roles",
            "status",
            null
        ])
    );
    assert_eq!(counts(&report), [2, 0, 0, 4], "{report:#}");
    let rows = report["rows"].as_array().unwrap();
    let detail = |line: u64| {
        rows.iter().find(|r| r["line"] == line).unwrap()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        detail(3).contains("no group named \"Nowhere\""),
        "{}",
        detail(3)
    );
    assert!(detail(4).contains("email"), "{}", detail(4));
    assert!(detail(5).contains("line 2"), "{}", detail(5));
    assert!(detail(6).contains("spreadsheet formula"), "{}", detail(6));

    let ann: Value = server
        .get_json(&format!("{USERS}?search=ann"), &admin)
        .await;
    let ann_id = ann["data"][0]["id"].as_str().unwrap();
    let roles: Value = server
        .get_json(&format!("{USERS}/{ann_id}/roles"), &admin)
        .await;
    assert_eq!(roles["data"]["direct"][0]["name"], "Helpdesk");
    let groups: Value = server
        .get_json(&format!("{USERS}/{ann_id}/groups"), &admin)
        .await;
    assert_eq!(groups["data"][0]["name"], "Support");
    let eve: Value = server
        .get_json(&format!("{USERS}?search=eve"), &admin)
        .await;
    assert_eq!(eve["data"][0]["status"], "DISABLED");
    // Bob's row named a group that does not exist: nothing of it was kept.
    let bob: Value = server
        .get_json(&format!("{USERS}?search=bob"), &admin)
        .await;
    assert_eq!(bob["data"], json!([]));
}

#[tokio::test]
async fn bad_files_and_missing_permissions_are_refused_clearly() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let refused = |body: Value, status: StatusCode| {
        let server = &server;
        let admin = &admin;
        async move {
            let answer = server
                .send_json(Method::POST, IMPORT, Some(admin), body)
                .await;
            problem(answer, status).await
        }
    };
    let empty = refused(json!({"csv": "  "}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(empty["errors"][0]["message"], "The file is empty.");
    let no_email = refused(
        json!({"csv": "name,phone\nAda,1\n"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(no_email["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("email address"));
    let header_only = refused(json!({"csv": "email\n"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(header_only["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no users"));
    let huge = "email\n".to_owned() + &"someone@example.com\n".repeat(600_000);
    let too_big = refused(json!({"csv": huge}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        too_big["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("10 MB"),
        "{too_big}"
    );
    let wrong_mapping = refused(
        json!({"csv": "a,b\nx@example.com,1\n", "mapping": ["email"]}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(wrong_mapping["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("2 columns"));

    let (_, manager) = server
        .member_with(
            &admin,
            "manager@example.com",
            &["users:read", "users:write"],
        )
        .await;
    let answer = server
        .send_json(
            Method::POST,
            IMPORT,
            Some(&manager),
            json!({"csv": "email,groups\nx@example.com,Support\n"}),
        )
        .await;
    let body = problem(answer, StatusCode::FORBIDDEN).await;
    assert_eq!(body["missing_permission"], "groups:write");
}
