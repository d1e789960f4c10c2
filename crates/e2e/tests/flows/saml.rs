//! End to end with a real SAML 2.0 IdP (SimpleSAMLphp, from Debian's packages): a
//! connection made in the console from the IdP's metadata, registered at the IdP with the
//! service provider values the console shows, signs a new person in through the IdP's
//! login form and its signed answer, with the mapped group; the same answer posted again,
//! or a tampered one, is refused on the sign-in page.

use anyhow::{Context, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use gatehouse_e2e::{in_browser, map_idp_group, sign_in, sign_out, Api, App, PageExt};
use gatehouse_idp::saml::{PostedAnswer, SamlIdp, PASSWORD};
use serde_json::{json, Value};
use thirtyfour::WebDriver;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

/// The connection id in an ACS URL (`.../sso/saml/{id}/acs`).
fn connection_id(acs: &str) -> &str {
    acs.trim_end_matches("/acs")
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// Posts an IdP's answer from the browser, as the IdP's own page does.
async fn post_in_browser(browser: &WebDriver, answer: &PostedAnswer) -> Result<()> {
    let script = format!(
        "const form = document.createElement('form');
         form.method = 'POST';
         form.action = {acs};
         for (const [name, value] of [['SAMLResponse', {response}], ['RelayState', {relay}]]) {{
           const input = document.createElement('input');
           input.type = 'hidden'; input.name = name; input.value = value;
           form.appendChild(input);
         }}
         document.body.appendChild(form);
         form.submit();
         return null;",
        acs = Value::from(answer.acs_url.as_str()),
        response = Value::from(answer.saml_response.as_str()),
        relay = Value::from(answer.relay_state.as_str()),
    );
    browser.execute(&script, Vec::new()).await?;
    Ok(())
}

/// The answer with its email changed, which breaks its signature.
fn tamper(saml_response: &str) -> Result<String> {
    let xml = String::from_utf8(STANDARD.decode(saml_response)?)?;
    anyhow::ensure!(xml.contains("grace@example.com"), "the answer names her");
    Ok(STANDARD.encode(xml.replace("grace@example.com", "mallory@example.com")))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saml_connection_made_from_metadata_signs_a_new_person_in() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    admin
        .post("/groups", json!({"name": "Engineering"}))
        .await?;
    let idp = SamlIdp::start(json!({
        "grace": {"email": "grace@example.com", "given_name": "Grace", "family_name": "Hopper", "groups": ["eng"]}
    }))
    .await;
    let metadata = idp.metadata().await;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click("nav.sidebar a[href='/sso']").await?;
        browser.click("a[href='/sso/new']").await?;
        browser.click("#sso-protocol-saml2").await?;
        browser.click("#sso-preset-generic").await?;
        browser.click("#sso-wizard-next").await?;
        browser.fill("#sso-title", "Acme SAML").await?;
        browser
            .click_text("summary", "Fill in from the IdP's metadata")
            .await?;
        browser.fill("#saml-metadata", &metadata).await?;
        browser.click("#saml-metadata-read").await?;
        browser
            .wait_for_text("#saml-metadata-result", "Filled in")
            .await?;
        browser.click("#first-sign-in-CREATE_ACTIVE").await?;
        browser
            .click_text("button[type=submit]", "Create connection")
            .await?;
        gatehouse_e2e::eventually("the connection's page", || async {
            let url = browser.current_url().await?.to_string();
            Ok(url.contains("/sso/") && !url.ends_with("/sso/new"))
        })
        .await?;

        // The values to give the IdP, as the console shows them.
        browser.click_text("a", "Service provider details").await?;
        let value_of = |id: &'static str| {
            let browser = browser.clone();
            async move {
                browser.wait_for(&format!("#{id}")).await?;
                let value = browser
                    .eval(&format!("document.getElementById('{id}').value"))
                    .await?;
                value.as_str().map(str::to_owned).context("a value")
            }
        };
        let entity_id = value_of("sp-entity-id").await?;
        let acs = value_of("sp-acs-url").await?;
        assert_eq!(value_of("sp-metadata-url").await?, entity_id);
        assert!(acs.starts_with(&app.url("/api/v1/sso/saml/")), "{acs}");
        idp.register_sp(&entity_id, &acs);

        map_idp_group(&browser, "eng", "Engin", "Engineering", &[]).await?;

        // A newcomer signs in at the IdP; its page posts the signed answer back.
        sign_out(&browser).await?;
        browser.goto(&app.url("/login")).await?;
        browser
            .click_text("a.sso-button", "Sign in with Acme SAML")
            .await?;
        browser.wait_for("input[name=username]").await?;
        browser.fill("input[name=username]", "grace").await?;
        browser.fill("input[name=password]", PASSWORD).await?;
        browser
            .eval("document.querySelector('input[name=password]').form.requestSubmit(), null")
            .await?;
        browser.wait_for_url("/users").await?;
        // Signed in as her (she holds no permission, so the list itself says so).
        gatehouse_e2e::eventually("signed in as Grace", || async {
            let text = browser.eval("document.body.innerText").await?;
            Ok(text.as_str().is_some_and(|t| t.contains("Grace")))
        })
        .await?;
        let found = admin.get("/users?search=grace@example.com").await?;
        let grace = &found["data"][0];
        assert_eq!(grace["identity_source"], "SAML", "{found}");
        assert_eq!(grace["first_name"], "Grace");
        let id = grace["id"].as_str().context("her id")?;
        let groups = admin.get(&format!("/users/{id}/groups")).await?;
        let names: Vec<&str> = groups["data"]
            .as_array()
            .context("groups")?
            .iter()
            .filter_map(|g: &Value| g["name"].as_str())
            .collect();
        assert_eq!(names, ["Engineering"]);

        // An answer posted twice from the browser: the first signs in, the second is
        // refused on the sign-in page; a tampered one likewise.
        let start = app.url(&format!("/api/v1/sso/{}/start", connection_id(&acs)));
        let answer = idp.sign_in(&start, "grace").await;
        sign_out(&browser).await?;
        post_in_browser(&browser, &answer).await?;
        browser.wait_for_url("/users").await?;
        sign_out(&browser).await?;
        post_in_browser(&browser, &answer).await?;
        browser
            .wait_for_text("#sso-error [role=alert]", "not started here")
            .await?;
        let mut tampered = idp.sign_in(&start, "grace").await;
        tampered.saml_response = tamper(&tampered.saml_response)?;
        post_in_browser(&browser, &tampered).await?;
        browser
            .wait_for_text("#sso-error [role=alert]", "could not be verified")
            .await?;
        Ok(())
    })
    .await
}
