//! The permission table: for every endpoint that needs a permission, a user holding every
//! permission but that one gets 403 naming it and changes nothing; a user holding only
//! that permission succeeds.

use gatehouse_api::endpoints::{self, Endpoint};
use gatehouse_api::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, TestServer, GROUPS, ROLES, USERS};

/// Fresh objects for one endpoint's requests.
struct Targets {
    user: String,
    email: String,
    role: String,
    group: String,
}

async fn targets(server: &TestServer, admin: &str, n: usize) -> Targets {
    let email = format!("target{n}@example.com");
    let user = server
        .create_member(admin, &email, "correct battery staple")
        .await
        .id
        .to_string();
    let role = server.create_role(admin, &format!("Empty {n}"), &[]).await;
    let group = server.create_group(admin, &format!("Group {n}"), &[]).await;
    let added = server
        .send_json(
            Method::POST,
            &format!("{GROUPS}/{group}/members"),
            Some(admin),
            json!({"user_ids": [user]}),
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    Targets {
        user,
        email,
        role,
        group,
    }
}

/// A request that would succeed for a caller with the endpoint's permission.
fn request(endpoint: &Endpoint, t: &Targets, n: usize) -> (Method, String, Option<Value>) {
    let user = format!("{USERS}/{}", t.user);
    let role = format!("{ROLES}/{}", t.role);
    let group = format!("{GROUPS}/{}", t.group);
    let members = format!("{group}/members");
    let e = *endpoint;
    let (method, path, body) = match () {
        _ if e == endpoints::USERS_LIST => (Method::GET, USERS.to_owned(), None),
        _ if e == endpoints::USERS_CREATE => (
            Method::POST,
            USERS.to_owned(),
            Some(json!({"email": format!("new{n}@example.com")})),
        ),
        _ if e == endpoints::USERS_GET => (Method::GET, user, None),
        _ if e == endpoints::USERS_UPDATE => (
            Method::PATCH,
            user,
            Some(json!({"display_name": "Changed"})),
        ),
        _ if e == endpoints::USERS_DELETE => (
            Method::DELETE,
            format!("{user}?confirm_email={}", t.email.replace('@', "%40")),
            None,
        ),
        _ if e == endpoints::USERS_SET_STATUS => (
            Method::PUT,
            format!("{user}/status"),
            Some(json!({"status": "DISABLED"})),
        ),
        _ if e == endpoints::USERS_RESET_PASSWORD => (
            Method::POST,
            format!("{user}/password/reset"),
            Some(json!({"method": "SET", "new_password": "another long passphrase"})),
        ),
        _ if e == endpoints::USERS_DISABLE_MFA => {
            (Method::POST, format!("{user}/mfa/disable"), None)
        }
        _ if e == endpoints::USERS_GROUPS => (Method::GET, format!("{user}/groups"), None),
        _ if e == endpoints::USERS_ROLES => (Method::GET, format!("{user}/roles"), None),
        _ if e == endpoints::USERS_SET_ROLES => (
            Method::PUT,
            format!("{user}/roles"),
            Some(json!({"role_ids": [t.role]})),
        ),
        _ if e == endpoints::ROLES_LIST => (Method::GET, ROLES.to_owned(), None),
        _ if e == endpoints::ROLES_CREATE => (
            Method::POST,
            ROLES.to_owned(),
            Some(json!({"name": format!("New role {n}")})),
        ),
        _ if e == endpoints::ROLES_GET => (Method::GET, role, None),
        _ if e == endpoints::ROLES_UPDATE => {
            (Method::PATCH, role, Some(json!({"description": "Changed"})))
        }
        _ if e == endpoints::ROLES_DELETE => (Method::DELETE, role, None),
        _ if e == endpoints::ROLES_HOLDERS => (Method::GET, format!("{role}/holders"), None),
        _ if e == endpoints::GROUPS_LIST => (Method::GET, GROUPS.to_owned(), None),
        _ if e == endpoints::GROUPS_CREATE => (
            Method::POST,
            GROUPS.to_owned(),
            Some(json!({"name": format!("New group {n}")})),
        ),
        _ if e == endpoints::GROUPS_GET => (Method::GET, group, None),
        _ if e == endpoints::GROUPS_UPDATE => (
            Method::PATCH,
            group,
            Some(json!({"description": "Changed"})),
        ),
        _ if e == endpoints::GROUPS_DELETE => (Method::DELETE, group, None),
        _ if e == endpoints::GROUPS_MEMBERS => (Method::GET, members, None),
        _ if e == endpoints::GROUPS_ADD_MEMBERS => {
            (Method::POST, members, Some(json!({"user_ids": [t.user]})))
        }
        _ if e == endpoints::GROUPS_REMOVE_MEMBERS => {
            (Method::DELETE, members, Some(json!({"user_ids": [t.user]})))
        }
        _ => panic!(
            "no request for {} {}: add one to this table",
            e.method.as_str(),
            e.path
        ),
    };
    (method, path, body)
}

async fn send(
    server: &TestServer,
    token: &str,
    (method, path, body): &(Method, String, Option<Value>),
) -> reqwest::Response {
    let mut request = server
        .request(method.clone(), path, Some(token))
        .header("if-match", "\"1\"");
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// Everything an administrator can see, to prove a refused request changed nothing.
async fn snapshot(server: &TestServer, admin: &str, t: &Targets) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        format!("{USERS}?per_page=200"),
        format!("{ROLES}?per_page=200"),
        format!("{GROUPS}?per_page=200"),
        format!("{USERS}/{}/roles", t.user),
        format!("{USERS}/{}/groups", t.user),
        format!("{GROUPS}/{}/members", t.group),
    ] {
        let mut body: Value = server.get(&path, admin).await.json().await.unwrap();
        body.as_object_mut().unwrap().remove("meta");
        all.push(body);
    }
    all
}

