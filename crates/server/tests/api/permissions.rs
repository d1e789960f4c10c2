//! The permission table: for every endpoint that needs a permission, a user holding every
//! permission but that one gets 403 naming it and changes nothing; a user holding only
//! that permission succeeds.

use gatehouse_api::endpoints::{self, Endpoint};
use gatehouse_api::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{problem, with_mail, MailServer, TestServer, GROUPS, ROLES, USERS};

const SECURITY: &str = "/api/v1/tenants/default/settings/security";
const INVITES: &str = "/api/v1/tenants/default/invites";
const MAIL: &str = "/api/v1/tenants/default/settings/mail";
const KEYS: &str = "/api/v1/tenants/default/api-keys";
const SSO: &str = "/api/v1/tenants/default/sso/connections";
const AUDIT: &str = "/api/v1/tenants/default/audit";

/// The issuer of the OpenID provider the discovery request reads.
static ISSUER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// An OIDC connection named `title` whose IdP group `staff` brings `groups`, `roles`.
fn connection(title: &str, groups: &[&str], roles: &[&str]) -> Value {
    let mut mappings = Vec::new();
    if !groups.is_empty() || !roles.is_empty() {
        mappings.push(json!({"idp_group": "staff", "group_ids": groups, "role_ids": roles}));
    }
    json!({
        "protocol": "oidc",
        "title": title,
        "oidc": {"issuer": "https://login.example.com", "client_id": "gatehouse", "client_secret": "s3cret"},
        "mappings": mappings,
    })
}

/// Fresh objects for one endpoint's requests.
pub(crate) struct Targets {
    user: String,
    email: String,
    role: String,
    group: String,
    /// A pending invite (granting `role` and `group` among stronger targets).
    invite: String,
    /// An API key of `user`'s.
    key: String,
    /// An SSO connection mapping an IdP group to `group`.
    connection: String,
}

