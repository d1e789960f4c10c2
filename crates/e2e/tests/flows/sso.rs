//! End to end with a real OpenID Connect provider (oidc-provider, from npm): a
//! connection made in the console with a mapping signs a new person in with the mapped
//! group and role, and a later sign-in follows the provider's groups; a connection that
//! holds newcomers for approval, and one with a wrong client secret.

use anyhow::{Context, Result};
use gatehouse_e2e::{
    in_browser, map_idp_group, oidc_connection, sign_in, sign_out, sso_sign_in, Api, App, PageExt,
};
use gatehouse_idp::{OidcProvider, CLIENT_ID, CLIENT_SECRET};
use serde_json::json;
use thirtyfour::WebDriver;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

/// The names of a user's groups, as an administrator sees them.
async fn groups_of(api: &Api, email: &str) -> Result<Vec<String>> {
    let found = api.get(&format!("/users?search={email}")).await?;
    let id = found["data"][0]["id"]
        .as_str()
        .context("the user")?
        .to_owned();
    let groups = api.get(&format!("/users/{id}/groups")).await?;
    Ok(groups["data"]
        .as_array()
        .context("groups")?
        .iter()
        .filter_map(|g| g["name"].as_str().map(str::to_owned))
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oidc_connection_made_in_the_console_signs_a_new_person_in_with_mapped_access(
) -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    admin
        .post("/groups", json!({"name": "Engineering"}))
        .await?;
    let reader = admin
        .post(
            "/roles",
            json!({"name": "Reader", "permissions": ["users:read"]}),
        )
        .await?["data"]["id"]
        .as_str()
        .context("role id")?
        .to_owned();
    let provider = OidcProvider::start(
        &app.url("/api/v1/sso/oidc/callback"),
        json!({"ada": {"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace", "groups": ["engineers"]}}),
    )
    .await;
    let issuer = provider.issuer();
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click("nav.sidebar a[href='/sso']").await?;
        browser.click("a[href='/sso/new']").await?;
        browser.click("#sso-protocol-oidc").await?;
        browser.click("#sso-preset-keycloak").await?;
        browser.click("#sso-wizard-next").await?;
        browser.fill("#sso-title", "Acme login").await?;
        browser.fill("#oidc-issuer", &issuer).await?;
        browser.fill("#oidc-client-id", CLIENT_ID).await?;
        browser.fill("#oidc-client-secret", CLIENT_SECRET).await?;
        browser.click("#first-sign-in-CREATE_ACTIVE").await?;
        browser
            .click_text("button[type=submit]", "Create connection")
            .await?;
        eventually_on_connection(&browser).await?;
        browser
            .wait_for_text("#oidc-client-secret-state", "Set")
            .await?;

        map_idp_group(&browser, "engineers", "Engin", "Engineering", &[&reader]).await?;

        // The Test tab says what a sign-in with these claims would give, and why.
        browser.click_text("a", "Test").await?;
        browser
            .fill(
                "#sso-test-claims",
                r#"{"sub": "x", "groups": ["engineers", "sales"]}"#,
            )
            .await?;
        browser.click("#sso-test-run").await?;
        browser
            .wait_for_text("#sso-test-groups", "Engineering")
            .await?;
        browser
            .wait_for_text("#sso-test-groups .from", "engineers")
            .await?;
        browser.wait_for_text("#sso-test-roles", "Reader").await?;
        browser.wait_for_text("#sso-test-unmapped", "sales").await?;

        // A newcomer signs in through the provider and lands in the console.
        sign_out(&browser).await?;
        sso_sign_in(&browser, &app.base, "Acme login", "ada").await?;
        browser.wait_for_url("/users").await?;
        browser.wait_for("table tbody tr").await?;
        assert_eq!(groups_of(&admin, "ada@example.com").await?, ["Engineering"]);
        let ada = admin.get("/users?search=ada@example.com").await?;
        assert_eq!(ada["data"][0]["identity_source"], "OIDC");

        // The provider drops her from engineers: the next sign-in takes the group back.
        provider.set_accounts(json!({"ada": {"email": "ada@example.com", "groups": []}}));
        sign_out(&browser).await?;
        sso_sign_in(&browser, &app.base, "Acme login", "ada").await?;
        browser.wait_for_url("/users").await?;
        assert!(groups_of(&admin, "ada@example.com").await?.is_empty());
        Ok(())
    })
    .await
}

async fn eventually_on_connection(browser: &WebDriver) -> Result<()> {
    gatehouse_e2e::eventually("the connection's page", || async {
        let url = browser.current_url().await?.to_string();
        Ok(url.contains("/sso/") && !url.ends_with("/sso/new"))
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn newcomers_wait_for_approval_and_a_wrong_secret_says_so() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let provider = OidcProvider::start(
        &app.url("/api/v1/sso/oidc/callback"),
        json!({
            "grace": {"email": "grace@example.com", "groups": []},
            "carol": {"email": "carol@example.com", "groups": []},
        }),
    )
    .await;
    let connection = oidc_connection("Acme login", "CREATE_PENDING", &provider.issuer());
    let id = admin.post("/sso/connections", connection.clone()).await?["data"]["id"]
        .as_str()
        .context("connection id")?
        .to_owned();
    in_browser(|browser| async move {
        sso_sign_in(&browser, &app.base, "Acme login", "grace").await?;
        browser
            .wait_for_text("#sso-error [role=alert]", "approval")
            .await?;

        // An administrator approves her from the Pending approval view.
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click("#pending-approval-link").await?;
        browser.wait_for_url("status=PENDING_APPROVAL").await?;
        browser
            .click("button[aria-label='Approve grace@example.com']")
            .await?;
        browser
            .wait_for_text("[role=status], .toast", "approved")
            .await?;
        sign_out(&browser).await?;
        sso_sign_in(&browser, &app.base, "Acme login", "grace").await?;
        browser.wait_for_url("/users").await?;
        sign_out(&browser).await?;

        // With a wrong client secret: a clear message, and nobody created.
        let mut wrong = connection.clone();
        wrong["oidc"]["client_secret"] = json!("not the secret");
        admin
            .http
            .put(format!("{}/sso/connections/{id}", admin.base))
            .bearer_auth(&admin.token)
            .header("if-match", "\"1\"")
            .json(&wrong)
            .send()
            .await?
            .error_for_status()?;
        sso_sign_in(&browser, &app.base, "Acme login", "carol").await?;
        browser
            .wait_for_text("#sso-error [role=alert]", "client secret")
            .await?;
        let carol = admin.get("/users?search=carol").await?;
        assert_eq!(carol["pagination"]["total_items"], 0);
        Ok(())
    })
    .await
}
