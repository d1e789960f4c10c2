//! Component tests of SSO: the wizard's presets, the settings form that never shows a
//! secret, mappings saved through the whole connection (the server's 403 shown), the Test
//! tab (which mapping gave what; bad JSON refused without a request; SAML lines parsed),
//! the sign-in page's "Sign in with …" links and its SSO error, `/sso/done`, and
//! approving or denying people who wait for approval.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{
    button, container, element, fake_server, now, problem, sent_bodies, session_with, set_value,
    single, text, texts, until, user,
};
use gatehouse_api::auth::LoginResponse;
use gatehouse_api::groups::GroupRef;
use gatehouse_api::problem::kinds;
use gatehouse_api::roles::{Role, RoleRef};
use gatehouse_api::sso::{
    CertificateInfo, FirstSignIn, GrantedGroup, GrantedRole, OidcSettings, ProviderPreset,
    PublicConnection, SamlSettings, Simulation, SsoConnection, SsoProtocol,
};
use gatehouse_api::users::UserStatus;
use gatehouse_api::{Meta, Page, Pagination, Permission};
use gatehouse_console::components::toast::{ToastHost, Toasts};
use gatehouse_console::pages::sso::{
    parse_attribute_lines, parse_claims, CurrentConnection, NewConnectionPage, SsoDonePage,
    SsoMappingsTab, SsoSettingsTab, SsoTestTab,
};
use gatehouse_console::pages::users::{decision_summary, Decision, Outcome, UsersPage};
use gatehouse_console::pages::LoginPage;
use gatehouse_console::session::Session;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};

/// Puts the test page at `url` (path, query, fragment) without loading anything.
fn go_to(url: &str) {
    js_sys::Function::new_with_args("url", "history.replaceState(null, '', url)")
        .call1(&JsValue::NULL, &url.into())
        .unwrap();
}

/// Runs a test at `url`, then puts the page back where it was.
struct At(String);

impl At {
    fn new(url: &str) -> Self {
        let location = window().location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap(),
            location.search().unwrap()
        );
        go_to(url);
        At(here)
    }
}

impl Drop for At {
    fn drop(&mut self) {
        go_to(&self.0);
    }
}

fn value(css: &str, root: &web_sys::HtmlElement) -> String {
    element(root, css)
        .unchecked_into::<HtmlInputElement>()
        .value()
}

fn page<T: serde::Serialize>(items: Vec<T>) -> String {
    let total = items.len() as u64;
    serde_json::to_string(&Page {
        data: items,
        pagination: Pagination::new(1, 25, total),
        meta: Meta {
            request_id: "test".into(),
            timestamp: now(),
        },
    })
    .unwrap()
}

fn oidc_connection() -> SsoConnection {
    SsoConnection {
        id: uuid::Uuid::new_v4(),
        tenant_id: "default".into(),
        protocol: SsoProtocol::Oidc,
        preset: ProviderPreset::Okta,
        title: "Acme Okta".into(),
        enabled: true,
        first_sign_in: FirstSignIn::CreatePending,
        oidc: Some(OidcSettings {
            issuer: "https://acme.okta.com".into(),
            client_id: "gatehouse".into(),
            client_secret_set: true,
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            groups_claim: "groups".into(),
            token_expiration_threshold_seconds: 60,
        }),
        saml: None,
        mappings: Vec::new(),
        user_count: 3,
        created_at: now(),
        updated_at: now(),
        version: 4,
    }
}

fn saml_connection() -> SsoConnection {
    SsoConnection {
        protocol: SsoProtocol::Saml2,
        oidc: None,
        saml: Some(SamlSettings {
            idp_entity_id: "https://idp.acme.test/metadata".into(),
            login_url: "https://idp.acme.test/sso".into(),
            certificate: Some(CertificateInfo {
                sha256: "AB:CD:EF:01".into(),
                sha1: "12:34:56".into(),
                subject: "CN=idp.acme.test".into(),
                not_after: "2030-05-04T00:00:00Z".parse().unwrap(),
            }),
            groups_attribute: "memberOf".into(),
        }),
        ..oidc_connection()
    }
}

