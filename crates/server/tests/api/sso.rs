//! SSO: connections keep their secrets, show their certificates, and simulate their
//! mappings; signing in through a real OpenID Connect provider (oidc-provider, from
//! npm) provisions people by the connection's policy and keeps the memberships it gave
//! in line with the provider's groups.

use gatehouse_idp::{OidcProvider, CLIENT_ID, CLIENT_SECRET};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Digest;

use crate::common::{problem, LoggedServer, TestServer, USERS};
use gatehouse_server::store::engine::{query, query_scalar};

pub(crate) const SSO: &str = "/api/v1/tenants/default/sso/connections";

fn oidc_connection(issuer: &str, policy: &str, mappings: Value) -> Value {
    json!({
        "protocol": "oidc",
        "preset": "keycloak",
        "title": "Acme login",
        "enabled": true,
        "first_sign_in": policy,
        "oidc": {"issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        "mappings": mappings,
    })
}

pub(crate) async fn create(server: &TestServer, admin: &str, body: Value) -> Value {
    let response = server.send_json(Method::POST, SSO, Some(admin), body).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"].clone()
}

pub(crate) fn certificate(not_after: (i32, u8, u8)) -> (String, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["idp.example.com".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert.der().to_vec())
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[tokio::test]
async fn connections_keep_their_secret_and_show_their_certificate() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let oidc = create(
        &server,
        &admin,
        oidc_connection("https://login.example.com", "CREATE_PENDING", json!([])),
    )
    .await;
    assert_eq!(oidc["oidc"]["client_secret_set"], true);
    assert_eq!(oidc["oidc"]["groups_claim"], "groups");
    assert!(!oidc.to_string().contains(CLIENT_SECRET));
    // A change that leaves the secret out keeps it.
    let id = oidc["id"].as_str().unwrap();
    let mut change = oidc_connection("https://login.example.com", "REFUSE", json!([]));
    change["oidc"]
        .as_object_mut()
        .unwrap()
        .remove("client_secret");
    change["enabled"] = json!(false);
    let changed: Value = server
        .request(Method::PUT, &format!("{SSO}/{id}"), Some(&admin))
        .header("if-match", "\"1\"")
        .json(&change)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        changed["data"]["oidc"]["client_secret_set"], true,
        "{changed}"
    );
    assert_eq!(changed["data"]["first_sign_in"], "REFUSE");

    let (pem, der) = certificate((2099, 1, 1));
    let saml = create(&server, &admin, saml_body(&pem)).await;
    let shown = &saml["saml"]["certificate"];
    assert_eq!(shown["sha256"], hex(&sha2::Sha256::digest(&der)));
    assert_eq!(shown["sha1"], hex(&sha1::Sha1::digest(&der)));
    assert!(shown["not_after"]
        .as_str()
        .unwrap()
        .starts_with("2099-01-01"));
    assert!(shown["subject"].is_string());

    let (expired, _) = certificate((2021, 1, 1));
    for (bad, says) in [
        (expired.as_str(), "expired"),
        ("not a certificate", "not a PEM"),
    ] {
        let refused = server
            .send_json(
                Method::POST,
                SSO,
                Some(&admin),
                json!({
                    "protocol": "saml2",
                    "title": "Bad",
                    "saml": {"idp_entity_id": "x", "login_url": "https://idp.example.com/sso", "certificate_pem": bad},
                }),
            )
            .await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "saml.certificate_pem");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{body}"
        );
    }

    // The sign-in page lists the enabled ones only, to anyone: the first OIDC one was
    // disabled above.
    create(
        &server,
        &admin,
        oidc_connection("https://login.example.com", "REFUSE", json!([])),
    )
    .await;
    let public: Value = server
        .request(Method::GET, "/api/v1/sso/connections", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = public["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Acme login", "Acme SAML"]);
}

