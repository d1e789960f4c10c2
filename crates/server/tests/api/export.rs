//! CSV export of the users list: the list's filters and order over every page, the
//! columns asked for, cells that would run as spreadsheet formulas made text, and clear
//! refusals for unknown columns.

use gatehouse_api::users::CreateUser;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{problem, TestServer, USERS};

const EXPORT: &str = "/api/v1/tenants/default/users/export";

/// The export's rows (header first), read with a real CSV parser.
async fn export(server: &TestServer, token: &str, query: &str) -> Vec<Vec<String>> {
    let answer = server.get(&format!("{EXPORT}{query}"), token).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(answer.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("users.csv"));
    let body = answer.bytes().await.unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_ref())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn the_export_is_the_filtered_sorted_list_with_the_columns_chosen() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    for (email, first) in [
        ("b@acme.test", "=HYPERLINK(\"http://evil\")"),
        ("a@acme.test", "Ada, \"the\" first"),
        ("c@acme.test", "@SUM(A1)"),
    ] {
        server
            .create_user(
                &admin,
                &CreateUser {
                    email: email.into(),
                    first_name: Some(first.into()),
                    ..Default::default()
                },
            )
            .await;
    }
    let rows = export(
        &server,
        &admin,
        "?search=acme.test&sort_by=email&sort_order=asc&columns=email,first_name,status",
    )
    .await;
    assert_eq!(
        rows,
        [
            vec!["email", "first_name", "status"],
            vec!["a@acme.test", "Ada, \"the\" first", "ACTIVE"],
            vec!["b@acme.test", "'=HYPERLINK(\"http://evil\")", "ACTIVE"],
            vec!["c@acme.test", "'@SUM(A1)", "ACTIVE"],
        ]
    );
    // All columns by default, in their documented order.
    let all = export(&server, &admin, "?search=a@acme.test").await;
    assert_eq!(all[0][..3], ["id", "email", "username"]);
    assert_eq!(all.len(), 2);

    for bad in [
        "?columns=email,password_hash",
        "?columns=email,email",
        "?per_page=5",
    ] {
        let refused = server.get(&format!("{EXPORT}{bad}"), &admin).await;
        assert!(refused.status().is_client_error(), "{bad}");
    }
    let unknown = problem(
        server
            .get(&format!("{EXPORT}?columns=secret"), &admin)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(unknown["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no column"));
}

#[tokio::test]
async fn every_matching_row_comes_not_only_a_page() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    // More than two chunks of rows.
    for n in 1..=1234 {
        server
            .create_user(
                &admin,
                &CreateUser {
                    email: format!("bulk{n}@example.com"),
                    ..Default::default()
                },
            )
            .await;
    }
    let rows = export(
        &server,
        &admin,
        "?search=bulk&sort_by=created_at&sort_order=asc&columns=email",
    )
    .await;
    assert_eq!(rows.len(), 1 + 1234);
    assert_eq!(rows[1], ["bulk1@example.com"]);
    assert_eq!(rows[1234], ["bulk1234@example.com"]);
    let listed: Value = server.get(USERS, &admin).await.json().await.unwrap();
    assert_eq!(listed["pagination"]["total_items"], 1235);
}