/// Mounts a connection tab with `connection` on screen, as the connection page would.
fn mount_tab(
    root: &web_sys::HtmlElement,
    connection: SsoConnection,
    tab: fn() -> AnyView,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    mount_to(root.clone(), move || {
        provide_context(session_with(&[
            Permission::SsoRead,
            Permission::SsoWrite,
            Permission::RolesRead,
            Permission::GroupsRead,
            Permission::UsersRead,
        ]));
        provide_context(Toasts::default());
        provide_context(CurrentConnection {
            connection: RwSignal::new(Some(connection.clone())),
            reload: Callback::new(|()| {}),
        });
        view! { <Router>{tab()}<ToastHost /></Router> }
    })
}

fn sent_json(index: usize) -> serde_json::Value {
    serde_json::from_str(&sent_bodies()[index]).unwrap()
}

#[wasm_bindgen_test]
fn saml_attribute_lines_become_the_attributes_map() {
    let parsed = parse_attribute_lines(
        "email: ada@example.com\n groups : engineers\n\ngroups: admins\nhome: https://acme.test:8443/x\n",
    )
    .unwrap();
    assert_eq!(
        parsed,
        BTreeMap::from([
            ("email".to_owned(), vec!["ada@example.com".to_owned()]),
            (
                "groups".to_owned(),
                vec!["engineers".to_owned(), "admins".to_owned()]
            ),
            (
                "home".to_owned(),
                vec!["https://acme.test:8443/x".to_owned()]
            ),
        ])
    );
    assert_eq!(
        parse_attribute_lines("email: a@b\njust a value").unwrap_err(),
        "Line 2: write the attribute as name: value."
    );
    assert!(parse_attribute_lines(": x")
        .unwrap_err()
        .contains("no name"));
    assert!(parse_attribute_lines("\n  \n").is_err());
    assert!(parse_claims("{\"groups\": []}").is_ok());
    assert!(parse_claims("[\"groups\"]")
        .unwrap_err()
        .contains("JSON object"));
    assert!(parse_claims("{nope")
        .unwrap_err()
        .contains("not valid JSON"));
}