#[tokio::test]
async fn the_simulator_says_which_mapping_grants_what() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let group = server.create_group(&admin, "Engineering", &[]).await;
    let role = server.create_role(&admin, "Reader", &["users:read"]).await;
    let connection = create(
        &server,
        &admin,
        oidc_connection(
            "https://login.example.com",
            "CREATE_ACTIVE",
            json!([
                {"idp_group": "devs", "group_ids": [group], "role_ids": [role]},
                {"idp_group": "ops", "role_ids": [role]},
            ]),
        ),
    )
    .await;
    let id = connection["id"].as_str().unwrap();
    let simulated: Value = server
        .send_json(
            Method::POST,
            &format!("{SSO}/{id}/simulate"),
            Some(&admin),
            json!({"claims": {"sub": "x", "groups": ["ops", "devs", "sales"]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let result = &simulated["data"];
    assert_eq!(result["idp_groups"], json!(["devs", "ops", "sales"]));
    assert_eq!(result["unmapped"], json!(["sales"]));
    assert_eq!(result["groups"][0]["group"]["name"], "Engineering");
    assert_eq!(result["groups"][0]["from"], json!(["devs"]));
    assert_eq!(result["roles"][0]["role"]["name"], "Reader");
    assert_eq!(result["roles"][0]["from"], json!(["devs", "ops"]));
}

/// A client that stops at redirects, to see where the server sends a browser.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs `login` in through the connection, and returns where the server sent the
/// browser at the end.
async fn sign_in(
    server: &TestServer,
    provider: &OidcProvider,
    connection: &str,
    login: &str,
) -> String {
    let start = format!(
        "{}/api/v1/sso/{connection}/start?return_to=/groups",
        server.base
    );
    let callback = provider.sign_in(&start, login).await;
    let answer = browser().get(&callback).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// Who a `/sso/done#code=...` landing signs in (`/auth/me`'s data).
pub(crate) async fn landed_as(server: &TestServer, landing: &str) -> Value {
    assert!(
        landing.starts_with(&format!("{}/sso/done#code=", server.base)),
        "{landing}"
    );
    let token = exchange(server, landing).await;
    let me: Value = server
        .get("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    me["data"].clone()
}

/// A SAML connection (to an IdP that is not there) trusting `certificate_pem`.
pub(crate) fn saml_body(certificate_pem: &str) -> Value {
    json!({
        "protocol": "saml2",
        "title": "Acme SAML",
        "enabled": true,
        "saml": {"idp_entity_id": "https://idp.example.com", "login_url": "https://idp.example.com/sso", "certificate_pem": certificate_pem},
    })
}

/// The session a `/sso/done#code=...` landing gives.
pub(crate) async fn exchange(server: &TestServer, landing: &str) -> String {
    let fragment = landing.split_once('#').expect("a fragment").1;
    let code = fragment
        .split('&')
        .find_map(|p| p.strip_prefix("code="))
        .expect("a code");
    assert!(fragment.contains("next=%2Fgroups"), "{landing}");
    let answer = server
        .send_json(
            Method::POST,
            "/api/v1/auth/sso/exchange",
            None,
            json!({"code": code}),
        )
        .await;
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = server
        .send_json(
            Method::POST,
            "/api/v1/auth/sso/exchange",
            None,
            json!({"code": code}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE, "a code works once");
    body["data"]["token"].as_str().unwrap().to_owned()
}

pub(crate) fn error_in(landing: &str) -> String {
    let encoded = landing
        .split_once("#sso_error=")
        .unwrap_or_else(|| panic!("an error landing: {landing}"))
        .1;
    let mut out = Vec::new();
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(u8::from_str_radix(&encoded[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub(crate) async fn names_of(server: &TestServer, admin: &str, path: &str) -> Vec<String> {
    let body: Value = server.get(path, admin).await.json().await.unwrap();
    let items = body["data"]["effective"]
        .as_array()
        .or(body["data"].as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|i| {
            i["name"]
                .as_str()
                .or(i["role"]["name"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn an_oidc_sign_in_provisions_maps_and_keeps_memberships_in_line() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let engineering = server.create_group(&admin, "Engineering", &[]).await;
    let ops = server.create_group(&admin, "Ops", &[]).await;
    let reader = server.create_role(&admin, "Reader", &["users:read"]).await;
    let callback = format!("{}/api/v1/sso/oidc/callback", server.base);
    let provider = OidcProvider::start(
        &callback,
        json!({"ada": {"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace", "groups": ["engineers"]}}),
    )
    .await;
    let connection = create(
        &server,
        &admin,
        oidc_connection(
            &provider.issuer(),
            "CREATE_ACTIVE",
            json!([{"idp_group": "engineers", "group_ids": [engineering], "role_ids": [reader]}]),
        ),
    )
    .await;
    let id = connection["id"].as_str().unwrap();

    let landing = sign_in(&server, &provider, id, "ada").await;
    let me = landed_as(&server, &landing).await;
    let user = &me["user"];
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["identity_source"], "OIDC");
    assert_eq!(user["first_name"], "Ada");
    assert_eq!(me["permissions"], json!(["users:read"]));
    let ada = user["id"].as_str().unwrap().to_owned();
    assert_eq!(
        names_of(&server, &admin, &format!("{USERS}/{ada}/groups")).await,
        ["Engineering"]
    );

    // An administrator adds her to Ops by hand; the provider drops her from engineers.
    server
        .send_json(
            Method::POST,
            &format!("/api/v1/tenants/default/groups/{ops}/members"),
            Some(&admin),
            json!({"user_ids": [ada]}),
        )
        .await;
    provider.set_accounts(json!({"ada": {"email": "ada@example.com", "groups": []}}));
    let landing = sign_in(&server, &provider, id, "ada").await;
    let token = exchange(&server, &landing).await;
    let me: Value = server
        .get("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["data"]["permissions"],
        json!([]),
        "the mapped role went with the group"
    );
    assert_eq!(
        names_of(&server, &admin, &format!("{USERS}/{ada}/groups")).await,
        ["Ops"]
    );
    let count: Value = server
        .get(&format!("{SSO}/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(count["data"]["user_count"], 1);

    // A state this server never issued, or a nonce that does not match, gets nowhere.
    let forged = browser()
        .get(format!("{callback}?code=x&state=forged"))
        .send()
        .await
        .unwrap();
    let landing = forged.headers()["location"].to_str().unwrap().to_owned();
    assert!(error_in(&landing).contains("not started here"), "{landing}");

    let start = format!("{}/api/v1/sso/{id}/start", server.base);
    let db = server.database().await;
    let provider_callback = {
        // Start, then swap the nonce this server keeps before the browser returns.
        let url = provider.sign_in(&start, "ada").await;
        query("UPDATE sso_logins SET nonce = 'not-the-one-sent'")
            .execute(&db)
            .await
            .unwrap();
        url
    };
    let answer = browser().get(&provider_callback).send().await.unwrap();
    let landing = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        error_in(&landing).contains("ID token was refused"),
        "{landing}"
    );
}

#[tokio::test]
async fn policies_mismatches_and_a_wrong_secret_are_refused_clearly() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server
        .create_member(&admin, "bob@example.com", "bob's own password")
        .await;
    let callback = format!("{}/api/v1/sso/oidc/callback", server.base);
    let provider = OidcProvider::start(
        &callback,
        json!({
            "grace": {"email": "grace@example.com", "groups": []},
            "bob": {"email": "bob@example.com", "groups": []},
            "carol": {"email": "carol@example.com", "groups": []},
        }),
    )
    .await;
    let connection = create(
        &server,
        &admin,
        oidc_connection(&provider.issuer(), "CREATE_PENDING", json!([])),
    )
    .await;
    let id = connection["id"].as_str().unwrap().to_owned();

    // Pending approval: held until an administrator approves, then let through.
    let landing = sign_in(&server, &provider, &id, "grace").await;
    assert!(error_in(&landing).contains("approval"), "{landing}");
    let pending: Value = server
        .get(&format!("{USERS}?status=PENDING_APPROVAL"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["data"][0]["email"], "grace@example.com");
    let grace = pending["data"][0]["id"].as_str().unwrap();
    server.set_status(&admin, grace, "ACTIVE").await;
    let landing = sign_in(&server, &provider, &id, "grace").await;
    exchange(&server, &landing).await;

    // An existing local account is never linked silently.
    let landing = sign_in(&server, &provider, &id, "bob").await;
    assert!(error_in(&landing).contains("already exists"), "{landing}");
    let bob: Value = server
        .get(&format!("{USERS}?search=bob"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bob["data"][0]["identity_source"], "LOCAL");

    // A wrong client secret: a clear message, and nobody created.
    let mut wrong = oidc_connection(&provider.issuer(), "CREATE_ACTIVE", json!([]));
    wrong["oidc"]["client_secret"] = json!("not the secret");
    let changed = server
        .request(Method::PUT, &format!("{SSO}/{id}"), Some(&admin))
        .header("if-match", "\"1\"")
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let landing = sign_in(&server, &provider, &id, "carol").await;
    assert!(error_in(&landing).contains("client secret"), "{landing}");
    let carol: Value = server
        .get(&format!("{USERS}?search=carol"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(carol["pagination"]["total_items"], 0);
}

#[tokio::test]
async fn the_client_secret_never_reaches_an_answer_or_the_log() {
    let server = LoggedServer::start(&[]).await;
    let admin = server.admin_token().await;
    let secret = "a very particular client secret 4242";
    let mut body = oidc_connection("https://login.example.com", "REFUSE", json!([]));
    body["oidc"]["client_secret"] = json!(secret);
    let created = server
        .http
        .post(server.url(SSO))
        .bearer_auth(&admin)
        .json(&body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id: Value = serde_json::from_str(&created).unwrap();
    let id = id["data"]["id"].as_str().unwrap().to_owned();
    let mut seen = created;
    for path in [
        format!("{SSO}/{id}"),
        SSO.to_owned(),
        "/api/v1/sso/connections".to_owned(),
    ] {
        seen.push_str(
            &server
                .http
                .get(server.url(&path))
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
    }
    assert!(seen.contains(&id));
    assert!(!seen.contains(secret));
    let logged = server.stop();
    assert!(logged.contains("SSO connection created"), "{logged}");
    assert!(!logged.contains(secret));
}

/// SAML metadata of an IdP at `idp.example.com`, signing with a fresh certificate;
/// returns it with the certificate's DER.
pub fn idp_metadata() -> (String, Vec<u8>) {
    use base64::Engine;
    let (_, der) = certificate((2099, 1, 1));
    let encoded = base64::engine::general_purpose::STANDARD.encode(&der);
    let xml = format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{encoded}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    );
    (xml, der)
}

#[tokio::test]
async fn discovery_and_metadata_fill_in_a_connection() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let provider = OidcProvider::start("http://127.0.0.1:1/callback", json!({})).await;
    let discover = |issuer: String| {
        server.send_json(
            Method::POST,
            "/api/v1/tenants/default/sso/discover",
            Some(&admin),
            json!({"issuer": issuer}),
        )
    };
    let found: Value = discover(provider.issuer()).await.json().await.unwrap();
    assert_eq!(found["data"]["issuer"], provider.issuer());
    assert!(found["data"]["authorization_endpoint"]
        .as_str()
        .unwrap()
        .starts_with(&provider.issuer()));
    assert!(found["data"]["jwks_uri"].is_string());
    for (issuer, says) in [
        (format!("{}/elsewhere", provider.issuer()), "answered 404"),
        ("http://127.0.0.1:1".to_owned(), "could not be reached"),
        ("ftp://example.com".to_owned(), "https://"),
    ] {
        let body = problem(discover(issuer).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{body}"
        );
    }

    let (xml, der) = idp_metadata();
    let imported: Value = server
        .send_json(
            Method::POST,
            "/api/v1/tenants/default/sso/metadata",
            Some(&admin),
            json!({"xml": xml}),
        )
        .await
        .json()
        .await
        .unwrap();
    let data = &imported["data"];
    assert_eq!(data["idp_entity_id"], "https://idp.example.com/saml");
    assert_eq!(data["login_url"], "https://idp.example.com/redirect");
    assert_eq!(
        data["certificate"]["sha256"],
        hex(&sha2::Sha256::digest(&der))
    );
    let refused = server
        .send_json(
            Method::POST,
            "/api/v1/tenants/default/sso/metadata",
            Some(&admin),
            json!({"xml": "<html/>"}),
        )
        .await;
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not SAML metadata"),
        "{body}"
    );
}

#[tokio::test]
async fn a_client_may_start_only_so_many_sign_ins() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (pem, _) = certificate((2099, 1, 1));
    let connection = create(&server, &admin, saml_body(&pem)).await;
    let start = format!(
        "{}/api/v1/sso/{}/start",
        server.base,
        connection["id"].as_str().unwrap()
    );
    let location = |answer: reqwest::Response| {
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        answer.headers()["location"].to_str().unwrap().to_owned()
    };
    for _ in 0..120 {
        let to = location(browser().get(&start).send().await.unwrap());
        assert!(
            to.starts_with("https://idp.example.com/sso?SAMLRequest="),
            "{to}"
        );
    }
    let to = location(browser().get(&start).send().await.unwrap());
    assert!(error_in(&to).contains("Too many sign-ins started"), "{to}");
    let kept: i64 = query_scalar("SELECT count(*) FROM sso_logins")
        .fetch_one(&server.database().await)
        .await
        .unwrap();
    assert_eq!(kept, 120, "the refused start stored nothing");
}
