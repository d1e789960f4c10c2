//! The audit log: every write endpoint records exactly one event with its diff, no secret
//! is ever written, events cannot be changed, a change whose event cannot be stored
//! does not happen, and the list pages correctly while events arrive.

use gatehouse_api::audit::AuditAction;
use gatehouse_api::endpoints::{self, Endpoint};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{
    on_postgres, problem, with_mail, MailServer, TestServer, ADMIN_PASSWORD, USERS,
};
use crate::permissions::{request, send, targets};
use gatehouse_server::store::engine::{query, query_scalar};

const AUDIT: &str = "/api/v1/tenants/default/audit";

/// Endpoints that take a body but change nothing: they record no event.
const CHANGES_NOTHING: &[Endpoint] = &[
    endpoints::SSO_SIMULATE,
    endpoints::SSO_DISCOVER,
    endpoints::SSO_METADATA,
    endpoints::MAIL_TEST,
];

/// The action each guarded write records.
fn expected(endpoint: &Endpoint) -> AuditAction {
    let e = *endpoint;
    match () {
        _ if e == endpoints::USERS_CREATE => AuditAction::UserCreated,
        _ if e == endpoints::USERS_UPDATE => AuditAction::UserUpdated,
        _ if e == endpoints::USERS_BULK => AuditAction::UserStatusChanged,
        _ if e == endpoints::USERS_IMPORT => AuditAction::UserCreated,
        _ if e == endpoints::USERS_DELETE => AuditAction::UserDeleted,
        _ if e == endpoints::USERS_SET_STATUS => AuditAction::UserStatusChanged,
        _ if e == endpoints::USERS_RESET_PASSWORD => AuditAction::UserPasswordSet,
        _ if e == endpoints::USERS_DISABLE_MFA => AuditAction::UserMfaDisabled,
        _ if e == endpoints::USERS_SET_ROLES => AuditAction::UserRolesChanged,
        _ if e == endpoints::ROLES_CREATE => AuditAction::RoleCreated,
        _ if e == endpoints::ROLES_UPDATE => AuditAction::RoleUpdated,
        _ if e == endpoints::ROLES_DELETE => AuditAction::RoleDeleted,
        _ if e == endpoints::GROUPS_CREATE => AuditAction::GroupCreated,
        _ if e == endpoints::GROUPS_UPDATE => AuditAction::GroupUpdated,
        _ if e == endpoints::GROUPS_DELETE => AuditAction::GroupDeleted,
        _ if e == endpoints::GROUPS_ADD_MEMBERS => AuditAction::GroupMembersAdded,
        _ if e == endpoints::GROUPS_REMOVE_MEMBERS => AuditAction::GroupMembersRemoved,
        _ if e == endpoints::INVITES_CREATE => AuditAction::InviteCreated,
        _ if e == endpoints::INVITES_RESEND => AuditAction::InviteResent,
        _ if e == endpoints::INVITES_REVOKE || e == endpoints::INVITES_REVOKE_MANY => {
            AuditAction::InviteRevoked
        }
        _ if e == endpoints::USER_API_KEYS_CREATE => AuditAction::ApiKeyCreated,
        _ if e == endpoints::API_KEYS_UPDATE => AuditAction::ApiKeyUpdated,
        _ if e == endpoints::API_KEYS_REVOKE || e == endpoints::API_KEYS_REVOKE_MANY => {
            AuditAction::ApiKeyRevoked
        }
        _ if e == endpoints::SSO_CREATE => AuditAction::SsoConnectionCreated,
        _ if e == endpoints::SSO_UPDATE => AuditAction::SsoConnectionUpdated,
        _ if e == endpoints::SSO_DELETE => AuditAction::SsoConnectionDeleted,
        _ if e == endpoints::SECURITY_SETTINGS_UPDATE => AuditAction::SettingsUpdated,
        _ => panic!(
            "no expected event for {} {}: add one to this table",
            e.method.as_str(),
            e.path
        ),
    }
}