#[wasm_bindgen_test]
async fn the_wizard_preset_fills_the_groups_claim_and_creates_the_connection() {
    let _at = At::new("/sso/new");
    let mut created = oidc_connection();
    created.preset = ProviderPreset::Auth0;
    fake_server(&[("POST", "/sso/connections", 201, single(created.clone()))]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[Permission::SsoRead, Permission::SsoWrite]));
        provide_context(Toasts::default());
        view! { <Router><NewConnectionPage /></Router> }
    });
    tick().await;
    assert!(element(&root, "#sso-protocol-oidc")
        .unchecked_into::<HtmlInputElement>()
        .checked());
    assert_eq!(
        texts(&root, ".radio-group:nth-of-type(2) label"),
        [
            "Okta",
            "Microsoft Entra ID",
            "Google",
            "Keycloak",
            "Auth0",
            "Another provider"
        ]
    );
    element(&root, "#sso-preset-auth0").click();
    tick().await;
    assert!(text(&root, "#sso-preset-help").contains("Auth0"));
    button(&root, "Continue").click();
    until("the second step, with the preset's groups claim", || {
        root.query_selector("#oidc-groups-claim").unwrap().is_some()
            && value("#oidc-groups-claim", &root) == "https://gatehouse/groups"
    })
    .await;
    assert_eq!(value("#oidc-scopes", &root), "openid email profile");
    assert_eq!(
        element(&root, "#oidc-client-secret")
            .get_attribute("type")
            .as_deref(),
        Some("password")
    );
    // Back to the first step, SAML with another preset: the attribute follows it.
    button(&root, "Change").click();
    tick().await;
    element(&root, "#sso-protocol-saml2").click();
    element(&root, "#sso-preset-okta").click();
    button(&root, "Continue").click();
    until("the SAML fields, with the preset's attribute", || {
        root.query_selector("#saml-groups-attribute")
            .unwrap()
            .is_some()
            && value("#saml-groups-attribute", &root) == "groups"
    })
    .await;
    assert!(root.query_selector("#saml-certificate").unwrap().is_some());
    assert!(root
        .query_selector("#saml-certificate-file")
        .unwrap()
        .is_some());
    assert!(root.query_selector("#oidc-issuer").unwrap().is_none());

    // OpenID Connect again: nothing is sent until the required fields are there.
    button(&root, "Change").click();
    tick().await;
    element(&root, "#sso-protocol-oidc").click();
    element(&root, "#sso-preset-auth0").click();
    button(&root, "Continue").click();
    tick().await;
    button(&root, "Create connection").click();
    tick().await;
    assert!(text(&root, "#sso-title-error").contains("Enter the title"));
    assert!(text(&root, "#oidc-client-secret-error").contains("client secret"));
    assert!(sent_bodies().is_empty());
    set_value(&root, "#sso-title", "Acme Auth0", "input");
    set_value(&root, "#oidc-issuer", "https://acme.auth0.com/", "input");
    set_value(&root, "#oidc-client-id", "gatehouse", "input");
    set_value(&root, "#oidc-client-secret", "s3cret", "input");
    button(&root, "Create connection").click();
    until("the connection's page", || {
        window().location().pathname().unwrap() == format!("/sso/{}", created.id)
    })
    .await;
    assert_eq!(
        sent_json(0),
        serde_json::json!({
            "protocol": "oidc",
            "preset": "auth0",
            "title": "Acme Auth0",
            "enabled": true,
            "first_sign_in": "CREATE_PENDING",
            "oidc": {
                "issuer": "https://acme.auth0.com/",
                "client_id": "gatehouse",
                "client_secret": "s3cret",
                "scopes": ["openid", "email", "profile"],
                "groups_claim": "https://gatehouse/groups",
                "token_expiration_threshold_seconds": 60
            },
            "mappings": []
        })
    );
}

#[wasm_bindgen_test]
async fn the_secret_is_never_prefilled_and_a_save_keeps_it_unless_replaced() {
    let connection = oidc_connection();
    let mut saved = connection.clone();
    saved.version = 5;
    saved.title = "Acme SSO".into();
    fake_server(&[(
        "PUT",
        &format!("/sso/connections/{}", connection.id),
        200,
        single(saved),
    )]);
    let root = container();
    let _handle = mount_tab(&root, connection, || {
        view! { <SsoSettingsTab /> }.into_any()
    });
    tick().await;
    assert_eq!(value("#oidc-issuer", &root), "https://acme.okta.com");
    assert!(root
        .query_selector("#oidc-client-secret")
        .unwrap()
        .is_none());
    assert_eq!(text(&root, "#oidc-client-secret-state").trim(), "Set");
    assert!(!root.inner_html().contains("s3cret"));

    // A change of title sends the connection without any secret: the stored one stays.
    set_value(&root, "#sso-title", "Acme SSO", "input");
    button(&root, "Save connection").click();
    until("the save", || sent_bodies().len() == 1).await;
    let sent = sent_json(0);
    assert_eq!(sent["title"], "Acme SSO");
    assert!(sent["oidc"].get("client_secret").is_none(), "{sent}");
    assert_eq!(sent["oidc"]["token_expiration_threshold_seconds"], 60);

    // Replacing: an empty password field, which must be filled.
    button(&root, "Replace secret").click();
    tick().await;
    let secret = element(&root, "#oidc-client-secret").unchecked_into::<HtmlInputElement>();
    assert_eq!(secret.value(), "");
    assert_eq!(secret.type_(), "password");
    button(&root, "Save connection").click();
    tick().await;
    assert!(text(&root, "#oidc-client-secret-error").contains("client secret"));
    assert_eq!(sent_bodies().len(), 1);
    set_value(&root, "#oidc-client-secret", "n3w", "input");
    button(&root, "Save connection").click();
    until("the second save", || sent_bodies().len() == 2).await;
    assert_eq!(sent_json(1)["oidc"]["client_secret"], "n3w");
}

