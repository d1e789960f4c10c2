//! SAML 2.0 sign-in through a real IdP (SimpleSAMLphp, from Debian's packages): the
//! signed answer is verified against the stored certificate and provisions and maps the
//! person; a tampered answer, an answer for another connection, an answer played twice,
//! and a connection holding the wrong certificate all get nowhere and create nothing.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use gatehouse_idp::saml::{PostedAnswer, SamlIdp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{TestServer, USERS};
use crate::sso::{browser, certificate, create, error_in, exchange, landed_as, names_of};
use gatehouse_server::store::engine::{query, query_as};

fn saml_connection(idp: &SamlIdp, certificate_pem: &str, mappings: Value) -> Value {
    json!({
        "protocol": "saml2",
        "title": "Acme SAML",
        "enabled": true,
        "first_sign_in": "CREATE_ACTIVE",
        "saml": {
            "idp_entity_id": idp.entity_id(),
            "login_url": idp.login_url(),
            "certificate_pem": certificate_pem,
        },
        "mappings": mappings,
    })
}

fn sp_addresses(server: &TestServer, connection: &str) -> (String, String) {
    let base = format!("{}/api/v1/sso/saml/{connection}", server.base);
    (format!("{base}/metadata"), format!("{base}/acs"))
}

/// A connection to `idp` that the IdP knows as a service provider.
async fn registered(
    server: &TestServer,
    admin: &str,
    idp: &SamlIdp,
    certificate_pem: &str,
    mappings: Value,
) -> String {
    let connection = create(
        server,
        admin,
        saml_connection(idp, certificate_pem, mappings),
    )
    .await;
    let id = connection["id"].as_str().unwrap().to_owned();
    let (entity_id, acs) = sp_addresses(server, &id);
    idp.register_sp(&entity_id, &acs);
    id
}

async fn answer_from_idp(
    server: &TestServer,
    idp: &SamlIdp,
    connection: &str,
    login: &str,
) -> PostedAnswer {
    let start = format!(
        "{}/api/v1/sso/{connection}/start?return_to=/groups",
        server.base
    );
    idp.sign_in(&start, login).await
}