/// The events of one request.
async fn events_of(server: &TestServer, admin: &str, request_id: &str) -> Vec<Value> {
    let page: Value = server
        .get_json(&format!("{AUDIT}?request_id={request_id}"), admin)
        .await;
    page["data"].as_array().cloned().unwrap_or_default()
}

/// Every event there is, newest first, following the cursor.
async fn all_events(server: &TestServer, admin: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = server
            .get_json(&format!("{AUDIT}?per_page=200{cursor}"), admin)
            .await;
        all.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return all,
        }
    }
}

#[tokio::test]
async fn every_write_records_one_event_and_no_secret() {
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    let writes: Vec<&Endpoint> = endpoints::ALL
        .iter()
        .filter(|e| e.method != endpoints::Method::Get && e.permission_for_others().is_some())
        .filter(|e| !CHANGES_NOTHING.contains(e))
        .collect();
    assert!(writes.len() >= 25, "{} writes", writes.len());
    let mut secrets = vec![
        ADMIN_PASSWORD.to_owned(),
        "correct battery staple".to_owned(),
    ];
    for (n, endpoint) in writes.into_iter().enumerate() {
        let label = format!("{} {}", endpoint.method.as_str(), endpoint.path);
        let t = targets(&server, &admin, n).await;
        let call = request(endpoint, &t, n);
        let answer = send(&server, &admin, &call).await;
        let status = answer.status();
        let request_id = answer.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = answer.text().await.unwrap();
        assert!(status.is_success(), "{label}: {status} {body}");
        // What the answer handed out once (an API key's secret, an invite link) must
        // never reach the log.
        if let Ok(body) = serde_json::from_str::<Value>(&body) {
            for field in ["secret", "link"] {
                let found = body["data"][field]
                    .as_str()
                    .or(body["data"]["results"][0][field].as_str());
                if let Some(found) = found {
                    secrets.push(found.rsplit(['=', '#']).next().unwrap().to_owned());
                }
            }
        }
        let events = events_of(&server, &admin, &request_id).await;
        assert_eq!(events.len(), 1, "{label}: {events:#?}");
        let event = &events[0];
        assert_eq!(event["action"], expected(endpoint).as_str(), "{label}");
        assert_eq!(event["actor"]["kind"], "user", "{label}");
        assert_eq!(event["actor"]["name"], "admin@example.com", "{label}");
        assert!(
            !event["target"]["id"].as_str().unwrap().is_empty(),
            "{label}"
        );
        assert_eq!(event["request_id"], request_id.as_str(), "{label}");
        assert_eq!(event["client_ip"], "127.0.0.1", "{label}");
    }
    let everything = serde_json::to_string(&all_events(&server, &admin).await).unwrap();
    for secret in &secrets {
        assert!(
            !everything.contains(secret.as_str()),
            "the audit log holds a secret: {secret}"
        );
    }
    assert!(!everything.contains("s3cret"), "an SSO client secret");
    assert!(!everything.contains("$argon2"), "a password hash");
}