#[wasm_bindgen_test]
async fn the_token_expiration_threshold_is_shown_checked_and_saved() {
    let mut connection = oidc_connection();
    connection
        .oidc
        .as_mut()
        .unwrap()
        .token_expiration_threshold_seconds = 120;
    fake_server(&[(
        "PUT",
        &format!("/sso/connections/{}", connection.id),
        200,
        single(connection.clone()),
    )]);
    let root = container();
    let _handle = mount_tab(&root, connection, || {
        view! { <SsoSettingsTab /> }.into_any()
    });
    tick().await;
    assert_eq!(value("#oidc-clock-leeway", &root), "120");
    // Out of range: the shared rule says so, and nothing is sent.
    set_value(&root, "#oidc-clock-leeway", "7200", "input");
    button(&root, "Save connection").click();
    tick().await;
    assert!(
        text(&root, "#oidc-clock-leeway-error").contains("0 to 3600"),
        "{}",
        text(&root, "#oidc-clock-leeway-error")
    );
    assert!(sent_bodies().is_empty());
    set_value(&root, "#oidc-clock-leeway", "300", "input");
    button(&root, "Save connection").click();
    until("the save", || sent_bodies().len() == 1).await;
    assert_eq!(
        sent_json(0)["oidc"]["token_expiration_threshold_seconds"],
        300
    );
}

#[wasm_bindgen_test]
async fn someone_else_saving_first_keeps_what_was_typed() {
    let connection = oidc_connection();
    fake_server(&[(
        "PUT",
        "/sso/connections/",
        412,
        problem(412, kinds::STALE_VERSION, "Changed by someone else."),
    )]);
    let root = container();
    let _handle = mount_tab(&root, connection, || {
        view! { <SsoSettingsTab /> }.into_any()
    });
    tick().await;
    set_value(&root, "#oidc-client-id", "console", "input");
    button(&root, "Save connection").click();
    until("the stale banner", || {
        text(&root, ".tab-panel").contains("Someone else changed this connection")
    })
    .await;
    assert_eq!(value("#oidc-client-id", &root), "console");
}

#[wasm_bindgen_test]
async fn a_saml_certificate_shows_its_thumbprints_not_its_pem() {
    let root = container();
    let _handle = mount_tab(&root, saml_connection(), || {
        view! { <SsoSettingsTab /> }.into_any()
    });
    tick().await;
    assert_eq!(text(&root, "#saml-cert-sha256"), "AB:CD:EF:01");
    assert_eq!(text(&root, "#saml-cert-sha1"), "12:34:56");
    assert_eq!(text(&root, "#saml-cert-subject"), "CN=idp.acme.test");
    assert_eq!(text(&root, "#saml-cert-expires"), "4 May 2030");
    assert!(root.query_selector("#saml-certificate").unwrap().is_none());
    button(&root, "Replace certificate").click();
    tick().await;
    let pem = element(&root, "#saml-certificate").unchecked_into::<HtmlTextAreaElement>();
    assert_eq!(pem.value(), "");
}