#[tokio::test]
async fn every_endpoint_checks_its_permission() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let mut checked = 0;
    for (n, permission) in Permission::ALL.into_iter().enumerate() {
        let guarded: Vec<&Endpoint> = endpoints::ALL
            .iter()
            .filter(|e| e.permission() == Some(permission))
            .collect();
        if guarded.is_empty() {
            continue;
        }
        let others: Vec<&str> = Permission::ALL
            .iter()
            .filter(|p| **p != permission)
            .map(|p| p.as_str())
            .collect();
        let (_, lacking) = server
            .member_with(&admin, &format!("lacks{n}@example.com"), &others)
            .await;
        let (_, holding) = server
            .member_with(
                &admin,
                &format!("holds{n}@example.com"),
                &[permission.as_str()],
            )
            .await;
        for (i, endpoint) in guarded.into_iter().enumerate() {
            let label = format!("{} {}", endpoint.method.as_str(), endpoint.path);
            let t = targets(&server, &admin, n * 100 + i).await;
            let call = request(endpoint, &t, n * 100 + i);
            let before = snapshot(&server, &admin, &t).await;
            let refused = send(&server, &lacking, &call).await;
            assert_eq!(
                refused.status(),
                StatusCode::FORBIDDEN,
                "{label} without {permission}"
            );
            let body = problem(refused, StatusCode::FORBIDDEN).await;
            assert_eq!(body["missing_permission"], permission.as_str(), "{label}");
            assert_eq!(
                snapshot(&server, &admin, &t).await,
                before,
                "{label}: a refused request changed something"
            );
            let allowed = send(&server, &holding, &call).await;
            let status = allowed.status();
            assert!(
                status.is_success(),
                "{label} with only {permission}: {status} {}",
                allowed.text().await.unwrap()
            );
            checked += 1;
        }
    }
    let guarded_total = endpoints::ALL
        .iter()
        .filter(|e| e.permission().is_some())
        .count();
    assert_eq!(
        checked, guarded_total,
        "every guarded endpoint was exercised"
    );
}
