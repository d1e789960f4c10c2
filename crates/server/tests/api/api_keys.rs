//! API keys: they authenticate like a session, with at most their owner's permissions
//! at each request, die at once when revoked or expired, stay in their tenant, cannot
//! breed stronger keys, and their secret is never seen again, logged or stored.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, LoggedServer, TestServer, USERS};
use gatehouse_server::store::engine::{query, query_scalar};

const MY_KEYS: &str = "/api/v1/auth/me/api-keys";
const KEYS: &str = "/api/v1/tenants/default/api-keys";
const SECURITY: &str = "/api/v1/tenants/default/settings/security";

/// Creates a key at `path` (as `token`); returns (key id, secret).
async fn new_key(server: &TestServer, token: &str, path: &str, body: Value) -> (String, String) {
    let response = server
        .send_json(Method::POST, path, Some(token), body)
        .await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["data"]["key"]["id"].as_str().unwrap().to_owned(),
        created["data"]["secret"].as_str().unwrap().to_owned(),
    )
}

fn thirty_days(name: &str) -> Value {
    json!({"name": name, "expires": {"in_days": 30}})
}

async fn status_of(server: &TestServer, path: &str, token: &str) -> StatusCode {
    server.get(path, token).await.status()
}

#[tokio::test]
async fn a_key_acts_as_its_owner_and_no_more_than_its_subset() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (_, full) = new_key(&server, &admin, MY_KEYS, thirty_days("Everything")).await;
    assert!(
        full.starts_with("gh_") && full.len() == 3 + 8 + 1 + 40,
        "{full}"
    );
    let me: Value = server
        .get("/api/v1/auth/me", &full)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["user"]["email"], "admin@example.com");
    assert_eq!(status_of(&server, USERS, &full).await, StatusCode::OK);

    let (_, reader) = new_key(
        &server,
        &admin,
        MY_KEYS,
        json!({"name": "Read users", "expires": {"in_days": 7}, "permissions": ["users:read"]}),
    )
    .await;
    assert_eq!(status_of(&server, USERS, &reader).await, StatusCode::OK);
    let refused = server
        .send_json(
            Method::POST,
            USERS,
            Some(&reader),
            json!({"email": "x@example.com"}),
        )
        .await;
    let body = problem(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(body["missing_permission"], "users:write");
    assert_eq!(
        status_of(&server, "/api/v1/tenants/default/roles", &reader).await,
        StatusCode::FORBIDDEN
    );
    // Session matters are not for keys, whatever their power.
    for (method, path) in [
        (Method::POST, "/api/v1/auth/logout"),
        (Method::POST, "/api/v1/auth/me/confirm"),
        (Method::POST, "/api/v1/auth/me/mfa/totp"),
    ] {
        let answer = server
            .send_json(method, path, Some(&full), json!({"password": "x"}))
            .await;
        let body = problem(answer, StatusCode::FORBIDDEN).await;
        assert!(
            body["detail"].as_str().unwrap().contains("API keys cannot"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn the_owner_losing_power_takes_it_from_the_key_at_once() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (owner, token) = server
        .member_with(&admin, "ci@example.com", &["users:read", "roles:read"])
        .await;
    let (_, key) = new_key(&server, &token, MY_KEYS, thirty_days("CI")).await;
    assert_eq!(status_of(&server, USERS, &key).await, StatusCode::OK);
    // A subset can only name what the owner holds.
    let extra = server
        .send_json(
            Method::POST,
            MY_KEYS,
            Some(&token),
            json!({"name": "More", "expires": {"in_days": 7}, "permissions": ["users:write"]}),
        )
        .await;
    let body = problem(extra, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "permissions");

    let taken = server.set_roles(&admin, &owner, &[]).await;
    assert_eq!(taken.status(), StatusCode::OK);
    let refused = server.get(USERS, &key).await;
    let body = problem(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(body["missing_permission"], "users:read");

    let disabled = server.set_status(&admin, &owner, "DISABLED").await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let body = problem(
        server.get("/api/v1/auth/me", &key).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("owner"), "{body}");
}

#[tokio::test]
async fn revoked_expired_malformed_and_foreign_keys_get_401_saying_which() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (id, key) = new_key(&server, &admin, MY_KEYS, thirty_days("Soon revoked")).await;
    assert_eq!(status_of(&server, USERS, &key).await, StatusCode::OK);
    let revoked = server
        .send_json(
            Method::POST,
            &format!("{KEYS}/{id}/revoke"),
            Some(&admin),
            json!({"reason": "Left in a public gist"}),
        )
        .await;
    let body: Value = revoked.json().await.unwrap();
    assert_eq!(body["data"]["status"], "REVOKED");
    assert_eq!(body["data"]["revoked_reason"], "Left in a public gist");
    let body = problem(server.get(USERS, &key).await, StatusCode::UNAUTHORIZED).await;
    assert!(
        body["detail"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    let again = server
        .send_json(
            Method::POST,
            &format!("{KEYS}/{id}/revoke"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let (id, key) = new_key(&server, &admin, MY_KEYS, thirty_days("Soon expired")).await;
    let db = server.database().await;
    query("UPDATE api_keys SET expires_at = 1000 WHERE id = ?")
        .bind(id.parse::<uuid::Uuid>().unwrap())
        .execute(&db)
        .await
        .unwrap();
    let body = problem(server.get(USERS, &key).await, StatusCode::UNAUTHORIZED).await;
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    let listed: Value = server
        .get(&format!("{KEYS}?status=EXPIRED"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["id"], id);

    let body = problem(
        server.get(USERS, "gh_short").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("well-formed"),
        "{body}"
    );
    let (_, live) = new_key(&server, &admin, MY_KEYS, thirty_days("Live")).await;
    let mut tampered = live.clone();
    tampered.replace_range(
        live.len() - 1..,
        if live.ends_with('a') { "b" } else { "a" },
    );
    let unknown = problem(server.get(USERS, &tampered).await, StatusCode::UNAUTHORIZED).await;
    assert!(unknown["detail"].as_str().unwrap().contains("not valid"));

    // Another tenant: the same answer as a key that does not exist.
    query("INSERT INTO tenants (id, name, created_at) VALUES ('other', 'Other', 0)")
        .execute(&db)
        .await
        .unwrap();
    let foreign = server.get("/api/v1/tenants/other/users", &live).await;
    let body = problem(foreign, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["detail"], unknown["detail"]);
    assert_eq!(status_of(&server, USERS, &live).await, StatusCode::OK);
}

#[tokio::test]
async fn a_key_cannot_mint_a_stronger_or_longer_lived_key() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (_, reader) = new_key(
        &server,
        &admin,
        MY_KEYS,
        json!({"name": "Reader", "expires": {"in_days": 7}, "permissions": ["users:read", "api_keys:read"]}),
    )
    .await;
    let unrestricted = server
        .send_json(
            Method::POST,
            MY_KEYS,
            Some(&reader),
            thirty_days("Escalate"),
        )
        .await;
    let body = problem(unrestricted, StatusCode::FORBIDDEN).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("this API key does not hold"),
        "{body}"
    );
    let outliving = server
        .send_json(
            Method::POST,
            MY_KEYS,
            Some(&reader),
            json!({"name": "Longer", "expires": {"in_days": 30}, "permissions": ["users:read"]}),
        )
        .await;
    let body = problem(outliving, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("outlives"),
        "{body}"
    );
    let (_, child) = new_key(
        &server,
        &reader,
        MY_KEYS,
        json!({"name": "Child", "expires": {"in_days": 3}, "permissions": ["users:read"]}),
    )
    .await;
    assert_eq!(status_of(&server, USERS, &child).await, StatusCode::OK);

    // A key for someone else needs api_keys:write and a target no stronger than the
    // caller: an editor cannot take a key that acts as the administrator.
    let (_, editor) = server
        .member_with(
            &admin,
            "editor@example.com",
            &["users:read", "api_keys:write"],
        )
        .await;
    let admin_id = server.my_id(&admin).await;
    let refused = server
        .send_json(
            Method::POST,
            &format!("{USERS}/{admin_id}/api-keys"),
            Some(&editor),
            thirty_days("Impersonate"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let keys: Value = server
        .get(&format!("{USERS}/{admin_id}/api-keys"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(keys["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["name"] != "Impersonate"));
}

#[tokio::test]
async fn the_tenant_maximum_lifetime_is_enforced() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let settings: Value = server.get(SECURITY, &admin).await.json().await.unwrap();
    assert_eq!(settings["data"]["api_key_max_days"], 365);
    let never = server
        .send_json(
            Method::POST,
            MY_KEYS,
            Some(&admin),
            json!({"name": "Forever", "expires": "never"}),
        )
        .await;
    assert_eq!(never.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let put = |body: Value, version: &'static str| {
        server
            .request(Method::PUT, SECURITY, Some(&admin))
            .header("if-match", version)
            .json(&body)
            .send()
    };
    let saved = put(
        json!({"mfa_policy": "OPTIONAL", "api_key_max_days": 30}),
        "\"1\"",
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let long = server
        .send_json(
            Method::POST,
            MY_KEYS,
            Some(&admin),
            json!({"name": "Long", "expires": {"in_days": 90}}),
        )
        .await;
    let body = problem(long, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("30 days"));
    // Leaving the field out keeps it; null lifts the limit.
    let kept: Value = put(json!({"mfa_policy": "OPTIONAL"}), "\"2\"")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(kept["data"]["api_key_max_days"], 30);
    put(
        json!({"mfa_policy": "OPTIONAL", "api_key_max_days": null}),
        "\"3\"",
    )
    .await
    .unwrap();
    let (id, _) = new_key(
        &server,
        &admin,
        MY_KEYS,
        json!({"name": "Forever", "expires": "never"}),
    )
    .await;
    let key: Value = server
        .get(&format!("{KEYS}/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(key["data"]["expires_at"].is_null());
}

#[tokio::test]
async fn service_accounts_own_keys_and_never_sign_in() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let created = server
        .send_json(
            Method::POST,
            USERS,
            Some(&admin),
            json!({"kind": "SERVICE", "display_name": "Deploy bot"}),
        )
        .await;
    let status = created.status();
    let bot: Value = created.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{bot}");
    assert_eq!(bot["data"]["kind"], "SERVICE");
    let email = bot["data"]["email"].as_str().unwrap().to_owned();
    assert!(email.ends_with("@service-accounts.invalid"), "{email}");
    let id = bot["data"]["id"].as_str().unwrap().to_owned();
    let with_password = server
        .send_json(
            Method::POST,
            USERS,
            Some(&admin),
            json!({"kind": "SERVICE", "display_name": "Bot", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(with_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let reset = server
        .send_json(
            Method::POST,
            &format!("{USERS}/{id}/password/reset"),
            Some(&admin),
            json!({"method": "SET", "new_password": "another long passphrase"}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::CONFLICT);
    assert_eq!(
        server.try_login(&email, "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let listed: Value = server
        .get(&format!("{USERS}?kind=SERVICE"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["pagination"]["total_items"], 1);
    assert_eq!(listed["data"][0]["id"], id);

    let roles = server.create_role(&admin, "Reader", &["users:read"]).await;
    server.set_roles(&admin, &id, &[&roles]).await;
    let (_, key) = new_key(
        &server,
        &admin,
        &format!("{USERS}/{id}/api-keys"),
        thirty_days("Deploy"),
    )
    .await;
    let me: Value = server
        .get("/api/v1/auth/me", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["user"]["id"], id);
    assert_eq!(status_of(&server, USERS, &key).await, StatusCode::OK);

    // Deleting the account revokes its keys.
    let db = server.database().await;
    let deleted = server
        .request(
            Method::DELETE,
            &format!("{USERS}/{id}?confirm_email={}", email.replace('@', "%40")),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let revoked: i64 = query_scalar("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NOT NULL")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    assert_eq!(
        status_of(&server, USERS, &key).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn lists_filter_search_rename_and_record_last_use() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (soon, key) = new_key(
        &server,
        &admin,
        MY_KEYS,
        json!({"name": "Nightly backup", "expires": {"in_days": 3}}),
    )
    .await;
    let (later, _) = new_key(&server, &admin, MY_KEYS, thirty_days("Deploy")).await;
    let list = |query: &'static str| {
        let server = &server;
        let admin = admin.clone();
        async move {
            let body: Value = server
                .get(&format!("{KEYS}?{query}"), &admin)
                .await
                .json()
                .await
                .unwrap();
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("expires_within_days=7").await, vec![soon.clone()]);
    assert_eq!(list("search=backup").await, vec![soon.clone()]);
    assert_eq!(
        list("sort_by=expires_at").await,
        [soon.clone(), later.clone()]
    );
    assert_eq!(list("sort_by=name").await, [later.clone(), soon.clone()]);
    let prefix = key[3..9].to_owned();
    let by_prefix: Value = server
        .get(&format!("{KEYS}?search=gh_{prefix}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_prefix["data"][0]["id"], soon);

    assert_eq!(status_of(&server, USERS, &key).await, StatusCode::OK);
    let mut used = Value::Null;
    for _ in 0..50 {
        used = server
            .get(&format!("{KEYS}/{soon}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        if !used["data"]["last_used_at"].is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let first_use = used["data"]["last_used_at"].clone();
    assert!(!first_use.is_null(), "{used}");
    // Within the minute, use is not written again.
    assert_eq!(status_of(&server, USERS, &key).await, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let again: Value = server
        .get(&format!("{KEYS}/{soon}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["data"]["last_used_at"], first_use);

    let renamed = server
        .request(Method::PATCH, &format!("{KEYS}/{soon}"), Some(&admin))
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Nightly backup (old)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let stale = server
        .request(Method::PATCH, &format!("{KEYS}/{soon}"), Some(&admin))
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Lost update"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);

    let bulk: Value = server
        .send_json(
            Method::POST,
            &format!("{KEYS}/revoke"),
            Some(&admin),
            json!({"ids": [soon, later, uuid::Uuid::nil()], "reason": "Rotation"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<&str> = bulk["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["revoked", "revoked", "not_found"]);
}

#[tokio::test]
async fn the_secret_is_shown_once_and_never_logged_or_stored() {
    let server = LoggedServer::start(&[]).await;
    let admin = server.admin_token().await;
    let created: Value = server
        .http
        .post(server.url(MY_KEYS))
        .bearer_auth(&admin)
        .json(&thirty_days("Scanner bait"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["data"]["secret"].as_str().unwrap().to_owned();
    let id = created["data"]["key"]["id"].as_str().unwrap().to_owned();
    let hidden = &secret[12..];
    let mut seen = String::new();
    for path in [
        format!("{KEYS}/{id}"),
        KEYS.to_owned(),
        MY_KEYS.to_owned(),
        "/api/v1/auth/me".to_owned(),
    ] {
        let text = server
            .http
            .get(server.url(&path))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        seen.push_str(&text);
    }
    assert!(seen.contains(&id[..8]));
    assert!(!seen.contains(hidden), "a later answer showed the secret");
    let stored = server.database_bytes().await;
    assert!(
        !stored.windows(hidden.len()).any(|w| w == hidden.as_bytes()),
        "the secret is in the database file"
    );
    let logged = server.stop();
    assert!(logged.contains("API key issued"), "{logged}");
    assert!(!logged.contains(hidden), "the secret reached the log");
}