#[wasm_bindgen_test]
async fn mappings_are_saved_with_the_connection_and_a_refused_role_is_explained() {
    let connection = oidc_connection();
    let role = Role {
        id: uuid::Uuid::new_v4(),
        tenant_id: "default".into(),
        name: "Support".into(),
        description: "Helps people.".into(),
        permissions: BTreeSet::from([Permission::UsersRead]),
        builtin: None,
        user_count: 0,
        group_count: 0,
        created_at: now(),
        updated_at: now(),
        version: 1,
    };
    let refusal = "You cannot map the role Support: it carries permissions you do not hold.";
    fake_server(&[
        ("GET", "/roles", 200, page(vec![role.clone()])),
        (
            "PUT",
            &format!("/sso/connections/{}", connection.id),
            403,
            problem(403, kinds::FORBIDDEN, refusal),
        ),
    ]);
    let root = container();
    let _handle = mount_tab(&root, connection, || {
        view! { <SsoMappingsTab /> }.into_any()
    });
    tick().await;
    assert!(root.query_selector("#mappings-empty").unwrap().is_some());
    button(&root, "Add mapping").click();
    tick().await;
    set_value(&root, "#mapping-0-idp-group", "engineers", "input");
    // A mapping that brings nothing is refused here.
    button(&root, "Save mappings").click();
    tick().await;
    assert!(text(&root, "#mapping-0-idp-group-error").contains("Choose the groups or roles"));
    assert!(sent_bodies().is_empty());

    let checkbox = format!("#mapping-0-role-{}", role.id);
    until("the roles", || {
        root.query_selector(&checkbox).unwrap().is_some()
    })
    .await;
    element(&root, &checkbox).click();
    tick().await;
    assert!(text(&root, ".mapping-roles").contains("Support"));
    button(&root, "Save mappings").click();
    until("the refusal", || {
        texts(&root, "[role=alert]")
            .iter()
            .any(|t| t.contains(refusal))
    })
    .await;
    let sent = sent_json(0);
    assert_eq!(
        sent["mappings"],
        serde_json::json!([{"idp_group": "engineers", "group_ids": [], "role_ids": [role.id]}])
    );
    assert_eq!(sent["title"], "Acme Okta", "the whole connection");
    assert!(sent["oidc"].get("client_secret").is_none());
    assert_eq!(value("#mapping-0-idp-group", &root), "engineers");
}

fn simulation() -> Simulation {
    Simulation {
        idp_groups: vec!["admins".into(), "contractors".into(), "engineers".into()],
        unmapped: vec!["contractors".into()],
        groups: vec![GrantedGroup {
            group: GroupRef {
                id: uuid::Uuid::new_v4(),
                name: "Engineering".into(),
                color: "#2f5bd3".into(),
            },
            from: vec!["engineers".into(), "admins".into()],
        }],
        roles: vec![GrantedRole {
            role: RoleRef {
                id: uuid::Uuid::new_v4(),
                name: "Admin".into(),
            },
            from: vec!["admins".into()],
        }],
    }
}

#[wasm_bindgen_test]
async fn the_test_tab_refuses_bad_json_and_says_which_mapping_gave_what() {
    let connection = oidc_connection();
    fake_server(&[(
        "POST",
        &format!("/sso/connections/{}/simulate", connection.id),
        200,
        single(simulation()),
    )]);
    let root = container();
    let _handle = mount_tab(&root, connection, || view! { <SsoTestTab /> }.into_any());
    tick().await;
    // The sample starts from this connection's groups claim.
    assert!(value("#sso-test-claims", &root).contains("\"groups\""));
    set_value(&root, "#sso-test-claims", "{\"groups\": [", "input");
    button(&root, "Run test").click();
    tick().await;
    assert!(text(&root, "#sso-test-claims-error").contains("not valid JSON"));
    assert!(sent_bodies().is_empty());

    set_value(
        &root,
        "#sso-test-claims",
        r#"{"email": "ada@example.com", "groups": ["engineers", "admins", "contractors"]}"#,
        "input",
    );
    tick().await;
    assert_eq!(text(&root, "#sso-test-claims-error"), "");
    button(&root, "Run test").click();
    until("the result", || {
        root.query_selector("#sso-test-groups").unwrap().is_some()
    })
    .await;
    assert_eq!(
        sent_json(0),
        serde_json::json!({"claims": {"email": "ada@example.com", "groups": ["engineers", "admins", "contractors"]}})
    );
    assert_eq!(
        texts(&root, "#sso-test-groups li"),
        ["Engineeringfrom engineers, admins"]
    );
    assert_eq!(texts(&root, "#sso-test-roles li"), ["Adminfrom admins"]);
    assert_eq!(texts(&root, "#sso-test-unmapped li"), ["contractors"]);
    assert_eq!(
        texts(&root, "#sso-test-idp-groups li"),
        ["admins", "contractors", "engineers"]
    );
}

