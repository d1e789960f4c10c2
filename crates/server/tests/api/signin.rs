//! Sign-in under attack: temporary blocks instead of permanent lockout, throttling per
//! address, no password oracle, bounded hashing, request time limits, and the shell
//! commands for the day everything else fails.

use std::time::Duration;

use gatehouse_server::Settings;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, Options, TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, USERS};
use gatehouse_server::store::engine::query;

const VICTIM: &str = "victim@example.com";
const VICTIM_PASSWORD: &str = "a good secret phrase";

fn settings(change: impl FnOnce(&mut Settings)) -> Options {
    let mut settings = Settings::default();
    change(&mut settings);
    Options {
        settings,
        ..Options::default()
    }
}

/// The Retry-After of a 429, after checking the problem.
async fn retry_after(response: reqwest::Response) -> u64 {
    let seconds = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    let body = problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:too-many-requests");
    assert!(body["detail"].as_str().unwrap().contains("Try again in"));
    seconds
}

#[tokio::test]
async fn failed_guesses_block_an_address_for_a_while_never_for_good() {
    let server = TestServer::start_with(settings(|s| {
        s.max_failed_logins = 3;
        s.sign_in_block = chrono::Duration::seconds(1);
    }))
    .await;
    let admin = server.admin_token().await;
    let victim = server.create_member(&admin, VICTIM, VICTIM_PASSWORD).await;
    let session = server.login(VICTIM, VICTIM_PASSWORD).await;
    for _ in 0..3 {
        problem(
            server.try_login(VICTIM, "guessing wrongly").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    // Blocked: even the right password waits, with a time to come back.
    let seconds = retry_after(server.try_login(VICTIM, VICTIM_PASSWORD).await).await;
    assert!((1..=2).contains(&seconds), "{seconds}");
    // An address nobody has is blocked the same way, so blocks reveal nothing.
    for _ in 0..3 {
        problem(
            server
                .try_login("nobody@example.com", "guessing wrongly")
                .await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    retry_after(
        server
            .try_login("nobody@example.com", "guessing wrongly")
            .await,
    )
    .await;

    // The account itself is untouched: still active, and its session still works.
    let user: Value = server
        .get(&format!("{USERS}/{}", victim.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["data"]["status"], "ACTIVE");
    assert_eq!(
        server.get("/api/v1/auth/me", &session).await.status(),
        StatusCode::OK
    );

    // The block ends by itself; the next one (after three more failures) lasts twice
    // as long.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    server.login(VICTIM, VICTIM_PASSWORD).await;
    for _ in 0..3 {
        server.try_login(VICTIM, "guessing wrongly").await;
    }
    let first = retry_after(server.try_login(VICTIM, VICTIM_PASSWORD).await).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for _ in 0..3 {
        server.try_login(VICTIM, "guessing wrongly").await;
    }
    let second = retry_after(server.try_login(VICTIM, VICTIM_PASSWORD).await).await;
    assert!(second > first, "backoff: {first} then {second}");
}

#[tokio::test]
async fn one_client_guessing_many_addresses_is_blocked() {
    let server = TestServer::start_with(settings(|s| s.max_failed_logins_per_client = 5)).await;
    for n in 0..5 {
        problem(
            server
                .try_login(&format!("spray{n}@example.com"), "Summer2026!!!")
                .await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    retry_after(server.try_login(ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled() {
    let server = TestServer::start_with(settings(|s| {
        s.max_failed_logins_per_client = 2;
        s.trust_proxy = true;
    }))
    .await;
    let attempt = |from: &'static str, email: &'static str, password: &'static str| {
        server
            .request(Method::POST, "/api/v1/auth/login", None)
            .header("x-forwarded-for", from)
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    for email in ["a@example.com", "b@example.com"] {
        let response = attempt("203.0.113.7", email, "wrong guess here")
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = attempt("203.0.113.7", ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy signs in.
    let other = attempt("198.51.100.2", ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn accounts_that_cannot_sign_in_answer_like_a_wrong_password() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let wrong = problem(
        server.try_login(ADMIN_EMAIL, "not the password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for status in ["DISABLED", "LOCKED"] {
        let user = server
            .create_member(&admin, &format!("{status}@example.com"), VICTIM_PASSWORD)
            .await;
        let changed = server
            .send_json(
                Method::PUT,
                &format!("{USERS}/{}/status", user.id),
                Some(&admin),
                json!({"status": status}),
            )
            .await;
        assert_eq!(changed.status(), StatusCode::OK);
        for password in [VICTIM_PASSWORD, "not the password"] {
            let refused = problem(
                server.try_login(&user.email, password).await,
                StatusCode::UNAUTHORIZED,
            )
            .await;
            assert_eq!(refused["detail"], wrong["detail"], "{status} {password}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_ins_is_shed_not_queued() {
    let server = TestServer::start_with(settings(|s| {
        s.hash_concurrency = 1;
        s.hash_wait = Duration::from_millis(5);
        s.max_failed_logins_per_client = 1000;
    }))
    .await;
    let attempts = (0..24).map(|n| {
        let request = server
            .request(Method::POST, "/api/v1/auth/login", None)
            .json(
                &json!({"email": format!("flood{n}@example.com"), "password": "wrong wrong wrong"}),
            );
        async move { request.send().await.unwrap() }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let mut busy = 0;
    for answer in answers {
        match answer.status() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(answer.headers().contains_key("retry-after"));
                let body = problem(answer, StatusCode::SERVICE_UNAVAILABLE).await;
                assert_eq!(body["type"], "urn:gatehouse:problem:unavailable");
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        busy > 0,
        "with one hash at a time, some of 24 sign-ins are shed"
    );
    // The server is fine afterwards.
    server.admin_token().await;
}

#[tokio::test]
async fn a_request_over_the_time_limit_gets_503() {
    let server = TestServer::start_with(settings(|s| {
        s.request_timeout = Duration::from_millis(1);
    }))
    .await;
    // Hashing a password takes far longer than a millisecond.
    let response = server.try_login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let body = problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["type"], "urn:gatehouse:problem:unavailable");
}

#[tokio::test]
async fn api_answers_are_never_cached_and_head_works_where_get_does() {
    let server = TestServer::start().await;
    let token = server.admin_token().await;
    for (method, path, auth) in [
        (Method::POST, "/api/v1/auth/login", false),
        (Method::GET, "/api/v1/auth/me", true),
        (Method::GET, "/api/v1/nowhere", true),
        (Method::GET, "/healthz", false),
    ] {
        let mut request = server.request(method, path, auth.then_some(token.as_str()));
        if path.ends_with("login") {
            request = request.json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert!(!response.headers().contains_key("strict-transport-security"));
    }
    for (path, auth) in [
        ("/healthz", None),
        ("/api/v1/auth/me", Some(token.as_str())),
    ] {
        let head = server
            .request(Method::HEAD, path, auth)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
    }
}

#[tokio::test]
async fn behind_tls_every_answer_asks_for_https() {
    let server = TestServer::start_with(settings(|s| s.hsts = true)).await;
    let response = server
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

/// Sets up the first administrator with `link`.
async fn use_setup_link(server: &TestServer, link: &str) -> reqwest::Response {
    let token = link.split("token=").nth(1).unwrap();
    server
        .send_json(
            Method::POST,
            "/api/v1/setup",
            None,
            json!({"token": token, "email": "first@example.com", "password": "a long opening passphrase"}),
        )
        .await
}

#[tokio::test]
async fn each_start_prints_a_new_setup_link_and_links_expire() {
    let mut server = TestServer::start_with(Options {
        admin: false,
        ..Options::default()
    })
    .await;
    let first = server.setup_url().unwrap();
    server.restart().await;
    let second = server.setup_url().unwrap();
    assert_ne!(first, second);
    let refused = problem(use_setup_link(&server, &first).await, StatusCode::FORBIDDEN).await;
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("most recently"));

    // A day later the current link has expired too.
    let db = server.database().await;
    query("UPDATE setup_tokens SET created_at = created_at - 86400001")
        .execute(&db)
        .await
        .unwrap();
    problem(
        use_setup_link(&server, &second).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    server.restart().await;
    let third = server.setup_url().unwrap();
    assert_eq!(
        use_setup_link(&server, &third).await.status(),
        StatusCode::CREATED
    );
}

/// Runs the server binary with a command, the way an operator would.
fn run_command(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse-server"))
        .args(args)
        .envs(env.iter().copied())
        .env("GATEHOUSE_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn the_shell_unlocks_an_account_and_sets_its_password() {
    let server = TestServer::start_with(settings(|s| s.max_failed_logins = 2)).await;
    let admin = server.admin_token().await;
    let victim = server.create_member(&admin, VICTIM, VICTIM_PASSWORD).await;
    server
        .send_json(
            Method::PUT,
            &format!("{USERS}/{}/status", victim.id),
            Some(&admin),
            json!({"status": "LOCKED"}),
        )
        .await;
    for _ in 0..2 {
        server.try_login(VICTIM, "guessing wrongly").await;
    }
    let database = server.database_url();

    let (ok, said) = run_command(
        &[
            "unlock",
            "--database",
            &database,
            "--email",
            "VICTIM@example.com",
        ],
        &[],
    );
    assert!(ok, "{said}");
    assert!(
        said.contains("LOCKED → ACTIVE") && said.contains("block cleared"),
        "{said}"
    );
    server.login(VICTIM, VICTIM_PASSWORD).await;

    let (ok, said) = run_command(
        &["set-password", "--database", &database, "--email", VICTIM],
        &[("GATEHOUSE_NEW_PASSWORD", "short")],
    );
    assert!(!ok && said.contains("policy"), "{said}");
    let (ok, said) = run_command(
        &[
            "set-password",
            "--database",
            &database,
            "--email",
            VICTIM,
            "--require-change",
        ],
        &[("GATEHOUSE_NEW_PASSWORD", "a brand new passphrase")],
    );
    assert!(ok && said.contains("must change it"), "{said}");
    problem(
        server.try_login(VICTIM, VICTIM_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let body: Value = server
        .try_login(VICTIM, "a brand new passphrase")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["requirement"], "password_change");

    let (ok, said) = run_command(
        &[
            "unlock",
            "--database",
            &database,
            "--email",
            "nobody@example.com",
        ],
        &[],
    );
    assert!(!ok && said.contains("no user"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_setup_token_is_refused_before_any_hashing() {
    let server = TestServer::start_with(Options {
        admin: false,
        ..settings(|s| {
            s.hash_concurrency = 1;
            s.hash_wait = Duration::from_millis(1);
        })
    })
    .await;
    let attempts = (0..16).map(|n| {
        let request = server
            .request(Method::POST, "/api/v1/setup", None)
            .json(&json!({
                "token": format!("ghsetup_guess{n}"),
                "email": "first@example.com",
                "password": "a long opening passphrase",
            }));
        async move { request.send().await.unwrap().status() }
    });
    // Were the password hashed first, a saturated hasher would answer some of these 503.
    for status in futures_util::future::join_all(attempts).await {
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_racing_a_deletion_stay_plain_refusals() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    for round in 0..3 {
        let email = format!("leaving{round}@example.com");
        let user = server.create_member(&admin, &email, VICTIM_PASSWORD).await;
        let delete = server
            .request(
                Method::DELETE,
                &format!(
                    "{USERS}/{}?confirm_email={}",
                    user.id,
                    email.replace('@', "%40")
                ),
                Some(&admin),
            )
            .send();
        let guesses = (0..8).map(|_| server.try_login(&email, "guessing wrongly"));
        let (deleted, answers) = tokio::join!(delete, futures_util::future::join_all(guesses));
        assert_eq!(deleted.unwrap().status(), StatusCode::NO_CONTENT);
        for answer in answers {
            assert!(
                matches!(
                    answer.status(),
                    StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
                ),
                "{}",
                answer.status()
            );
        }
    }
}
