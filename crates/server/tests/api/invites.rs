//! Invites, mail through a real SMTP server (maildev), and passwords chosen by link.

use std::time::Duration;

use gatehouse_server::mail::MailSettings;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{
    error_fields, link_in, problem, secret_in, with_mail, LoggedServer, MailServer, Options,
    TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, USERS,
};
use gatehouse_server::store::engine::{query, query_scalar};

const INVITES: &str = "/api/v1/tenants/default/invites";
const PASSWORD: &str = "a password of my own";

/// A free port where no SMTP server listens yet, and options that send mail there
/// (retrying fast): mail that cannot leave, until a test starts a server on that port.
fn mail_to_nowhere() -> (u16, Options) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = Options {
        mail: MailSettings {
            smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
            from: "Gatehouse <gatehouse@example.com>".into(),
            retry_base: Duration::from_millis(300),
            max_attempts: 50,
        },
        ..Options::default()
    };
    (port, options)
}

async fn invite(server: &TestServer, token: &str, body: Value) -> Value {
    let response = server
        .send_json(Method::POST, INVITES, Some(token), body)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

async fn public(server: &TestServer, path: &str, body: Value) -> reqwest::Response {
    server.send_json(Method::POST, path, None, body).await
}

/// Waits until an invite's delivery reaches `status`, and returns the invite.
async fn delivery_becomes(server: &TestServer, token: &str, id: &str, status: &str) -> Value {
    let started = std::time::Instant::now();
    let mut last = Value::Null;
    for _ in 0..600 {
        let invite: Value = server
            .get(&format!("{INVITES}/{id}"), token)
            .await
            .json()
            .await
            .unwrap();
        if invite["data"]["delivery"]["status"] == status {
            eprintln!("{status} after {:?}", started.elapsed());
            return invite["data"].clone();
        }
        last = invite;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delivery of {id} never became {status}: {last}");
}

#[tokio::test]
async fn each_address_gets_a_result_and_a_mail_with_a_single_use_link() {
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    let viewer = server.builtin_role(&admin, "Viewer").await;
    let team = server.create_group(&admin, "Team", &[]).await;

    let answer = invite(
        &server,
        &admin,
        json!({
            "emails": ["ann@example.com", "Bob <BOB@example.com>", "bob@example.com", "not-an-address", ADMIN_EMAIL],
            "role_ids": [viewer],
            "group_ids": [team],
            "message": "Welcome <aboard>",
        }),
    )
    .await;
    let outcomes: Vec<&str> = answer["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["invited", "invalid", "invited", "invalid", "already_a_user"],
        "{answer}"
    );
    assert_eq!(answer["data"]["mail_configured"], true);
    let again = invite(&server, &admin, json!({"emails": ["ann@example.com"]})).await;
    assert_eq!(again["data"]["results"][0]["outcome"], "already_invited");
    assert!(again["data"]["results"][0].get("link").is_none());

    // The mail names who invited and carries the link, which works once.
    let messages = mail.wait_for("ann@example.com", 1).await;
    assert!(messages[0]["subject"]
        .as_str()
        .unwrap()
        .contains("invited you to Default"));
    assert!(messages[0]["html"]
        .as_str()
        .unwrap()
        .contains("Welcome &lt;aboard&gt;"));
    let link = link_in(&messages[0]);
    assert!(link.contains("/invite#code="), "{link}");
    // With mail, the link goes to the address only, never back to the inviter.
    assert!(answer["data"]["results"][0]["link"].is_null(), "{answer}");
    let code = secret_in(&link, "code");
    let id = answer["data"]["results"][0]["invite"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    delivery_becomes(&server, &admin, &id, "SENT").await;

    // The code is nowhere in the database, nor in any later answer.
    let db = server.database().await;
    let hash: Vec<u8> =
        query_scalar("SELECT code_hash FROM invites WHERE email = 'ann@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(hash.len(), 32);
    let bodies: Vec<String> = query_scalar("SELECT text_body || html_body FROM outbox")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(
        bodies.iter().all(|b| !b.contains(&code)),
        "sent bodies are blanked"
    );
    let listed = server.get(INVITES, &admin).await.text().await.unwrap();
    assert!(!listed.contains(&code));

    let looked_up: Value = public(&server, "/api/v1/invites/lookup", json!({"code": code}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(looked_up["data"]["email"], "ann@example.com");
    assert_eq!(looked_up["data"]["tenant_name"], "Default");
    let weak = public(
        &server,
        "/api/v1/invites/accept",
        json!({"code": code, "password": "short"}),
    )
    .await;
    assert_eq!(
        error_fields(&problem(weak, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["password"]
    );
    let accepted = public(
        &server,
        "/api/v1/invites/accept",
        json!({"code": code, "password": PASSWORD, "given_name": "Ann", "family_name": "Example"}),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
    let session: Value = accepted.json().await.unwrap();
    let ann = session["data"]["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(session["data"]["user"]["first_name"], "Ann");
    assert_eq!(session["data"]["user"]["email_verified"], true);
    assert!(session["data"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("users:read")));
    let groups: Value = server
        .get(&format!("{USERS}/{ann}/groups"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["data"][0]["name"], "Team");
    server.login("ann@example.com", PASSWORD).await;

    // Used: the link is dead, and the invite says who it became.
    for (path, body) in [
        ("/api/v1/invites/lookup", json!({"code": code})),
        (
            "/api/v1/invites/accept",
            json!({"code": code, "password": PASSWORD}),
        ),
    ] {
        let dead = public(&server, path, body).await;
        let body = problem(dead, StatusCode::GONE).await;
        assert!(body["detail"]
            .as_str()
            .unwrap()
            .contains("Ask the person who invited you"));
    }
    let invite: Value = server
        .get(&format!("{INVITES}/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(invite["data"]["status"], "ACCEPTED");
    assert_eq!(invite["data"]["user"]["email"], "ann@example.com");
}

#[tokio::test]
async fn an_invite_grants_nothing_its_inviter_could_not() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (_, inviter) = server
        .member_with(
            &admin,
            "inviter@example.com",
            &["invites:read", "invites:write", "users:read"],
        )
        .await;
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let admins = server.create_group(&admin, "Admins", &[&admin_role]).await;
    for body in [
        json!({"emails": ["eve@example.com"], "role_ids": [admin_role]}),
        json!({"emails": ["eve@example.com"], "group_ids": [admins]}),
    ] {
        let refused = server
            .send_json(Method::POST, INVITES, Some(&inviter), body)
            .await;
        problem(refused, StatusCode::FORBIDDEN).await;
    }
    let list: Value = server.get(INVITES, &admin).await.json().await.unwrap();
    assert_eq!(list["pagination"]["total_items"], 0);

    // An administrator's pending invite for Admin is out of the weaker inviter's reach.
    let strong = invite(
        &server,
        &admin,
        json!({"emails": ["root2@example.com"], "role_ids": [admin_role]}),
    )
    .await;
    let id = strong["data"]["results"][0]["invite"]["id"]
        .as_str()
        .unwrap();
    for path in [
        format!("{INVITES}/{id}/resend"),
        format!("{INVITES}/{id}/revoke"),
    ] {
        let refused = server
            .send_json(Method::POST, &path, Some(&inviter), json!({}))
            .await;
        problem(refused, StatusCode::FORBIDDEN).await;
    }
}

#[tokio::test]
async fn resending_replaces_the_link_and_revoking_or_expiry_ends_it() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let answer = invite(
        &server,
        &admin,
        json!({"emails": ["cy@example.com", "di@example.com", "ed@example.com"], "expires_in_days": 1}),
    )
    .await;
    // Without mail, the answer holds the links to share by hand.
    assert_eq!(answer["data"]["mail_configured"], false);
    assert!(answer["data"]["results"][0]["invite"]["delivery"].is_null());
    let result = |n: usize, key: &str| answer["data"]["results"][n][key].clone();
    let first_code = secret_in(result(0, "link").as_str().unwrap(), "code");
    let cy = result(0, "invite")["id"].as_str().unwrap().to_owned();

    let resent = server
        .send_json(
            Method::POST,
            &format!("{INVITES}/{cy}/resend"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(resent.status(), StatusCode::OK);
    let resent: Value = resent.json().await.unwrap();
    let second_code = secret_in(resent["data"]["link"].as_str().unwrap(), "code");
    assert_ne!(first_code, second_code);
    problem(
        public(
            &server,
            "/api/v1/invites/lookup",
            json!({"code": first_code}),
        )
        .await,
        StatusCode::GONE,
    )
    .await;
    assert_eq!(
        public(
            &server,
            "/api/v1/invites/lookup",
            json!({"code": second_code})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let revoked = server
        .send_json(
            Method::POST,
            &format!("{INVITES}/{cy}/revoke"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    problem(
        public(
            &server,
            "/api/v1/invites/lookup",
            json!({"code": second_code}),
        )
        .await,
        StatusCode::GONE,
    )
    .await;

    // An invite past its expiry is expired: its link is dead, the list says so, and it
    // can be sent again.
    let di = result(1, "invite")["id"].as_str().unwrap().to_owned();
    let di_code = secret_in(result(1, "link").as_str().unwrap(), "code");
    let db = server.database().await;
    query("UPDATE invites SET expires_at = 0 WHERE email = 'di@example.com'")
        .execute(&db)
        .await
        .unwrap();
    problem(
        public(&server, "/api/v1/invites/lookup", json!({"code": di_code})).await,
        StatusCode::GONE,
    )
    .await;
    let expired: Value = server
        .get(&format!("{INVITES}?status=EXPIRED"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(expired["data"][0]["id"], di.as_str());
    assert_eq!(expired["data"][0]["status"], "EXPIRED");

    // "Delete all pending": only ed's was still pending.
    let all = server
        .send_json(
            Method::POST,
            &format!("{INVITES}/revoke"),
            Some(&admin),
            json!({"all_pending": true}),
        )
        .await;
    let all: Value = all.json().await.unwrap();
    assert_eq!(all["data"]["results"].as_array().unwrap().len(), 1);
    let pending: Value = server
        .get(&format!("{INVITES}?status=PENDING"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["pagination"]["total_items"], 0);
    let listed: Value = server
        .get(&format!("{INVITES}?search=ed%40&sort_by=email"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["status"], "REVOKED");
}

#[tokio::test]
async fn mail_that_cannot_leave_fails_visibly_and_goes_out_once_the_server_is_back() {
    // An SMTP port nobody listens on yet.
    let (port, options) = mail_to_nowhere();
    let mut server = TestServer::start_with(options).await;
    let admin = server.admin_token().await;
    let answer = invite(&server, &admin, json!({"emails": ["fay@example.com"]})).await;
    assert_eq!(answer["data"]["results"][0]["outcome"], "invited");
    let id = answer["data"]["results"][0]["invite"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failed = delivery_becomes(&server, &admin, &id, "FAILED").await;
    assert!(failed["delivery"]["last_error"]
        .as_str()
        .unwrap()
        .contains("SMTP"));
    assert!(failed["delivery"]["next_attempt_at"].is_string());

    // A restart in between loses nothing; once the mail server is up, it goes out.
    server.restart().await;
    let admin = server.admin_token().await;
    let mail = MailServer::start_on(port).await;
    let messages = mail.wait_for("fay@example.com", 1).await;
    assert!(link_in(&messages[0]).contains("/invite#code="));
    delivery_becomes(&server, &admin, &id, "SENT").await;
}

#[tokio::test]
async fn a_forgotten_password_is_chosen_again_by_link_once() {
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    server
        .create_member(&admin, "gus@example.com", PASSWORD)
        .await;
    let other_session = server.login("gus@example.com", PASSWORD).await;

    // Known or not, the answer is the same.
    let forgot = |email: &'static str| {
        public(
            &server,
            "/api/v1/auth/password/forgot",
            json!({"email": email}),
        )
    };
    let known = forgot("gus@example.com").await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    let known: Value = known.json().await.unwrap();
    let unknown: Value = forgot("nobody@example.com").await.json().await.unwrap();
    assert_eq!(known["data"], unknown["data"]);
    let messages = mail.wait_for("gus@example.com", 1).await;
    assert!(mail.messages_to("nobody@example.com").await.is_empty());
    let token = secret_in(&link_in(&messages[0]), "token");

    let lookup: Value = public(
        &server,
        "/api/v1/auth/password/reset/lookup",
        json!({"token": token}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(lookup["data"]["email"], "gus@example.com");
    let reset = |password: &'static str| {
        public(
            &server,
            "/api/v1/auth/password/reset",
            json!({"token": token, "new_password": password}),
        )
    };
    assert_eq!(
        error_fields(&problem(reset("short").await, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["new_password"]
    );
    assert_eq!(
        reset("my brand new phrase").await.status(),
        StatusCode::NO_CONTENT
    );
    problem(reset("another new phrase").await, StatusCode::GONE).await;
    problem(
        server.try_login("gus@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    server.login("gus@example.com", "my brand new phrase").await;
    problem(
        server.get("/api/v1/auth/me", &other_session).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Asking again and again for one address is limited.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(forgot("hammered@example.com").await.status());
    }
    assert_eq!(statuses[..4], [StatusCode::ACCEPTED; 4]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn administrators_send_reset_links_and_welcomes_and_see_how_they_went() {
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    let created = server
        .send_json(
            Method::POST,
            USERS,
            Some(&admin),
            json!({"email": "hal@example.com", "send_welcome_email": true}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let hal: Value = created.json().await.unwrap();
    let hal = hal["data"]["id"].as_str().unwrap().to_owned();
    let welcome = mail.wait_for("hal@example.com", 1).await;
    assert!(welcome[0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Welcome"));
    let token = secret_in(&link_in(&welcome[0]), "token");
    assert_eq!(
        public(
            &server,
            "/api/v1/auth/password/reset",
            json!({"token": token, "new_password": PASSWORD})
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    server.login("hal@example.com", PASSWORD).await;

    let sent = server
        .send_json(
            Method::POST,
            &format!("{USERS}/{hal}/password/reset"),
            Some(&admin),
            json!({"method": "EMAIL"}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    mail.wait_for("hal@example.com", 2).await;
    for _ in 0..100 {
        let history: Value = server
            .get(&format!("{USERS}/{hal}/mail"), &admin)
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<(&str, &str)> = history["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["kind"].as_str().unwrap(), d["status"].as_str().unwrap()))
            .collect();
        if kinds == [("PASSWORD_RESET", "SENT"), ("WELCOME", "SENT")] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let history: Value = server
        .get(&format!("{USERS}/{hal}/mail"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["data"][0]["status"], "SENT", "{history}");

    // A test message says whether it left.
    let test: Value = server
        .send_json(
            Method::POST,
            "/api/v1/tenants/default/settings/mail/test",
            Some(&admin),
            json!({"to": "ops@example.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(test["data"]["delivered"], true);
    mail.wait_for("ops@example.com", 1).await;
}

#[tokio::test]
async fn without_mail_nothing_pretends_to_send() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let settings: Value = server
        .get("/api/v1/tenants/default/settings/mail", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["data"]["configured"], false);
    let welcome = server
        .send_json(
            Method::POST,
            USERS,
            Some(&admin),
            json!({"email": "ivy@example.com", "send_welcome_email": true}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(welcome, StatusCode::CONFLICT).await),
        ["send_welcome_email"]
    );
    let forgot = public(
        &server,
        "/api/v1/auth/password/forgot",
        json!({"email": ADMIN_EMAIL}),
    )
    .await;
    problem(forgot, StatusCode::CONFLICT).await;
    server.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

/// Runs the real server binary and returns everything it logged.
#[tokio::test]
async fn no_code_or_token_reaches_the_log() {
    let mail = MailServer::start().await;
    let server = LoggedServer::start(&[("GATEHOUSE_SMTP_URL", mail.smtp_url())]).await;
    let base = server.base.clone();
    let http = server.http.clone();
    let token = server.admin_token().await;
    let answer: Value = http
        .post(format!("{base}{INVITES}"))
        .bearer_auth(&token)
        .json(&json!({"emails": ["jo@example.com"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(answer["data"]["results"][0]["invite"].is_object());
    let code = secret_in(
        &link_in(&mail.wait_for("jo@example.com", 1).await[0]),
        "code",
    );
    let accepted = http
        .post(format!("{base}/api/v1/invites/accept"))
        .json(&json!({"code": code, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    http.post(format!("{base}/api/v1/auth/password/forgot"))
        .json(&json!({"email": "jo@example.com"}))
        .send()
        .await
        .unwrap();
    let messages = mail.wait_for("jo@example.com", 2).await;
    let reset = secret_in(&link_in(&messages[1]), "token");
    http.post(format!("{base}/api/v1/auth/password/reset"))
        .json(&json!({"token": reset, "new_password": "yet another phrase"}))
        .send()
        .await
        .unwrap();
    let logged = server.stop();
    for secret in [&code, &reset, &token] {
        assert!(
            !logged.contains(secret.as_str()),
            "a secret reached the log"
        );
    }
}

/// The user created by accepting, as an administrator sees them.
async fn accepted_user(server: &TestServer, admin: &str, email: &str) -> Value {
    let found: Value = server
        .get(&format!("{USERS}?search={email}"), admin)
        .await
        .json()
        .await
        .unwrap();
    found["data"][0].clone()
}

#[tokio::test]
async fn inviting_into_roles_and_groups_takes_roles_and_groups_write() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let viewer = server.builtin_role(&admin, "Viewer").await;
    let team = server.create_group(&admin, "Team", &[]).await;
    // Invites, and the Viewer's permissions, but not roles:write or groups:write.
    let (_, inviter) = server
        .member_with(
            &admin,
            "inviter@example.com",
            &[
                "invites:write",
                "users:read",
                "groups:read",
                "roles:read",
                "invites:read",
                "audit:read",
                "sso:read",
                "api_keys:read",
            ],
        )
        .await;
    for (body, missing) in [
        (
            json!({"emails": ["a@example.com"], "role_ids": [viewer]}),
            "roles:write",
        ),
        (
            json!({"emails": ["b@example.com"], "group_ids": [team]}),
            "groups:write",
        ),
    ] {
        let refused = server
            .send_json(Method::POST, INVITES, Some(&inviter), body)
            .await;
        let body = problem(refused, StatusCode::FORBIDDEN).await;
        assert_eq!(body["missing_permission"], missing);
    }
    let plain = invite(&server, &inviter, json!({"emails": ["c@example.com"]})).await;
    assert_eq!(plain["data"]["results"][0]["outcome"], "invited");
}

#[tokio::test]
async fn accepting_proves_the_address_only_when_the_link_went_by_mail_alone() {
    // Without mail the administrator is handed the link: accepting proves nothing.
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let answer = invite(&server, &admin, json!({"emails": ["kim@example.com"]})).await;
    let link = answer["data"]["results"][0]["link"].as_str().unwrap();
    let accepted = public(
        &server,
        "/api/v1/invites/accept",
        json!({"code": secret_in(link, "code"), "password": PASSWORD}),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
    assert_eq!(
        accepted_user(&server, &admin, "kim@example.com").await["email_verified"],
        false
    );

    // With mail only the address gets it.
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    let answer = invite(&server, &admin, json!({"emails": ["lee@example.com"]})).await;
    assert!(answer["data"]["results"][0]["link"].is_null());
    let id = answer["data"]["results"][0]["invite"]["id"]
        .as_str()
        .unwrap();
    // A resend cancels a message still queued ("Replaced by a newer invitation"), so
    // the first must have gone out for two to arrive.
    mail.wait_for("lee@example.com", 1).await;
    let resent: Value = server
        .send_json(
            Method::POST,
            &format!("{INVITES}/{id}/resend"),
            Some(&admin),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(resent["data"]["link"].is_null(), "{resent}");
    let code = secret_in(
        &link_in(&mail.wait_for("lee@example.com", 2).await[1]),
        "code",
    );
    let accepted = public(
        &server,
        "/api/v1/invites/accept",
        json!({"code": code, "password": PASSWORD}),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
    assert_eq!(
        accepted_user(&server, &admin, "lee@example.com").await["email_verified"],
        true
    );
}

#[tokio::test]
async fn an_invite_from_someone_who_can_no_longer_sign_in_is_void() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let admin_role = server.builtin_role(&admin, "Admin").await;
    let inviter = server
        .create_member(&admin, "leaving@example.com", "member passphrase 1")
        .await
        .id
        .to_string();
    assert_eq!(
        server
            .set_roles(&admin, &inviter, &[&admin_role])
            .await
            .status(),
        StatusCode::OK
    );
    let token = server
        .login("leaving@example.com", "member passphrase 1")
        .await;
    let answer = invite(
        &server,
        &token,
        json!({"emails": ["mo@example.com"], "role_ids": [admin_role]}),
    )
    .await;
    let code = secret_in(
        answer["data"]["results"][0]["link"].as_str().unwrap(),
        "code",
    );
    let disabled = server.set_status(&admin, &inviter, "DISABLED").await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let accepted = public(
        &server,
        "/api/v1/invites/accept",
        json!({"code": code, "password": PASSWORD}),
    )
    .await;
    problem(accepted, StatusCode::GONE).await;
    assert!(accepted_user(&server, &admin, "mo@example.com")
        .await
        .is_null());
}

#[tokio::test]
async fn revoking_stops_mail_that_has_not_left_yet() {
    let (port, options) = mail_to_nowhere();
    let server = TestServer::start_with(options).await;
    let admin = server.admin_token().await;
    let answer = invite(&server, &admin, json!({"emails": ["nat@example.com"]})).await;
    let id = answer["data"]["results"][0]["invite"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    delivery_becomes(&server, &admin, &id, "FAILED").await;
    let revoked = server
        .send_json(
            Method::POST,
            &format!("{INVITES}/{id}/revoke"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let invite: Value = revoked.json().await.unwrap();
    assert!(
        invite["data"]["delivery"]["next_attempt_at"].is_null(),
        "{invite}"
    );
    assert!(invite["data"]["delivery"]["last_error"]
        .as_str()
        .unwrap()
        .contains("revoked"));
    // The mail server comes up; the revoked invitation never goes out.
    let mail = MailServer::start_on(port).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(mail.messages_to("nat@example.com").await.is_empty());
}

#[tokio::test]
async fn password_links_end_when_the_password_or_the_address_changes() {
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    let lookup = |token: String| {
        let server = &server;
        async move {
            public(
                server,
                "/api/v1/auth/password/reset/lookup",
                json!({"token": token}),
            )
            .await
            .status()
        }
    };
    // A welcome link survives a stranger's "forgot password" for the same address.
    let created: Value = server
        .send_json(
            Method::POST,
            USERS,
            Some(&admin),
            json!({"email": "oz@example.com", "send_welcome_email": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let welcome = secret_in(
        &link_in(&mail.wait_for("oz@example.com", 1).await[0]),
        "token",
    );
    public(
        &server,
        "/api/v1/auth/password/forgot",
        json!({"email": "oz@example.com"}),
    )
    .await;
    let forgot = secret_in(
        &link_in(&mail.wait_for("oz@example.com", 2).await[1]),
        "token",
    );
    assert_eq!(lookup(welcome.clone()).await, StatusCode::OK);
    assert_eq!(lookup(forgot.clone()).await, StatusCode::OK);

    // An administrator sets the password: every link out there ends.
    let set = server
        .send_json(
            Method::POST,
            &format!("{USERS}/{id}/password/reset"),
            Some(&admin),
            json!({"method": "SET", "new_password": "set by the administrator"}),
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(lookup(welcome).await, StatusCode::GONE);
    assert_eq!(lookup(forgot).await, StatusCode::GONE);

    // A link mailed to the old address ends when the address changes.
    let sent = server
        .send_json(
            Method::POST,
            &format!("{USERS}/{id}/password/reset"),
            Some(&admin),
            json!({"method": "EMAIL"}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    let old_address = secret_in(
        &link_in(&mail.wait_for("oz@example.com", 3).await[2]),
        "token",
    );
    assert_eq!(lookup(old_address.clone()).await, StatusCode::OK);
    let moved = server
        .request(Method::PATCH, &format!("{USERS}/{id}"), Some(&admin))
        .header("if-match", "*")
        .json(&json!({"email": "oz@elsewhere.example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(lookup(old_address).await, StatusCode::GONE);
}

/// Two servers on one database both run the mail worker: every queued message is sent
/// exactly once, whichever server queued it (a worker claims messages with a lease in
/// the database before sending).
#[tokio::test]
async fn two_servers_send_each_queued_message_once() {
    let mail = MailServer::start().await;
    let one = TestServer::start_with(with_mail(&mail)).await;
    let two = one.beside().await;
    let admin = one.admin_token().await;
    let addresses: Vec<String> = (0..40).map(|n| format!("person{n}@example.com")).collect();
    let (first, second) = addresses.split_at(20);
    let (a, b) = tokio::join!(
        invite(&one, &admin, json!({ "emails": first })),
        invite(&two, &admin, json!({ "emails": second }))
    );
    for answer in [&a, &b] {
        let outcomes = answer["data"]["results"].as_array().unwrap();
        assert_eq!(outcomes.len(), 20);
        assert!(
            outcomes.iter().all(|o| o["outcome"] == "invited"),
            "{answer:#}"
        );
    }
    for address in &addresses {
        mail.wait_for(address, 1).await;
    }
    // Time for a second copy to arrive, were one on its way.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for address in &addresses {
        assert_eq!(mail.messages_to(address).await.len(), 1, "{address}");
    }
}