#[wasm_bindgen_test]
async fn the_saml_test_sends_the_attribute_lines_as_a_map() {
    let connection = saml_connection();
    fake_server(&[("POST", "/simulate", 200, single(simulation()))]);
    let root = container();
    let _handle = mount_tab(&root, connection, || view! { <SsoTestTab /> }.into_any());
    tick().await;
    assert!(value("#sso-test-attributes", &root).contains("memberOf: engineers"));
    set_value(
        &root,
        "#sso-test-attributes",
        "memberOf: engineers\nmemberOf: admins\nmail: ada@example.com",
        "input",
    );
    button(&root, "Run test").click();
    until("the request", || sent_bodies().len() == 1).await;
    assert_eq!(
        sent_json(0),
        serde_json::json!({"attributes": {"mail": ["ada@example.com"], "memberOf": ["engineers", "admins"]}})
    );
}

#[wasm_bindgen_test]
async fn the_sign_in_page_offers_each_connection_and_shows_an_sso_error() {
    let _at = At::new("/login#sso_error=The%20provider%20refused%20the%20sign-in.");
    let (okta, saml) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    fake_server(&[(
        "GET",
        "/api/v1/sso/connections",
        200,
        single(vec![
            PublicConnection {
                id: okta,
                title: "Acme Okta".into(),
                protocol: SsoProtocol::Oidc,
            },
            PublicConnection {
                id: saml,
                title: "Partner SAML".into(),
                protocol: SsoProtocol::Saml2,
            },
        ]),
    )]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(Session::with(None, None));
        provide_context(Toasts::default());
        view! { <Router><LoginPage /></Router> }
    });
    tick().await;
    assert_eq!(
        text(&root, "#sso-error [role=alert]").trim(),
        "The provider refused the sign-in."
    );
    until("the fragment to go", || {
        window().location().hash().unwrap().is_empty()
    })
    .await;
    until("the links", || texts(&root, "a.sso-button").len() == 2).await;
    assert_eq!(
        texts(&root, "a.sso-button"),
        ["Sign in with Acme Okta", "Sign in with Partner SAML"]
    );
    assert_eq!(
        element(&root, &format!("a[data-connection='{okta}']"))
            .get_attribute("href")
            .unwrap(),
        format!("/api/v1/sso/{okta}/start?return_to=%2Fusers")
    );
    // The error is still on screen after the address was cleaned.
    assert!(root.query_selector("#sso-error").unwrap().is_some());
}

fn login() -> LoginResponse {
    LoginResponse {
        token: "sso-token".into(),
        expires_at: now(),
        user: user("ada@example.com", "Ada", UserStatus::Active, false),
        permissions: BTreeSet::from([Permission::UsersRead]),
        requirement: None,
    }
}

#[wasm_bindgen_test]
async fn sso_done_exchanges_the_code_and_goes_on_to_the_safe_path() {
    let _at = At::new("/sso/done#code=one-time&next=%2Fgroups%3Fpage%3D2");
    fake_server(&[("POST", "/auth/sso/exchange", 200, single(login()))]);
    let session = Session::with(None, None);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session);
        provide_context(Toasts::default());
        view! { <Router><SsoDonePage /></Router> }
    });
    until("the next page", || {
        window().location().pathname().unwrap() == "/groups"
    })
    .await;
    assert_eq!(window().location().search().unwrap(), "?page=2");
    assert_eq!(sent_json(0), serde_json::json!({"code": "one-time"}));
    assert_eq!(session.token().as_deref(), Some("sso-token"));
    assert_eq!(
        session.me().map(|m| m.user.email).as_deref(),
        Some("ada@example.com")
    );
}