/// Posts the answer as the IdP's page would, and returns where the server sent the
/// browser.
async fn post(answer: &PostedAnswer) -> String {
    let response = browser()
        .post(&answer.acs_url)
        .form(&[
            ("SAMLResponse", answer.saml_response.as_str()),
            ("RelayState", answer.relay_state.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn user_count(server: &TestServer, admin: &str) -> u64 {
    let users: Value = server.get(USERS, admin).await.json().await.unwrap();
    users["pagination"]["total_items"].as_u64().unwrap()
}

const ALICE: &str = "alice@example.org";

fn accounts(groups: &[&str]) -> Value {
    json!({"alice": {"email": ALICE, "given_name": "Alice", "family_name": "Liddell", "groups": groups}})
}

#[tokio::test]
async fn a_saml_sign_in_is_verified_provisions_and_maps() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let engineering = server.create_group(&admin, "Engineering", &[]).await;
    let idp = SamlIdp::start(accounts(&["eng", "staff"])).await;
    let id = registered(
        &server,
        &admin,
        &idp,
        &idp.certificate_pem,
        json!([{"idp_group": "eng", "group_ids": [engineering], "role_ids": []}]),
    )
    .await;

    // The SP metadata the IdP is given names this connection's entity id and ACS.
    let (entity_id, acs) = sp_addresses(&server, &id);
    let metadata = browser().get(&entity_id).send().await.unwrap();
    assert_eq!(metadata.status(), StatusCode::OK);
    assert_eq!(
        metadata.headers()["content-type"],
        "application/samlmetadata+xml"
    );
    let metadata = metadata.text().await.unwrap();
    assert!(
        metadata.contains(&format!("entityID=\"{entity_id}\"")),
        "{metadata}"
    );
    assert!(metadata.contains(&format!("Location=\"{acs}\"")));
    // It is offered on the sign-in page.
    let public: Value = browser()
        .get(format!("{}/api/v1/sso/connections", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["data"][0]["protocol"], "saml2", "{public}");

    let answer = answer_from_idp(&server, &idp, &id, "alice").await;
    assert_eq!(answer.acs_url, acs);
    let login_row: (Vec<u8>, uuid::Uuid, String, String, String, i64) = query_as(
        "SELECT state_hash, connection_id, nonce, pkce_verifier, return_to, expires_at FROM sso_logins",
    )
    .fetch_one(&server.database().await)
    .await
    .unwrap();
    let me = landed_as(&server, &post(&answer).await).await;
    let user = &me["user"];
    assert_eq!(user["email"], ALICE);
    assert_eq!(user["identity_source"], "SAML");
    assert_eq!(user["first_name"], "Alice");
    assert_eq!(user["last_name"], "Liddell");
    let alice = user["id"].as_str().unwrap().to_owned();
    assert_eq!(
        names_of(&server, &admin, &format!("{USERS}/{alice}/groups")).await,
        ["Engineering"]
    );

    // The same answer again is refused: its sign-in is finished...
    let replayed = post(&answer).await;
    assert!(
        error_in(&replayed).contains("not started here"),
        "{replayed}"
    );
    // ...and even with that sign-in put back, the assertion itself was used.
    let db = server.database().await;
    query("INSERT INTO sso_logins (state_hash, connection_id, nonce, pkce_verifier, return_to, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&login_row.0).bind(login_row.1).bind(&login_row.2).bind(&login_row.3).bind(&login_row.4).bind(login_row.5)
        .execute(&db)
        .await
        .unwrap();
    let replayed = post(&answer).await;
    assert!(error_in(&replayed).contains("already used"), "{replayed}");

    // The IdP drops her from eng: the next sign-in takes the membership back.
    idp.set_accounts(accounts(&["staff"]));
    let landing = post(&answer_from_idp(&server, &idp, &id, "alice").await).await;
    exchange(&server, &landing).await;
    assert!(
        names_of(&server, &admin, &format!("{USERS}/{alice}/groups"))
            .await
            .is_empty()
    );
    assert_eq!(user_count(&server, &admin).await, 2, "the admin and Alice");
}

#[tokio::test]
async fn forged_misdirected_and_unverifiable_answers_get_nowhere() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let idp = SamlIdp::start(accounts(&["eng"])).await;
    let id = registered(&server, &admin, &idp, &idp.certificate_pem, json!([])).await;

    // A changed email in a signed answer breaks the signature.
    let mut tampered = answer_from_idp(&server, &idp, &id, "alice").await;
    let xml = String::from_utf8(STANDARD.decode(&tampered.saml_response).unwrap()).unwrap();
    assert!(xml.contains(ALICE), "the answer carries the email");
    tampered.saml_response = STANDARD.encode(xml.replace(ALICE, "mallory@example.org"));
    let landing = post(&tampered).await;
    assert!(
        error_in(&landing).contains("could not be verified"),
        "{landing}"
    );

    // An answer meant for one connection, posted to another's ACS with that one's own
    // sign-in under way: wrong destination, audience and request.
    let other = registered(&server, &admin, &idp, &idp.certificate_pem, json!([])).await;
    let for_first = answer_from_idp(&server, &idp, &id, "alice").await;
    let for_other = answer_from_idp(&server, &idp, &other, "alice").await;
    let misdirected = PostedAnswer {
        saml_response: for_first.saml_response,
        ..for_other
    };
    let landing = post(&misdirected).await;
    assert!(
        error_in(&landing).contains("could not be verified"),
        "{landing}"
    );

    // A connection that holds some other certificate trusts nothing this IdP signs.
    let (stranger, _) = certificate((2099, 1, 1));
    let wrong = registered(&server, &admin, &idp, &stranger, json!([])).await;
    let landing = post(&answer_from_idp(&server, &idp, &wrong, "alice").await).await;
    assert!(
        error_in(&landing).contains("could not be verified"),
        "{landing}"
    );

    // Nothing was created by any of it; the metadata of a connection that is not SAML is
    // not there.
    assert_eq!(user_count(&server, &admin).await, 1);
    let garbage = browser()
        .post(format!("{}/api/v1/sso/saml/{id}/acs", server.base))
        .form(&[("SAMLResponse", "not base64 at all"), ("RelayState", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::SEE_OTHER);
    let missing = server
        .request(
            Method::GET,
            &format!("/api/v1/sso/saml/{}/metadata", uuid::Uuid::nil()),
            None,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
