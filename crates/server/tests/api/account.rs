//! A user's own account: two-step sign-in with an authenticator app and recovery codes,
//! the tenant's MFA policy, forced and self-service password changes, other sessions.

use std::time::{SystemTime, UNIX_EPOCH};

use gatehouse_server::auth::mfa::code_at;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{error_fields, problem, TestServer, USERS};
use gatehouse_server::store::engine::{query, query_scalar};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "analytical engine";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// What the authenticator app shows `steps` periods of 30 s from now. Codes are single
/// use, so a test that needs a second code takes the next period's (accepted for clock
/// drift) instead of waiting.
fn code(secret: &str, steps: u64) -> String {
    code_at(secret, now() + 30 * steps).unwrap()
}

async fn post(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> reqwest::Response {
    server.send_json(Method::POST, path, token, body).await
}

/// Sets up an authenticator for the signed-in user; returns the secret and the
/// recovery codes.
/// Enrols an authenticator: its secret, the recovery codes, and the code that confirmed
/// it (already used: a replay must be refused even when the clock has moved to the next
/// 30-second step since).
async fn enrol(server: &TestServer, token: &str) -> (String, Vec<String>, String) {
    let started = post(server, "/api/v1/auth/me/mfa/totp", Some(token), json!({})).await;
    assert_eq!(started.status(), StatusCode::OK);
    let started: Value = started.json().await.unwrap();
    let secret = started["data"]["secret"].as_str().unwrap().to_owned();
    assert!(started["data"]["otpauth_uri"]
        .as_str()
        .unwrap()
        .contains(&format!("secret={secret}")));
    let size = started["data"]["qr"]["size"].as_u64().unwrap();
    assert_eq!(
        started["data"]["qr"]["rows"].as_array().unwrap().len() as u64,
        size
    );

    let wrong = post(
        server,
        "/api/v1/auth/me/mfa/totp/confirm",
        Some(token),
        json!({"code": "000000"}),
    )
    .await;
    assert_eq!(
        error_fields(&problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["code"]
    );
    let used = code(&secret, 0);
    let confirmed = post(
        server,
        "/api/v1/auth/me/mfa/totp/confirm",
        Some(token),
        json!({"code": used}),
    )
    .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let confirmed: Value = confirmed.json().await.unwrap();
    let codes: Vec<String> = confirmed["data"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes, used)
}

/// Signs in with the password and answers with the challenge of the second step.
async fn first_step(server: &TestServer) -> String {
    let body: Value = server
        .try_login(EMAIL, PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["step"], "mfa_required", "{body}");
    assert!(body["data"].get("token").is_none());
    body["data"]["challenge"].as_str().unwrap().to_owned()
}

async fn second_step(server: &TestServer, challenge: &str, code: &str) -> reqwest::Response {
    post(
        server,
        "/api/v1/auth/login/mfa",
        None,
        json!({"challenge": challenge, "code": code}),
    )
    .await
}

#[tokio::test]
async fn two_step_sign_in_with_an_authenticator_and_recovery_codes() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let user = server.create_member(&admin, EMAIL, PASSWORD).await;
    let token = server.login(EMAIL, PASSWORD).await;
    let (secret, recovery, enrolment_code) = enrol(&server, &token).await;
    let me: Value = server
        .get("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["user"]["mfa_enabled"], true);

    // The password alone no longer signs in.
    let challenge = first_step(&server).await;
    let wrong = second_step(&server, &challenge, "123456").await;
    problem(wrong, StatusCode::UNAUTHORIZED).await;
    // The code used to enrol cannot be replayed; the next one works, once.
    problem(
        second_step(&server, &challenge, &enrolment_code).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let next = code(&secret, 1);
    let signed_in = second_step(&server, &challenge, &next).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let signed_in: Value = signed_in.json().await.unwrap();
    assert!(signed_in["data"]["token"]
        .as_str()
        .unwrap()
        .starts_with("ghs_"));
    problem(
        second_step(&server, &challenge, &next).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let again = first_step(&server).await;
    problem(
        second_step(&server, &again, &next).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // A recovery code works once, in any case and spacing.
    let spaced = recovery[0].to_uppercase().replace('-', " ");
    assert_eq!(
        second_step(&server, &again, &spaced).await.status(),
        StatusCode::OK
    );
    let third = first_step(&server).await;
    problem(
        second_step(&server, &third, &recovery[0]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        second_step(&server, &third, &recovery[1]).await.status(),
        StatusCode::OK
    );

    // Five wrong codes end a challenge.
    let fourth = first_step(&server).await;
    for _ in 0..5 {
        second_step(&server, &fourth, "999999").await;
    }
    let ended = problem(
        second_step(&server, &fourth, &recovery[2]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(ended["detail"].as_str().unwrap().contains("Start again"));

    // Codes and secrets are stored hashed or out of every answer.
    let db = server.database().await;
    let stored: Vec<Vec<u8>> = query_scalar("SELECT code_hash FROM mfa_recovery_codes")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(stored
        .iter()
        .all(|h| h.len() == 32 && !recovery.iter().any(|c| h == c.as_bytes())));
    let listed = server
        .get(&format!("{USERS}/{}", user.id), &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret));

    // The administrator's "turn off MFA" means it: the password alone signs in again.
    let off = post(
        &server,
        &format!("{USERS}/{}/mfa/disable", user.id),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(off.status(), StatusCode::OK);
    let body: Value = server
        .try_login(EMAIL, PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["step"], "signed_in");
    assert!(
        query_scalar::<i64>("SELECT COUNT(*) FROM mfa_recovery_codes")
            .fetch_one(&db)
            .await
            .unwrap()
            == 0
    );
}

#[tokio::test]
async fn users_manage_their_own_second_factor() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_member(&admin, EMAIL, PASSWORD).await;
    let token = server.login(EMAIL, PASSWORD).await;
    let (secret, old_codes, _) = enrol(&server, &token).await;
    let again = post(&server, "/api/v1/auth/me/mfa/totp", Some(&token), json!({})).await;
    problem(again, StatusCode::CONFLICT).await;

    let fresh = post(
        &server,
        "/api/v1/auth/me/mfa/recovery-codes",
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(fresh.status(), StatusCode::OK);
    let challenge = first_step(&server).await;
    problem(
        second_step(&server, &challenge, &old_codes[0]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Confirming with a code instead of the password works too.
    let db = server.database().await;
    query("UPDATE sessions SET confirmed_at = 0")
        .execute(&db)
        .await
        .unwrap();
    let off = server
        .request(Method::DELETE, "/api/v1/auth/me/mfa", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(off, StatusCode::FORBIDDEN).await["type"],
        "urn:gatehouse:problem:confirm-identity"
    );
    let confirmed = post(
        &server,
        "/api/v1/auth/me/confirm",
        Some(&token),
        json!({"code": code(&secret, 1)}),
    )
    .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let off = server
        .request(Method::DELETE, "/api/v1/auth/me/mfa", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    let body: Value = server
        .try_login(EMAIL, PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["step"], "signed_in");
}

#[tokio::test]
async fn a_tenant_policy_makes_people_set_up_a_second_factor_first() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_member(&admin, EMAIL, PASSWORD).await;
    let settings = "/api/v1/tenants/default/settings/security";
    let current: Value = server.get(settings, &admin).await.json().await.unwrap();
    assert_eq!(current["data"]["mfa_policy"], "OPTIONAL");

    let set = |body: Value, version: &str| {
        server
            .request(Method::PUT, settings, Some(&admin))
            .header("if-match", version.to_owned())
            .json(&body)
            .send()
    };
    let no_roles = set(json!({"mfa_policy": "ROLES"}), "\"1\"").await.unwrap();
    assert_eq!(
        error_fields(&problem(no_roles, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["mfa_role_ids"]
    );
    let changed = set(json!({"mfa_policy": "EVERYONE"}), "\"1\"")
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let stale = set(json!({"mfa_policy": "OPTIONAL"}), "\"1\"")
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;

    // At the next sign-in the session can do nothing but set up a second factor.
    let body: Value = server
        .try_login(EMAIL, PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["requirement"], "mfa_enrolment");
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    let blocked = server.get("/api/v1/tenants", &token).await;
    assert_eq!(
        problem(blocked, StatusCode::FORBIDDEN).await["type"],
        "urn:gatehouse:problem:mfa-enrolment-required"
    );
    let me: Value = server
        .get("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["requirement"], "mfa_enrolment");
    assert_eq!(me["data"]["mfa_required"], true);
    enrol(&server, &token).await;
    assert_eq!(
        server.get("/api/v1/tenants", &token).await.status(),
        StatusCode::OK
    );
    // Now that it is required, it cannot be turned off by its owner.
    let off = server
        .request(Method::DELETE, "/api/v1/auth/me/mfa", Some(&token))
        .send()
        .await
        .unwrap();
    problem(off, StatusCode::CONFLICT).await;

    // "Holders of chosen roles": only they are asked.
    let viewer = server.builtin_role(&admin, "Viewer").await;
    let changed = set(
        json!({"mfa_policy": "ROLES", "mfa_role_ids": [viewer]}),
        "\"2\"",
    )
    .await
    .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let other = server
        .create_member(&admin, "bob@example.com", PASSWORD)
        .await;
    let body: Value = server
        .try_login("bob@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert!(body["data"].get("requirement").is_none(), "{body}");
    server
        .set_roles(&admin, &other.id.to_string(), &[&viewer])
        .await;
    let body: Value = server
        .try_login("bob@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["requirement"], "mfa_enrolment");
}

#[tokio::test]
async fn a_required_password_change_comes_before_anything_else() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let created = server
        .send_json(
            Method::POST,
            USERS,
            Some(&admin),
            json!({"email": EMAIL, "password": PASSWORD, "require_password_change": true}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = server
        .try_login(EMAIL, PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["requirement"], "password_change");
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    let other = server.login(EMAIL, PASSWORD).await;
    let blocked = server.get("/api/v1/tenants", &token).await;
    let blocked = problem(blocked, StatusCode::FORBIDDEN).await;
    assert_eq!(
        blocked["type"],
        "urn:gatehouse:problem:password-change-required"
    );

    let change = |current: &str, new: &str| {
        post(
            &server,
            "/api/v1/auth/me/password",
            Some(&token),
            json!({"current_password": current, "new_password": new}),
        )
    };
    let wrong = change("not my password", "a new and better phrase").await;
    assert_eq!(
        error_fields(&problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["current_password"]
    );
    let weak = change(PASSWORD, "short").await;
    assert_eq!(
        error_fields(&problem(weak, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["new_password"]
    );
    let changed = change(PASSWORD, "a new and better phrase").await;
    assert_eq!(changed.status(), StatusCode::OK);
    let me: Value = changed.json().await.unwrap();
    assert!(me["data"].get("requirement").is_none(), "{me}");
    assert_eq!(me["data"]["user"]["require_password_change"], false);

    // This session goes on; the other one ended; the old password is gone.
    assert_eq!(
        server.get("/api/v1/tenants", &token).await.status(),
        StatusCode::OK
    );
    problem(
        server.get("/api/v1/auth/me", &other).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        server.try_login(EMAIL, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    server.login(EMAIL, "a new and better phrase").await;
}

#[tokio::test]
async fn signing_out_other_sessions_keeps_this_one() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_member(&admin, EMAIL, PASSWORD).await;
    let here = server.login(EMAIL, PASSWORD).await;
    let laptop = server.login(EMAIL, PASSWORD).await;
    let phone = server.login(EMAIL, PASSWORD).await;
    let ended = post(
        &server,
        "/api/v1/auth/me/sessions/end-others",
        Some(&here),
        json!({}),
    )
    .await;
    let ended: Value = ended.json().await.unwrap();
    assert_eq!(ended["data"]["ended"], 2);
    assert_eq!(
        server.get("/api/v1/auth/me", &here).await.status(),
        StatusCode::OK
    );
    for other in [&laptop, &phone] {
        problem(
            server.get("/api/v1/auth/me", other).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
}