#[wasm_bindgen_test]
async fn a_used_code_says_why_and_leads_back_to_sign_in() {
    let _at = At::new("/sso/done#code=used&next=https%3A%2F%2Fevil.test");
    fake_server(&[(
        "POST",
        "/auth/sso/exchange",
        410,
        problem(
            410,
            "about:blank",
            "This sign-in was already used. Sign in again.",
        ),
    )]);
    let session = Session::with(None, None);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session);
        provide_context(Toasts::default());
        view! { <Router><SsoDonePage /></Router> }
    });
    until("the failure", || {
        root.query_selector(".dead-link").unwrap().is_some()
    })
    .await;
    assert!(text(&root, ".dead-link").contains("This sign-in was already used. Sign in again."));
    assert_eq!(
        element(&root, ".dead-link a")
            .get_attribute("href")
            .as_deref(),
        Some("/login")
    );
    assert!(!session.has_token());
}

#[wasm_bindgen_test]
fn approvals_say_what_happened_to_each() {
    use Outcome::*;
    assert_eq!(
        decision_summary(Decision::Approve, &[Done, Done, Gone]),
        "2 users approved; 1 no longer exists."
    );
    assert_eq!(
        decision_summary(Decision::Deny, &[Done, Refused]),
        "1 request denied; 1 could not be changed by you."
    );
}

#[wasm_bindgen_test]
async fn pending_people_are_approved_together_and_denied_with_a_reason() {
    let _at = At::new("/users?status=PENDING_APPROVAL");
    let ada = user("ada@example.com", "Ada", UserStatus::PendingApproval, false);
    let bob = user("bob@example.com", "Bob", UserStatus::PendingApproval, false);
    let mut active = ada.clone();
    active.status = UserStatus::Active;
    fake_server(&[
        ("GET", "/users", 200, page(vec![ada.clone(), bob.clone()])),
        (
            "PUT",
            &format!("/users/{}/status", ada.id),
            200,
            single(active),
        ),
        (
            "PUT",
            &format!("/users/{}/status", bob.id),
            404,
            problem(404, "about:blank", "No such user."),
        ),
    ]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[
            Permission::UsersRead,
            Permission::UsersWrite,
        ]));
        provide_context(Toasts::default());
        view! { <Router><UsersPage /><ToastHost /></Router> }
    });
    until("the people", || texts(&root, "tbody tr").len() == 2).await;
    // On their own view, no link to it.
    assert!(root
        .query_selector("#pending-approval-link")
        .unwrap()
        .is_none());
    assert_eq!(texts(&root, "thead th").last().unwrap(), "Actions");
    element(&root, "thead input[type=checkbox]").click();
    tick().await;
    button(&root, "Approve selected").click();
    until("the summary", || {
        texts(&root, ".toast span")
            .iter()
            .any(|t| t == "1 user approved; 1 no longer exists.")
    })
    .await;
    assert_eq!(
        sent_json(0),
        serde_json::json!({"status": "ACTIVE", "reason": null, "terminate_sessions": false})
    );
    assert_eq!(sent_bodies().len(), 2, "one request per person");

    button(&root, "Deny ada@example.com").click();
    tick().await;
    assert!(text(&root, "dialog[open]").contains("Access request denied"));
    button(&root, "Deny access").click();
    until("the denial", || sent_bodies().len() == 3).await;
    assert_eq!(
        sent_json(2),
        serde_json::json!({"status": "DISABLED", "reason": "Access request denied", "terminate_sessions": false})
    );
}