#[tokio::test]
async fn an_edit_records_the_fields_before_and_after() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let user = server
        .create_member(&admin, "grace@example.com", "correct battery staple")
        .await;
    let edited = server
        .request(Method::PATCH, &format!("{USERS}/{}", user.id), Some(&admin))
        .header("if-match", "\"1\"")
        .json(&json!({"first_name": "Grace", "last_name": "Hopper", "phone": "+1 555 0100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    let history: Value = server
        .get_json(
            &format!("{AUDIT}?target_type=user&target_id={}", user.id),
            &admin,
        )
        .await;
    let events = history["data"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{history:#}");
    assert_eq!(events[0]["action"], "user.updated");
    assert_eq!(events[0]["target"]["name"], "Grace Hopper");
    assert_eq!(
        events[0]["changes"],
        json!([
            {"field": "first_name", "after": "Grace"},
            {"field": "last_name", "after": "Hopper"},
            {"field": "phone", "after": "+1 555 0100"},
        ])
    );
    assert_eq!(events[1]["action"], "user.created");
    // Free text finds words inside names and changed values, through the trigram index
    // (three characters or more) or by scanning (fewer).
    for term in ["opper", "0100", "Ho"] {
        let found: Value = server
            .get_json(
                &format!("{AUDIT}?action=user.updated&search={term}"),
                &admin,
            )
            .await;
        assert_eq!(found["data"].as_array().unwrap().len(), 1, "{term}");
    }
    let none: Value = server
        .get_json(&format!("{AUDIT}?search=zzzz"), &admin)
        .await;
    assert_eq!(none["data"], json!([]));
    let created = events[1]["changes"].as_array().unwrap();
    assert!(created.contains(&json!({"field": "password", "secret": true})));
    assert!(created.contains(&json!({"field": "email", "after": "grace@example.com"})));

    let status = server
        .send_json(
            Method::PUT,
            &format!("{USERS}/{}/status", user.id),
            Some(&admin),
            json!({"status": "DISABLED", "reason": "Left the company"}),
        )
        .await;
    assert_eq!(status.status(), StatusCode::OK);
    let latest: Value = server
        .get_json(&format!("{AUDIT}?action=user.status_changed"), &admin)
        .await;
    assert_eq!(latest["data"][0]["reason"], "Left the company");
    assert!(latest["data"][0]["changes"]
        .as_array()
        .unwrap()
        .contains(&json!({"field": "status", "before": "ACTIVE", "after": "DISABLED"})));
}

#[tokio::test]
async fn sign_ins_failures_lockouts_and_sign_outs_are_recorded() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let user = server
        .create_member(&admin, "ada@example.com", "correct battery staple")
        .await;
    let wrong = server
        .try_login("ada@example.com", "not her password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let nobody = server.try_login("nobody@example.com", "whatever").await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    let token = server
        .login("ada@example.com", "correct battery staple")
        .await;
    let out = server
        .request(Method::POST, "/api/v1/auth/logout", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    for _ in 0..12 {
        server.try_login("ada@example.com", "guessing").await;
    }
    let history: Value = server
        .get_json(
            &format!("{AUDIT}?target_id={}&per_page=200", user.id),
            &admin,
        )
        .await;
    let actions: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..5],
        [
            "user.created",
            "auth.sign_in_failed",
            "auth.signed_in",
            "auth.signed_out",
            "auth.sign_in_failed"
        ]
    );
    assert!(actions.contains(&"auth.locked_out"), "{actions:?}");
    assert_eq!(
        history["data"].as_array().unwrap().last().unwrap()["actor"]["kind"],
        "user"
    );
    let failed: Value = server
        .get_json(
            &format!("{AUDIT}?action=auth.sign_in_failed&search=nobody"),
            &admin,
        )
        .await;
    let event = &failed["data"][0];
    assert_eq!(event["actor"]["kind"], "anonymous", "{failed:#}");
    assert_eq!(event["target"]["name"], "nobody@example.com");
    assert_eq!(event["reason"], "No account with this address");
}

#[tokio::test]
async fn events_cannot_be_changed_and_a_change_without_its_event_does_not_happen() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let user = server
        .create_member(&admin, "lin@example.com", "correct battery staple")
        .await;
    for method in [Method::PUT, Method::PATCH, Method::DELETE, Method::POST] {
        let answer = server
            .request(method.clone(), AUDIT, Some(&admin))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    let db = server.database().await;
    let rewrite = query("UPDATE audit_events SET actor_name = 'someone else'")
        .execute(&db)
        .await;
    assert!(rewrite.is_err(), "the database let an event be rewritten");

    let refuse_events: &[&str] = if on_postgres() {
        &[
            "CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION 'the log is full'; END $$",
            "CREATE TRIGGER refuse_events BEFORE INSERT ON audit_events \
             FOR EACH ROW EXECUTE FUNCTION refuse_events()",
        ]
    } else {
        &[
            "CREATE TRIGGER refuse_events BEFORE INSERT ON audit_events \
           BEGIN SELECT RAISE(ABORT, 'the log is full'); END",
        ]
    };
    for statement in refuse_events {
        query(*statement).execute(&db).await.unwrap();
    }
    let edited = server
        .request(Method::PATCH, &format!("{USERS}/{}", user.id), Some(&admin))
        .header("if-match", "\"1\"")
        .json(&json!({"first_name": "Lin"}))
        .send()
        .await
        .unwrap();
    let body = problem(edited, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert!(!body.to_string().contains("the log is full"), "{body}");
    let unchanged: Value = server
        .get_json(&format!("{USERS}/{}", user.id), &admin)
        .await;
    assert_eq!(unchanged["data"]["first_name"], Value::Null);
    assert_eq!(unchanged["data"]["version"], 1);
}

#[tokio::test]
async fn pages_follow_the_cursor_while_events_arrive_and_export_as_csv() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    for n in 0..5 {
        server.create_role(&admin, &format!("Role {n}"), &[]).await;
    }
    let page = |cursor: Option<String>| {
        let server = &server;
        let admin = &admin;
        async move {
            let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
            let body: Value = server
                .get_json(
                    &format!("{AUDIT}?action=role.created&per_page=2{after}"),
                    admin,
                )
                .await;
            body
        }
    };
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["target"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let cursor = |page: &Value| page["next_cursor"].as_str().map(str::to_owned);
    let first = page(None).await;
    assert_eq!(names(&first), ["Role 4", "Role 3"]);
    // A new event arrives between pages: the next page is not shifted by it.
    server.create_role(&admin, "Role 5", &[]).await;
    let second = page(cursor(&first)).await;
    assert_eq!(names(&second), ["Role 2", "Role 1"]);
    let last = page(cursor(&second)).await;
    assert_eq!(names(&last), ["Role 0"]);
    assert_eq!(last["next_cursor"], Value::Null);

    let bad = server.get(&format!("{AUDIT}?cursor=abc"), &admin).await;
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;

    let csv = server
        .get(&format!("{AUDIT}/export?action=role.created"), &admin)
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[6], "action");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[0][9], "Role 5");
    assert_eq!(&rows[5][9], "Role 0");
}

#[tokio::test]
async fn events_older_than_the_tenant_keeps_them_are_pruned() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    const SECURITY: &str = "/api/v1/tenants/default/settings/security";
    let settings: Value = server.get_json(SECURITY, &admin).await;
    assert_eq!(settings["data"]["audit_retention_days"], 365);
    let set = |days: i64| {
        server
            .request(Method::PUT, SECURITY, Some(&admin))
            .header("if-match", "*")
            .json(&json!({"mfa_policy": "OPTIONAL", "audit_retention_days": days}))
            .send()
    };
    problem(set(0).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(set(30).await.unwrap().status(), StatusCode::OK);
    let changed: Value = server
        .get_json(&format!("{AUDIT}?action=settings.updated"), &admin)
        .await;
    assert_eq!(
        changed["data"][0]["changes"],
        json!([{"field": "audit_retention_days", "before": 365, "after": 30}])
    );

    let db = server.database().await;
    let day_ms: i64 = 24 * 3600 * 1000;
    let now = chrono::Utc::now().timestamp_millis();
    for (age_days, name) in [(31, "old"), (29, "recent")] {
        query(
            "INSERT INTO audit_events (tenant_id, occurred_at, actor_kind, action, target_type, \
             target_id, target_name) VALUES ('default', ?, 'system', 'role.created', 'role', 'x', ?)",
        )
        .bind(now - age_days * day_ms)
        .bind(name)
        .execute(&db)
        .await
        .unwrap();
    }
    let pruned = gatehouse_server::store::audit::prune(&db).await.unwrap();
    assert_eq!(pruned, 1);
    let left: Vec<String> =
        query_scalar("SELECT target_name FROM audit_events WHERE target_name IN ('old', 'recent')")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(left, ["recent"]);
}

#[tokio::test]
async fn the_document_names_actions_as_they_are_sent() {
    let server = TestServer::start().await;
    let document: Value = server
        .request(Method::GET, "/api/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions = &document["components"]["schemas"]["AuditAction"]["enum"];
    let names: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let wire: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(names, wire);
}
