//! End to end: an API key made in the console, copied from its dialog, used from outside
//! and revoked in the console; a service account that owns a key and cannot sign in.

use anyhow::{Context, Result};
use gatehouse_e2e::{eventually, in_browser, sign_in, sign_in_here, sign_out, App, PageExt};
use reqwest::StatusCode;
use serde_json::Value;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

/// What the API answers `secret` on `path` (after `/api/v1`).
async fn call_with(app: &App, secret: &str, path: &str) -> Result<(StatusCode, Value)> {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1{path}")))
        .bearer_auth(secret)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Reads the secret from the dialog that shows it once, copies it there, and closes it.
async fn take_secret(browser: &thirtyfour::WebDriver) -> Result<String> {
    browser.wait_for("input#api-key-secret").await?;
    let secret = browser
        .eval("document.querySelector('#api-key-secret').value")
        .await?
        .as_str()
        .context("the secret")?
        .to_owned();
    assert!(secret.starts_with("gh_"), "{secret}");
    browser.wait_for_text("pre#api-key-curl", &secret).await?;
    // Closing before copying asks first.
    browser.click_text("dialog[open] button", "Done").await?;
    browser
        .wait_for_text("#confirm-close-title", "Close without copying the key?")
        .await?;
    browser
        .click_text("dialog[open] button", "Back to the key")
        .await?;
    browser.click("#copy-api-key").await?;
    browser.click_text("dialog[open] button", "Done").await?;
    eventually("the key dialog to close", || async {
        Ok(browser
            .eval("document.querySelector('#api-key-secret') === null")
            .await?
            == Value::Bool(true))
    })
    .await?;
    Ok(secret)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_with_a_subset_is_made_copied_used_and_revoked_in_the_console() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click("button[aria-label='Account menu']").await?;
        browser.click_text("a", "My API keys").await?;
        browser.wait_for_url("/account/api-keys").await?;
        browser.click_text("button", "New API key").await?;
        browser.fill("#key-name", "CI reader").await?;
        browser.click("#key-expiry option[value='30']").await?;
        browser
            .wait_for_text("#key-expiry-summary", "Expires on")
            .await?;
        // The tenant allows at most 365 days: "Never" is not offered.
        let never = browser
            .eval("document.querySelector(\"#key-expiry option[value='never']\") === null")
            .await?;
        assert_eq!(never, Value::Bool(true));
        browser.click("#key-limit-permissions").await?;
        browser.click("#permission-users-read").await?;
        browser
            .click_text("dialog[open] button", "Create key")
            .await?;
        let secret = take_secret(&browser).await?;

        // From outside: it reads users, and nothing more.
        let (status, _) = call_with(&app, &secret, "/tenants/default/users").await?;
        assert_eq!(status, StatusCode::OK);
        let (status, problem) = call_with(&app, &secret, "/tenants/default/roles").await?;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(problem["missing_permission"], "roles:read");

        // The console shows it as used, then revokes it with a reason.
        browser.goto(&app.url("/api-keys")).await?;
        browser.wait_for_text("table", "CI reader").await?;
        browser.wait_for_text("table", &secret[..11]).await?;
        browser
            .click("button[aria-label='Rename the key CI reader']")
            .await?;
        browser.fill("#key-rename", "CI reader (demo)").await?;
        browser
            .click_text("dialog[open] button", "Save name")
            .await?;
        browser
            .wait_for_text("[role=status], .toast", "now called")
            .await?;
        browser.wait_for_text("table", "CI reader (demo)").await?;
        browser
            .click("button[aria-label='Revoke the key CI reader (demo)']")
            .await?;
        browser
            .fill("#revoke-reason", "Rotated after the demo")
            .await?;
        browser
            .click_text("dialog[open] button", "Revoke key")
            .await?;
        browser
            .wait_for_text("[role=status], .toast", "was revoked")
            .await?;
        browser.wait_for_text("table", "Revoked").await?;

        let (status, problem) = call_with(&app, &secret, "/tenants/default/users").await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("revoked"),
            "{problem}"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_owns_a_key_and_cannot_sign_in() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click_text("button", "New service account").await?;
        browser.fill("#service-name", "Deploy bot").await?;
        browser
            .click_text("dialog[open] button", "Create service account")
            .await?;
        browser.wait_for_url("/api-keys").await?;
        browser.wait_for_text("main", "Service account").await?;
        browser.click_text("button", "New API key").await?;
        browser.fill("#key-name", "Deploys").await?;
        browser
            .click_text("dialog[open] button", "Create key")
            .await?;
        let secret = take_secret(&browser).await?;
        let (status, me) = call_with(&app, &secret, "/auth/me").await?;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["data"]["user"]["kind"], "SERVICE");
        let email = me["data"]["user"]["email"]
            .as_str()
            .context("email")?
            .to_owned();

        // The users list tells it apart, and filters for it.
        browser.goto(&app.url("/users?kind=SERVICE")).await?;
        browser.wait_for_text("table", "Deploy bot").await?;
        browser.wait_for("span.tag[data-kind=SERVICE]").await?;

        // Whatever password is tried, the sign-in page does not let it in.
        sign_out(&browser).await?;
        browser.goto(&app.url("/login")).await?;
        sign_in_here(&browser, &email, "any password at all").await?;
        browser
            .wait_for_text("[role=alert]", "email or password")
            .await?;
        assert!(browser.current_url().await?.as_str().contains("/login"));
        Ok(())
    })
    .await
}