#[wasm_bindgen_test]
async fn the_users_list_leads_to_those_awaiting_approval() {
    let _at = At::new("/users");
    let ada = user("ada@example.com", "Ada", UserStatus::PendingApproval, false);
    fake_server(&[("GET", "/users", 200, page(vec![ada]))]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[Permission::UsersRead]));
        provide_context(Toasts::default());
        view! { <Router><UsersPage /></Router> }
    });
    until("the link", || {
        root.query_selector("#pending-approval-link")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(
        text(&root, "#pending-approval-link"),
        "Pending approval (1)"
    );
    assert_eq!(
        element(&root, "#pending-approval-link")
            .get_attribute("href")
            .as_deref(),
        Some("/users?status=PENDING_APPROVAL")
    );
    assert!(texts(&root, "button")
        .iter()
        .all(|b| b != "Approve selected"));
}

#[wasm_bindgen_test]
async fn checking_the_issuer_says_what_the_provider_offers() {
    let root = container();
    let found = gatehouse_api::sso::Discovery {
        issuer: "https://login.acme.test".into(),
        authorization_endpoint: "https://login.acme.test/auth".into(),
        jwks_uri: "https://login.acme.test/jwks".into(),
        scopes_supported: vec!["openid".into(), "email".into()],
        claims_supported: vec!["sub".into(), "email".into()],
        ..Default::default()
    };
    fake_server(&[("POST", "/sso/discover", 200, single(found))]);
    let _handle = mount_tab(&root, oidc_connection(), || {
        view! { <SsoSettingsTab /> }.into_any()
    });
    tick().await;
    button(&root, "Check the issuer").click();
    until("the discovery summary", || {
        root.query_selector("#oidc-discovery dl").unwrap().is_some()
    })
    .await;
    assert!(text(&root, "#oidc-discovery").contains("https://login.acme.test/auth"));
    // The provider lists no "groups" claim: the form says so.
    assert!(text(&root, "#oidc-discovery").contains("does not list"));
    assert_eq!(sent_json(0)["issuer"], "https://acme.okta.com");
}

#[wasm_bindgen_test]
async fn metadata_fills_in_a_saml_connection_or_says_why_not() {
    let root = container();
    let imported = gatehouse_api::sso::ImportedMetadata {
        idp_entity_id: "https://idp.acme.test/entity".into(),
        login_url: "https://idp.acme.test/redirect-sso".into(),
        certificate_pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
        certificate: CertificateInfo {
            sha256: "AA:BB".into(),
            sha1: "CC".into(),
            subject: "CN=idp".into(),
            not_after: "2030-01-01T00:00:00Z".parse().unwrap(),
        },
    };
    fake_server(&[("POST", "/sso/metadata", 200, single(imported))]);
    let _handle = mount_tab(&root, saml_connection(), || {
        view! { <SsoSettingsTab /> }.into_any()
    });
    tick().await;
    set_value(&root, "#saml-metadata", "<EntityDescriptor/>", "input");
    tick().await;
    button(&root, "Read metadata").click();
    until("the metadata read", || {
        text(&root, "#saml-metadata-result").contains("Filled in")
    })
    .await;
    assert!(
        text(&root, "#saml-metadata-result").contains("AA:BB"),
        "{}",
        text(&root, "#saml-metadata-result")
    );
    assert_eq!(
        value("#saml-login-url", &root),
        "https://idp.acme.test/redirect-sso"
    );
    assert_eq!(
        value("#saml-idp-entity-id", &root),
        "https://idp.acme.test/entity"
    );
    let pem = element(&root, "#saml-certificate").unchecked_into::<HtmlTextAreaElement>();
    assert!(pem.value().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(text(&root, "#saml-metadata-result").contains("AA:BB"));
    assert_eq!(sent_json(0)["xml"], "<EntityDescriptor/>");
}
