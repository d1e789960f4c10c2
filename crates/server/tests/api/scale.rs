//! Long user lists: totals kept in step without counting, estimates marked as such,
//! and pages in the back half read from the other end, all checked against the rows
//! themselves.

use gatehouse_api::users::User;
use gatehouse_api::Page;
use gatehouse_server::demo::{populate, Demo};
use reqwest::{Method, StatusCode};

use crate::common::{on_postgres, TestServer, USERS};
use gatehouse_server::store::engine::{query, query_scalar};
use gatehouse_server::store::Db;
use uuid::Uuid;

async fn list(server: &TestServer, token: &str, query: &str) -> Page<User> {
    let response = server.get(&format!("{USERS}?{query}"), token).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn emails(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.email.clone()).collect()
}

/// The emails of the newest fifty live users meeting `condition`, by SQL.
async fn newest(db: &Db, condition: &str) -> Vec<String> {
    query_scalar(format!(
        "SELECT email FROM users WHERE tenant_id = 'default' AND deleted_at IS NULL AND {condition}
          ORDER BY created_at DESC, seq DESC LIMIT 50"
    ))
    .fetch_all(db)
    .await
    .unwrap()
}

/// The emails on page `page` (of fifty, newest first) of the live users holding `role`
/// directly or through a group, by SQL.
async fn holders_page(db: &Db, role: Uuid, page: i64) -> Vec<String> {
    query_scalar(
        "SELECT email FROM users WHERE tenant_id = 'default' AND deleted_at IS NULL
           AND (id IN (SELECT user_id FROM user_roles WHERE role_id = ?1)
                OR id IN (SELECT gm.user_id FROM group_members gm
                          JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gr.role_id = ?1))
          ORDER BY created_at DESC, seq DESC LIMIT 50 OFFSET ?2",
    )
    .bind(role)
    .bind((page - 1) * 50)
    .fetch_all(db)
    .await
    .unwrap()
}

/// The live users of the default tenant matching `condition`, counted by SQL.
async fn counted(db: &Db, condition: &str) -> u64 {
    let n: i64 = query_scalar(format!(
        "SELECT COUNT(*) FROM users WHERE tenant_id = 'default' AND deleted_at IS NULL AND {condition}"
    ))
    .fetch_one(db)
    .await
    .unwrap();
    n as u64
}

#[tokio::test]
async fn totals_stay_exact_through_creating_changing_and_deleting() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let db = server.database().await;
    let mut made = Vec::new();
    for i in 0..6 {
        made.push(
            server
                .create_member(
                    &token,
                    &format!("p{i}@example.com"),
                    "a long enough password",
                )
                .await,
        );
    }
    server
        .set_status(&token, &made[0].id.to_string(), "LOCKED")
        .await;
    server
        .set_status(&token, &made[1].id.to_string(), "DISABLED")
        .await;
    server
        .set_status(&token, &made[1].id.to_string(), "LOCKED")
        .await;
    let doomed = &made[2];
    let response = server
        .request(
            Method::DELETE,
            &format!(
                "{USERS}/{}?confirm_email={}",
                doomed.id,
                doomed.email.replace('@', "%40")
            ),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());

    let all = list(&server, &token, "").await.pagination;
    assert_eq!((all.total_items, all.total_is_estimate), (6, false));
    assert_eq!(all.total_items, counted(&db, "TRUE").await);
    for status in ["ACTIVE", "LOCKED", "DISABLED"] {
        let page = list(&server, &token, &format!("status={status}")).await;
        assert_eq!(
            page.pagination.total_items,
            counted(&db, &format!("status = '{status}'")).await,
            "{status}"
        );
        assert_eq!(page.data.len() as u64, page.pagination.total_items);
    }
    assert_eq!(
        list(&server, &token, "status=LOCKED")
            .await
            .pagination
            .total_items,
        2
    );
}

