//! Bad input gets a clear 4xx problem, never a 500 or a stack trace.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{problem, LoggedServer, Options, TestServer, GROUPS, USERS};
use gatehouse_server::store::engine::{query, query_scalar};

#[tokio::test]
async fn malformed_bodies_get_clear_problems() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let post = |body: &'static str, content_type: &'static str| {
        server
            .request(Method::POST, USERS, Some(&token))
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let syntax = problem(
        post("{\"email\": ", "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(syntax["detail"], "The request body is not valid JSON.");

    let types = problem(
        post(r#"{"email": 42}"#, "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        types["detail"].as_str().unwrap().contains("email"),
        "{types}"
    );

    let unknown = problem(
        post(
            r#"{"email": "a@b.co", "is_admin": true}"#,
            "application/json",
        )
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        unknown["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `is_admin`"),
        "{unknown}"
    );

    problem(
        post(r#"{"email": "a@b.co"}"#, "text/plain").await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;

    let status = server
        .send_json(
            Method::PUT,
            &format!("{USERS}/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/status"),
            Some(&token),
            json!({"status": "ASLEEP"}),
        )
        .await;
    let status = problem(status, StatusCode::BAD_REQUEST).await;
    assert!(
        status["detail"]
            .as_str()
            .unwrap()
            .contains("unknown variant `ASLEEP`"),
        "{status}"
    );
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let huge = format!(
        r#"{{"email": "a@b.co", "display_name": "{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let response = server
        .request(Method::POST, USERS, Some(&token))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    // Sign-in is public; its body limit holds too.
    let huge_login = format!(
        r#"{{"email": "a@b.co", "password": "{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let response = server
        .request(Method::POST, "/api/v1/auth/login", None)
        .header("content-type", "application/json")
        .body(huge_login)
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[tokio::test]
async fn unknown_routes_methods_and_ids() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    problem(
        server.get("/api/v1/nothing-here", &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        server.get("/api/v2/tenants/default/users", &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        server.get(&format!("{USERS}/not-a-uuid"), &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let put = server
        .request(Method::PUT, USERS, Some(&token))
        .send()
        .await
        .unwrap();
    problem(put, StatusCode::METHOD_NOT_ALLOWED).await;
    let bad_query = problem(
        server.get(&format!("{USERS}?per_page=many"), &token).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad_query["detail"].as_str().unwrap().contains("per_page"));
    let unknown_param = problem(
        server.get(&format!("{USERS}?colour=red"), &token).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(unknown_param["detail"].as_str().unwrap().contains("colour"));
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let server = TestServer::start().await;
    let response = server
        .request(Method::GET, "/api/v1/setup", None)
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let id = headers["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["meta"]["request_id"], id);
}

#[tokio::test]
async fn listed_origins_may_call_the_api_from_a_browser() {
    let server = TestServer::start().await;
    let preflight = server
        .request(Method::OPTIONS, USERS, None)
        .header("origin", "https://console.example.com")
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, if-match, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://console.example.com"
    );
    assert!(headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("if-match"));

    let other = server
        .request(Method::GET, "/api/v1/setup", None)
        .header("origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// Writes that read before they write, arriving together, all succeed: none fails with
/// "database is locked" because another one committed in between.
#[tokio::test]
async fn concurrent_writes_wait_their_turn() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    let user = server
        .create_member(&token, "member@example.com", "correct battery staple")
        .await
        .id
        .to_string();
    let mut groups = Vec::new();
    for n in 0..24 {
        groups.push(server.create_group(&token, &format!("Team {n}"), &[]).await);
    }
    let paths: Vec<String> = groups
        .iter()
        .map(|group| format!("{GROUPS}/{group}/members"))
        .collect();
    let additions = paths.iter().map(|path| {
        server.send_json(
            Method::POST,
            path,
            Some(&token),
            json!({"user_ids": [user]}),
        )
    });
    for response in futures_util::future::join_all(additions).await {
        let status = response.status();
        assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
    }
}

/// A write that cannot get SQLite's write lock within the busy timeout is overload, not
/// a failure: 503 with Retry-After, and nothing written.
#[tokio::test]
async fn a_write_waiting_too_long_for_the_database_answers_503() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let db = server.database().await;
    // The write lock every write takes (SQLite's, or PostgreSQL's advisory lock).
    let holder = db.begin_write().await.unwrap();
    let answer = server
        .send_json(
            Method::POST,
            GROUPS,
            Some(&admin),
            json!({"name": "Waited too long"}),
        )
        .await;
    assert!(answer.headers().contains_key("retry-after"));
    let body = problem(answer, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        body["detail"].as_str().unwrap().contains("Try again"),
        "{body}"
    );
    holder.rollback().await.unwrap();
    let groups: serde_json::Value = server.get(GROUPS, &admin).await.json().await.unwrap();
    assert_eq!(groups["pagination"]["total_items"], 0);
}

const IMPORT: &str = "/api/v1/tenants/default/users/import";

/// A CSV import of `rows` new people: a request that takes a while.
fn slow_import(rows: usize) -> serde_json::Value {
    let mut csv = String::from("email,first_name,last_name\n");
    for n in 0..rows {
        csv.push_str(&format!("person{n}@example.com,Person,Number {n}\n"));
    }
    json!({ "csv": csv })
}

/// SIGTERM (what systemd, Docker and Kubernetes send) stops the server taking
/// connections, but the request in flight finishes: its answer arrives whole, its
/// change is kept, and the process exits cleanly.
#[tokio::test]
async fn sigterm_finishes_the_request_in_flight() {
    let mut server = LoggedServer::start(&[]).await;
    let token = server.admin_token().await;
    let request = server
        .http
        .post(server.url(IMPORT))
        .bearer_auth(&token)
        .json(&slow_import(1000))
        .send();
    let started = std::time::Instant::now();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.terminate();

    let answer = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(answer.status(), StatusCode::OK);
    let report: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(report["data"]["created"], 1000, "{report:#}");
    assert!(
        started.elapsed() > std::time::Duration::from_millis(300),
        "the import was still running when SIGTERM came"
    );
    let status = server
        .exited_within(std::time::Duration::from_secs(30))
        .await;
    assert!(status.success(), "a clean exit after SIGTERM: {status}");
    let refused = reqwest::Client::new()
        .get(server.url("/healthz"))
        .send()
        .await;
    assert!(refused.is_err(), "no new connections after it stopped");
    let logged = server.stop();
    assert!(
        logged.contains("finishing the requests in flight"),
        "{logged}"
    );
}

/// Two servers on one database, one killed (SIGKILL) in the middle of a large import:
/// nothing it had committed is lost, nothing of the import is half there, the database
/// is sound, and the other server goes on serving reads and writes with the same
/// session.
#[tokio::test]
async fn a_server_killed_mid_request_loses_nothing_committed_and_the_other_serves_on() {
    let mut first = LoggedServer::start(&[]).await;
    let second = first.beside().await;
    let token = first.admin_token().await;
    let created = first
        .http
        .post(first.url(USERS))
        .bearer_auth(&token)
        .json(&json!({"email": "kept@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);

    let import = first
        .http
        .post(first.url(IMPORT))
        .bearer_auth(&token)
        .json(&slow_import(3000))
        .send();
    let in_flight = tokio::spawn(import);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(!in_flight.is_finished(), "the import was still running");
    first.kill();
    let lost = in_flight.await.unwrap();
    assert!(lost.is_err(), "the killed server never answered: {lost:?}");

    // The other server: the session made on the first works, the committed user is
    // there, none of the import is.
    let users = |search: &'static str| {
        second
            .http
            .get(second.url(&format!("{USERS}?search={search}")))
            .bearer_auth(&token)
            .send()
    };
    let kept: serde_json::Value = users("kept").await.unwrap().json().await.unwrap();
    assert_eq!(kept["pagination"]["total_items"], 1, "{kept}");
    let imported: serde_json::Value = users("person").await.unwrap().json().await.unwrap();
    assert_eq!(imported["pagination"]["total_items"], 0, "{imported}");
    // And it writes: the killed server's write lock went with it.
    let written = second
        .http
        .post(second.url(USERS))
        .bearer_auth(&token)
        .json(&json!({"email": "after@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), StatusCode::CREATED);
    if let Some(file) = second.database_url().strip_prefix("sqlite://") {
        let check = sqlx::SqlitePool::connect(&format!("sqlite://{file}"))
            .await
            .unwrap();
        let integrity: String = query_scalar("PRAGMA integrity_check")
            .fetch_one(&check)
            .await
            .unwrap();
        assert_eq!(integrity, "ok");
    }
}

/// Past its limit of requests in flight the server sheds load: 503 with Retry-After at
/// once, not a queue; when the slow request is done, requests are served again.
#[tokio::test]
async fn requests_over_the_concurrency_limit_answer_503_at_once() {
    let mut options = Options::default();
    options.settings.max_concurrent_requests = 1;
    let server = TestServer::start_with(options).await;
    let token = server.admin_token().await;
    let slow = server.send_json(Method::POST, IMPORT, Some(&token), slow_import(1000));
    let quick = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let asked = std::time::Instant::now();
        let answer = server
            .request(Method::GET, USERS, Some(&token))
            .send()
            .await
            .unwrap();
        (answer, asked.elapsed())
    };
    let (slow, (quick, waited)) = tokio::join!(slow, quick);
    assert_eq!(slow.status(), StatusCode::OK);
    assert!(quick.headers().contains_key("retry-after"));
    assert!(
        waited < std::time::Duration::from_millis(500),
        "answered at once: {waited:?}"
    );
    let body = problem(quick, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["title"], "Server busy");
    let again = server
        .request(Method::GET, USERS, Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}

/// Two servers on one database, as behind a load balancer: nothing that matters lives in
/// one server's memory. A session made on one works on the other and ends on both; failed
/// sign-ins counted on either block the address on both; an edit through each from the
/// same version gets one success and one 412.
#[tokio::test]
async fn two_servers_on_one_database_share_sessions_limits_and_versions() {
    let mut options = Options::default();
    options.settings.max_failed_logins = 3;
    let one = TestServer::start_with(options).await;
    let two = one.beside().await;

    let token = one.admin_token().await;
    let me = two.get("/api/v1/auth/me", &token).await;
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "a session made on one works on two"
    );

    let member = one
        .create_member(&token, "shared@example.com", "correct battery staple")
        .await;
    for server in [&one, &two, &one] {
        problem(
            server
                .try_login("shared@example.com", "a wrong guess")
                .await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    let blocked = two
        .try_login("shared@example.com", "correct battery staple")
        .await;
    assert_eq!(
        blocked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "three failures spread over both servers block the address on either"
    );

    let edit = |server: &TestServer, name: &'static str| {
        server
            .request(
                Method::PATCH,
                &format!("{USERS}/{}", member.id),
                Some(&token),
            )
            .header("If-Match", "\"1\"")
            .json(&json!({ "display_name": name }))
            .send()
    };
    let (first, second) = tokio::join!(edit(&one, "From one"), edit(&two, "From two"));
    let mut statuses = [first.unwrap().status(), second.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);

    let out = two
        .request(Method::POST, "/api/v1/auth/logout", Some(&token))
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success());
    let after = one.get("/api/v1/auth/me", &token).await;
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "signing out on two ends the session on one"
    );
}

#[tokio::test]
async fn housekeeping_is_done_by_one_of_several_servers() {
    use gatehouse_server::store::chores;
    let one = TestServer::start().await;
    let _others = [one.beside().await, one.beside().await];
    // Each server looks at start; only the first to find it due does it.
    let db = gatehouse_server::store::connect(&one.database_url())
        .await
        .unwrap();
    for _ in 0..100 {
        if chores::runs(&db, gatehouse_server::HOUSEKEEPING)
            .await
            .unwrap()
            > 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        chores::runs(&db, gatehouse_server::HOUSEKEEPING)
            .await
            .unwrap(),
        1
    );

    // Servers racing for a due chore, each through its own connections: one gets it.
    let pools = [
        gatehouse_server::store::connect(&one.database_url())
            .await
            .unwrap(),
        gatehouse_server::store::connect(&one.database_url())
            .await
            .unwrap(),
    ];
    let takes: Vec<_> = (0..20)
        .map(|i| {
            let pool = pools[i % 2].clone();
            tokio::spawn(async move { chores::take(&pool, "racing", 60_000).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for take in takes {
        winners += usize::from(take.await.unwrap());
    }
    assert_eq!(winners, 1);
    // Not again until it is due.
    assert!(!chores::take(&db, "racing", 60_000).await.unwrap());
    query("UPDATE chores SET due_at = 0 WHERE name = 'racing'")
        .execute(&db)
        .await
        .unwrap();
    assert!(chores::take(&db, "racing", 60_000).await.unwrap());
}