pub(crate) async fn targets(server: &TestServer, admin: &str, n: usize) -> Targets {
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
    let status = added.status();
    assert_eq!(status, StatusCode::OK, "{}", added.text().await.unwrap());
    let invited: Value = server
        .send_json(
            Method::POST,
            INVITES,
            Some(admin),
            json!({"emails": [format!("invitee{n}@example.com")]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let invite = invited["data"]["results"][0]["invite"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an invite: {invited}"))
        .to_owned();
    let issued: Value = server
        .send_json(
            Method::POST,
            &format!("{USERS}/{user}/api-keys"),
            Some(admin),
            json!({"name": format!("Key {n}"), "expires": {"in_days": 30}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = issued["data"]["key"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a key: {issued}"))
        .to_owned();
    let created: Value = server
        .send_json(
            Method::POST,
            SSO,
            Some(admin),
            connection(&format!("Connection {n}"), &[&group], &[]),
        )
        .await
        .json()
        .await
        .unwrap();
    let connection = created["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a connection: {created}"))
        .to_owned();
    Targets {
        user,
        email,
        role,
        group,
        invite,
        key,
        connection,
    }
}

/// A request that would succeed for a caller with the endpoint's permission.
pub(crate) fn request(
    endpoint: &Endpoint,
    t: &Targets,
    n: usize,
) -> (Method, String, Option<Value>) {
    let user = format!("{USERS}/{}", t.user);
    let role = format!("{ROLES}/{}", t.role);
    let group = format!("{GROUPS}/{}", t.group);
    let members = format!("{group}/members");
    let e = *endpoint;
    let (method, path, body) = match () {
        _ if e == endpoints::USERS_LIST => (Method::GET, USERS.to_owned(), None),
        _ if e == endpoints::USERS_EXPORT => (Method::GET, format!("{USERS}/export"), None),
        _ if e == endpoints::USERS_CREATE => (
            Method::POST,
            USERS.to_owned(),
            Some(json!({"email": format!("new{n}@example.com")})),
        ),
        _ if e == endpoints::USERS_BULK => (
            Method::POST,
            format!("{USERS}/bulk"),
            Some(json!({"action": {"kind": "disable"}, "selection": {"ids": [t.user]}})),
        ),
        _ if e == endpoints::USERS_IMPORT => (
            Method::POST,
            format!("{USERS}/import"),
            Some(json!({"csv": format!("email\nimported{n}@example.com\n")})),
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
        _ if e == endpoints::USERS_MAIL => (Method::GET, format!("{user}/mail"), None),
        _ if e == endpoints::INVITES_LIST => (Method::GET, INVITES.to_owned(), None),
        _ if e == endpoints::INVITES_CREATE => (
            Method::POST,
            INVITES.to_owned(),
            Some(json!({"emails": [format!("invited{n}@example.com")]})),
        ),
        _ if e == endpoints::INVITES_GET => (Method::GET, format!("{INVITES}/{}", t.invite), None),
        _ if e == endpoints::INVITES_RESEND => {
            (Method::POST, format!("{INVITES}/{}/resend", t.invite), None)
        }
        _ if e == endpoints::INVITES_REVOKE => {
            (Method::POST, format!("{INVITES}/{}/revoke", t.invite), None)
        }
        _ if e == endpoints::INVITES_REVOKE_MANY => (
            Method::POST,
            format!("{INVITES}/revoke"),
            Some(json!({"ids": [t.invite]})),
        ),
        _ if e == endpoints::USER_API_KEYS_LIST => (Method::GET, format!("{user}/api-keys"), None),
        _ if e == endpoints::USER_API_KEYS_CREATE => (
            Method::POST,
            format!("{user}/api-keys"),
            Some(json!({"name": format!("New key {n}"), "expires": {"in_days": 7}})),
        ),
        _ if e == endpoints::API_KEYS_LIST => (Method::GET, KEYS.to_owned(), None),
        _ if e == endpoints::API_KEYS_GET => (Method::GET, format!("{KEYS}/{}", t.key), None),
        _ if e == endpoints::API_KEYS_UPDATE => (
            Method::PATCH,
            format!("{KEYS}/{}", t.key),
            Some(json!({"name": "Renamed"})),
        ),
        _ if e == endpoints::API_KEYS_REVOKE => (
            Method::POST,
            format!("{KEYS}/{}/revoke", t.key),
            Some(json!({"reason": "Leaked"})),
        ),
        _ if e == endpoints::API_KEYS_REVOKE_MANY => (
            Method::POST,
            format!("{KEYS}/revoke"),
            Some(json!({"ids": [t.key]})),
        ),
        _ if e == endpoints::SSO_LIST => (Method::GET, SSO.to_owned(), None),
        _ if e == endpoints::SSO_CREATE => (
            Method::POST,
            SSO.to_owned(),
            Some(connection(&format!("New {n}"), &[], &[])),
        ),
        _ if e == endpoints::SSO_GET => (Method::GET, format!("{SSO}/{}", t.connection), None),
        _ if e == endpoints::SSO_UPDATE => (
            Method::PUT,
            format!("{SSO}/{}", t.connection),
            Some(connection(&format!("Renamed {n}"), &[], &[])),
        ),
        _ if e == endpoints::SSO_DELETE => {
            (Method::DELETE, format!("{SSO}/{}", t.connection), None)
        }
        _ if e == endpoints::SSO_SIMULATE => (
            Method::POST,
            format!("{SSO}/{}/simulate", t.connection),
            Some(json!({"claims": {"groups": ["staff"]}})),
        ),
        _ if e == endpoints::SSO_DISCOVER => (
            Method::POST,
            "/api/v1/tenants/default/sso/discover".to_owned(),
            Some(json!({"issuer": ISSUER.get().cloned().unwrap_or_default()})),
        ),
        _ if e == endpoints::SSO_METADATA => (
            Method::POST,
            "/api/v1/tenants/default/sso/metadata".to_owned(),
            Some(json!({"xml": crate::sso::idp_metadata().0})),
        ),
        _ if e == endpoints::MAIL_SETTINGS => (Method::GET, MAIL.to_owned(), None),
        _ if e == endpoints::MAIL_TEST => (
            Method::POST,
            format!("{MAIL}/test"),
            Some(json!({"to": format!("test{n}@example.com")})),
        ),
        _ if e == endpoints::AUDIT_LIST => (Method::GET, AUDIT.to_owned(), None),
        _ if e == endpoints::AUDIT_EXPORT => (Method::GET, format!("{AUDIT}/export"), None),
        _ if e == endpoints::SECURITY_SETTINGS_GET => (Method::GET, SECURITY.to_owned(), None),
        _ if e == endpoints::SECURITY_SETTINGS_UPDATE => (
            Method::PUT,
            SECURITY.to_owned(),
            Some(json!({"mfa_policy": "OPTIONAL"})),
        ),
        _ => panic!(
            "no request for {} {}: add one to this table",
            e.method.as_str(),
            e.path
        ),
    };
    (method, path, body)
}

pub(crate) async fn send(
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
        format!("{INVITES}?per_page=200"),
        format!("{KEYS}?per_page=200"),
        format!("{SSO}?per_page=200"),
        SECURITY.to_owned(),
    ] {
        let mut body: Value = server.get(&path, admin).await.json().await.unwrap();
        body.as_object_mut().unwrap().remove("meta");
        // Mail delivery moves on its own; what matters is the invites themselves.
        for item in body["data"].as_array_mut().into_iter().flatten() {
            if let Some(item) = item.as_object_mut() {
                item.remove("delivery");
                item.remove("last_used_at");
            }
        }
        all.push(body);
    }
    all
}

#[tokio::test]
async fn every_endpoint_checks_its_permission() {
    let mail = MailServer::start().await;
    let server = TestServer::start_with(with_mail(&mail)).await;
    let admin = server.admin_token().await;
    let provider = gatehouse_idp::OidcProvider::start("http://127.0.0.1:1/cb", json!({})).await;
    ISSUER.set(provider.issuer()).unwrap();
    let mut checked = 0;
    for (n, permission) in Permission::ALL.into_iter().enumerate() {
        let guarded: Vec<&Endpoint> = endpoints::ALL
            .iter()
            .filter(|e| e.permission_for_others() == Some(permission))
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
        .filter(|e| e.permission_for_others().is_some())
        .count();
    assert_eq!(
        checked, guarded_total,
        "every guarded endpoint was exercised"
    );
}

/// Targets stronger than a caller who holds only `permission`: the user (a member of the
/// group) holds `permission` and `extra`; the role carries `extra`; the group grants it.
async fn stronger_targets(
    server: &TestServer,
    admin: &str,
    n: usize,
    permission: Permission,
    extra: Permission,
) -> Targets {
    let t = targets(server, admin, n).await;
    let strong = server
        .create_role(
            admin,
            &format!("Strong {n}"),
            &[permission.as_str(), extra.as_str()],
        )
        .await;
    let set = server.set_roles(admin, &t.user, &[&strong]).await;
    assert_eq!(set.status(), StatusCode::OK);
    let change = |path: String, body: Value| {
        server
            .request(Method::PATCH, &path, Some(admin))
            .header("if-match", "\"1\"")
            .json(&body)
            .send()
    };
    let role = change(
        format!("{ROLES}/{}", t.role),
        json!({"permissions": [extra.as_str()]}),
    )
    .await
    .unwrap();
    assert_eq!(role.status(), StatusCode::OK);
    let group = change(
        format!("{GROUPS}/{}", t.group),
        json!({"role_ids": [t.role]}),
    )
    .await
    .unwrap();
    assert_eq!(group.status(), StatusCode::OK);
    let invited: Value = server
        .send_json(
            Method::POST,
            INVITES,
            Some(admin),
            json!({
                "emails": [format!("strong{n}@example.com")],
                "role_ids": [t.role],
                "group_ids": [t.group],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    Targets {
        invite: invited["data"]["results"][0]["invite"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("an invite: {invited}"))
            .to_owned(),
        ..t
    }
}

/// The column "holds the permission, but the target is stronger": for every write, a
/// caller with exactly the endpoint's permission is refused on a target that carries
/// more, and nothing changes. Writes with no target (creating users, the tenant policy,
/// the tenant's mail test, and SSO discovery, metadata reading and simulation, which
/// change nothing) are left out; creating roles, groups and invites count
/// the permissions asked for; resending or revoking an invite counts what it grants.
#[tokio::test]
async fn holding_the_permission_is_not_enough_against_a_stronger_target() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let mut checked = Vec::new();
    let writes = endpoints::ALL.iter().filter(|e| {
        e.permission_for_others().is_some()
            && e.method != endpoints::Method::Get
            && **e != endpoints::USERS_CREATE
            && **e != endpoints::SECURITY_SETTINGS_UPDATE
            && **e != endpoints::MAIL_TEST
            && **e != endpoints::SSO_SIMULATE
            && **e != endpoints::SSO_DISCOVER
            && **e != endpoints::SSO_METADATA
            // Refuses a stronger target in that user's own result, not the whole
            // request (bulk.rs shows it).
            && **e != endpoints::USERS_BULK
            && **e != endpoints::USERS_IMPORT
    });
    for (n, endpoint) in writes.enumerate() {
        let permission = endpoint.permission_for_others().unwrap();
        let extra = if permission == Permission::TenantsWrite {
            Permission::SsoWrite
        } else {
            Permission::TenantsWrite
        };
        let label = format!("{} {}", endpoint.method.as_str(), endpoint.path);
        // Inviting into roles and groups also takes roles:write and groups:write; the
        // caller holds those too, so what refuses them is the stronger target.
        let mut held = vec![permission.as_str()];
        if [
            endpoints::INVITES_CREATE,
            endpoints::INVITES_RESEND,
            endpoints::SSO_CREATE,
            endpoints::SSO_UPDATE,
        ]
        .contains(endpoint)
        {
            held.extend([
                Permission::RolesWrite.as_str(),
                Permission::GroupsWrite.as_str(),
            ]);
        }
        let (_, caller) = server
            .member_with(&admin, &format!("weaker{n}@example.com"), &held)
            .await;
        let t = stronger_targets(&server, &admin, 500 + n, permission, extra).await;
        let (method, path, body) = request(endpoint, &t, 500 + n);
        let body = match *endpoint {
            e if e == endpoints::USERS_SET_ROLES => Some(json!({"role_ids": []})),
            e if e == endpoints::GROUPS_UPDATE => Some(json!({"role_ids": []})),
            e if e == endpoints::ROLES_CREATE => Some(json!({
                "name": format!("Stronger {n}"),
                "permissions": [extra.as_str()],
            })),
            e if e == endpoints::GROUPS_CREATE => Some(json!({
                "name": format!("Stronger {n}"),
                "role_ids": [t.role],
            })),
            e if e == endpoints::SSO_CREATE => {
                Some(connection(&format!("Stronger {n}"), &[], &[&t.role]))
            }
            e if e == endpoints::INVITES_CREATE => Some(json!({
                "emails": [format!("stronger{n}@example.com")],
                "role_ids": [t.role],
            })),
            _ => body,
        };
        let before = snapshot(&server, &admin, &t).await;
        let mut request = server.request(method, &path, Some(&caller));
        let etag = server
            .get(&path, &admin)
            .await
            .headers()
            .get("etag")
            .cloned();
        if let Some(etag) = etag {
            request = request.header("if-match", etag);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let refused = request.send().await.unwrap();
        let status = refused.status();
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{label} on a stronger target: {}",
            refused.text().await.unwrap()
        );
        let body = problem(refused, StatusCode::FORBIDDEN).await;
        assert!(
            body["detail"].as_str().unwrap().contains("do not"),
            "{label}: {body}"
        );
        assert_eq!(
            snapshot(&server, &admin, &t).await,
            before,
            "{label}: a refused request changed something"
        );
        checked.push(label);
    }
    assert!(checked.len() >= 18, "{checked:?}");
}