#[tokio::test]
async fn a_long_list_estimates_broad_totals_and_reads_back_pages_from_the_end() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let db = server.database().await;
    let demo = Demo {
        users: 60_000,
        groups: 20,
        seed: 7,
    };
    populate(&db, &demo).await.unwrap();

    // No filter, and one status: exact, from the kept counts.
    let all = list(&server, &token, "per_page=50").await.pagination;
    assert_eq!((all.total_items, all.total_is_estimate), (60_001, false));
    let locked = list(&server, &token, "status=LOCKED").await.pagination;
    assert!(!locked.total_is_estimate);
    assert_eq!(locked.total_items, counted(&db, "status = 'LOCKED'").await);

    // A search naming a large share of the users: an estimate, marked, near the truth.
    let truth = counted(&db, "email LIKE '%hooli%'").await;
    assert!(truth > 5_000, "the demo data has {truth} hooli addresses");
    let broad = list(&server, &token, "search=hooli&per_page=50").await;
    assert!(broad.pagination.total_is_estimate);
    let estimate = broad.pagination.total_items as f64;
    assert!(
        (estimate - truth as f64).abs() < truth as f64 * 0.25,
        "estimated {estimate}, counted {truth}"
    );
    assert_eq!(broad.data.len(), 50);
    assert!(broad.data.iter().all(|u| u.email.contains("hooli")));
    assert!(broad.pagination.total_pages > 1);

    // A search naming few: counted exactly.
    let rare = list(&server, &token, "search=hooli%20ada").await.pagination;
    assert!(!rare.total_is_estimate);
    let rare_truth = if on_postgres() {
        counted(
            &db,
            "email LIKE '%hooli%' AND (email LIKE '%ada%' OR username LIKE '%ada%' \
             OR first_name LIKE '%ada%' OR last_name LIKE '%ada%' OR display_name LIKE '%ada%')",
        )
        .await
    } else {
        counted(
            &db,
            "email LIKE '%hooli%' AND seq IN (SELECT rowid FROM users_words WHERE users_words MATCH '\"ada\"*')",
        )
        .await
    };
    assert_eq!(rare.total_items, rare_truth);

    // A word in three rows of four (six of the demo's eight mail domains): found all
    // over the sample, so the page is read walking the order (on PostgreSQL without
    // counting the matches first); an estimate near the truth, and the newest fifty.
    let everyone = list(&server, &token, "search=test&per_page=50").await;
    assert!(everyone.pagination.total_is_estimate);
    let (guessed, in_test) = (
        everyone.pagination.total_items as f64,
        counted(&db, "email LIKE '%test%'").await as f64,
    );
    assert!(
        (guessed - in_test).abs() < in_test * 0.1,
        "estimated {guessed}, counted {in_test}"
    );
    assert_eq!(
        emails(&everyone.data),
        newest(&db, "email LIKE '%test%'").await
    );

    // A word as common, but in one stretch of the table only (one import's): not found
    // all over the sample, so its matches are counted; the page is the same as SQL's.
    query("UPDATE users SET last_name = 'Quagga' WHERE seq BETWEEN 30000 AND 38999")
        .execute(&db)
        .await
        .unwrap();
    let clustered = list(&server, &token, "search=quagga&per_page=50").await;
    assert_eq!(clustered.data.len(), 50);
    assert_eq!(
        emails(&clustered.data),
        newest(&db, "last_name = 'Quagga'").await
    );

    // Past the end of an estimated list: an empty page, and the total no higher than
    // the rows before it.
    let beyond = list(&server, &token, "search=hooli&per_page=50&page=1000").await;
    assert!(beyond.data.is_empty());
    assert!(beyond.pagination.total_items <= 999 * 50);
    // The last page of it is short, and then the total is exact.
    let last_page = truth.div_ceil(50);
    let last = list(
        &server,
        &token,
        &format!("search=hooli&per_page=50&page={last_page}"),
    )
    .await;
    assert_eq!(last.data.len() as u64, truth - (last_page - 1) * 50);
    assert_eq!(
        (
            last.pagination.total_items,
            last.pagination.total_is_estimate
        ),
        (truth, false)
    );

    // A role held through groups only, and one held directly and through groups: the
    // first page walks the order checking each user, a deep one of the rarer role sorts
    // its holders instead; either way the rows SQL gives.
    for name in ["Auditor", "Viewer"] {
        let role: Uuid = server.builtin_role(&token, name).await.parse().unwrap();
        for page in [1, 20] {
            let shown = list(
                &server,
                &token,
                &format!("role_id={role}&per_page=50&page={page}"),
            )
            .await;
            assert_eq!(shown.data.len(), 50, "{name} page {page}");
            assert_eq!(
                emails(&shown.data),
                holders_page(&db, role, page).await,
                "{name} page {page}"
            );
        }
    }

    // Pages from the back half, read backwards, are the same rows in the same order as
    // SQL reading them from the front.
    for (query, order) in [
        (
            "sort_by=display_name",
            "display_name COLLATE NOCASE ASC NULLS FIRST, seq ASC",
        ),
        (
            "sort_by=last_login_at&sort_order=desc",
            "last_login_at DESC NULLS LAST, seq DESC",
        ),
        ("", "created_at DESC, seq DESC"),
    ] {
        for page in [1_000, 1_200, 1_201] {
            let shown: Vec<String> =
                list(&server, &token, &format!("{query}&per_page=50&page={page}"))
                    .await
                    .data
                    .into_iter()
                    .map(|u| u.email)
                    .collect();
            let expected: Vec<String> = query_scalar(format!(
                "SELECT email FROM users WHERE tenant_id = 'default' AND deleted_at IS NULL
                  ORDER BY {order} LIMIT 50 OFFSET {}",
                (page - 1) * 50
            ))
            .fetch_all(&db)
            .await
            .unwrap();
            assert_eq!(shown, expected, "{query} page {page}");
        }
    }
}
