//! End to end: every page of the console passes axe-core (no serious or critical
//! problem) in the light and the dark theme, with data on it, dialogs included.

use anyhow::{Context, Result};
use gatehouse_e2e::{check_accessibility, in_browser, sign_in, Api, App, PageExt};
use serde_json::json;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn every_page_is_accessible_in_both_themes() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let viewer = admin.role_id("Viewer").await?;
    let ops = admin
        .post(
            "/groups",
            json!({"name": "Operations", "role_ids": [viewer], "description": "On call"}),
        )
        .await?["data"]["id"]
        .as_str()
        .context("group id")?
        .to_owned();
    let support = admin
        .post(
            "/roles",
            json!({"name": "Support", "permissions": ["users:read", "users:write"]}),
        )
        .await?["data"]["id"]
        .as_str()
        .context("role id")?
        .to_owned();
    let ada = admin
        .create_user(json!({"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "password": "analytical engine"}))
        .await?;
    admin
        .post(
            &format!("/groups/{ops}/members"),
            json!({"user_ids": [ada]}),
        )
        .await?;
    admin
        .call(
            reqwest::Method::PUT,
            &format!("/users/{ada}/status"),
            Some(json!({"status": "DISABLED", "reason": "On leave until spring; see the ticket"})),
        )
        .await?;
    // Without mail the invite's link comes back to copy.
    let invited = admin
        .post(
            "/invites",
            json!({"emails": ["grace@example.com"], "role_ids": [viewer], "group_ids": [ops]}),
        )
        .await?;
    let invite_link = invited["data"]["results"][0]["link"]
        .as_str()
        .context("invite link")?
        .to_owned();

    let bot = admin
        .create_user(json!({"kind": "SERVICE", "display_name": "Backup robot"}))
        .await?;
    admin
        .post(
            &format!("/users/{bot}/api-keys"),
            json!({"name": "Nightly backup", "expires": {"in_days": 3}}),
        )
        .await?;

    let sso = admin
        .post(
            "/sso/connections",
            json!({
                "protocol": "oidc",
                "title": "Acme login",
                "enabled": true,
                "oidc": {"issuer": "https://login.example.com", "client_id": "gatehouse", "client_secret": "s3cret"},
                "mappings": [{"idp_group": "engineers", "group_ids": [ops], "role_ids": [viewer]}],
            }),
        )
        .await?["data"]["id"]
        .as_str()
        .context("connection id")?
        .to_owned();
    in_browser(|browser| async move {
        browser.goto(&app.url("/login")).await?;
        browser.wait_for("#email").await?;
        // The check can fail: an image without a text alternative is caught.
        browser
            .execute(
                "const img = document.createElement('img'); img.id = 'planted'; img.src = '/favicon.ico'; document.body.appendChild(img);",
                Vec::new(),
            )
            .await?;
        let planted = check_accessibility(&browser, "/login with a planted problem").await;
        let said = format!("{:#}", planted.expect_err("axe reports the planted image"));
        assert!(said.contains("image-alt"), "{said}");
        browser
            .execute("document.getElementById('planted').remove();", Vec::new())
            .await?;
        check_accessibility(&browser, "/login").await?;
        // A fresh load, as when the server sends the browser back from a provider.
        browser.goto(&app.url("/forgot-password")).await?;
        browser.wait_for("#email").await?;
        browser
            .goto(&app.url("/login#sso_error=The%20provider%20said%20no"))
            .await?;
        browser.wait_for("#sso-error [role=alert]").await?;
        browser.wait_for("a.sso-button").await?;
        check_accessibility(&browser, "/login with SSO and an SSO error").await?;
        browser.goto(&app.url("/sso/done#code=unknown")).await?;
        browser.wait_for(".dead-link").await?;
        check_accessibility(&browser, "/sso/done with a used code").await?;

        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for("table tbody tr").await?;
        let pages = [
            ("/users", "table tbody tr"),
            ("/users?search=nobody-at-all", ".empty"),
            ("/users/new", "form"),
            (&format!("/users/{ada}"), "form.form"),
            (&format!("/users/{ada}/groups"), ".item-list"),
            (&format!("/users/{ada}/roles"), "table"),
            ("/groups", "table tbody tr"),
            ("/groups/new", "form"),
            (&format!("/groups/{ops}"), "form.form"),
            (&format!("/groups/{ops}/members"), "table tbody tr"),
            ("/roles", "table tbody tr"),
            ("/roles/new", "form"),
            (&format!("/roles/{support}"), "form.form"),
            (&format!("/roles/{support}/holders"), ".tab-panel p"),
            (&format!("/users/{ada}/mail"), ".tab-panel p"),
            ("/invites", "table tbody tr"),
            ("/invites?status=REVOKED", ".empty"),
            ("/api-keys", "table tbody tr"),
            ("/api-keys?status=REVOKED", ".empty"),
            (&format!("/users/{bot}/api-keys"), "table tbody tr"),
            ("/account/api-keys", "h1"),
            ("/sso", "table tbody tr"),
            ("/sso/new", "#sso-wizard-next"),
            (&format!("/sso/{sso}"), "#oidc-client-secret-state"),
            (&format!("/sso/{sso}/mappings"), ".mapping-row"),
            (&format!("/sso/{sso}/service-provider"), "#sp-redirect-uri"),
            (&format!("/sso/{sso}/test"), "#sso-test-claims"),
            ("/settings", "#mail-heading + p"),
            ("/account", "#mfa-heading"),
            ("/no/such/page", "h1"),
            ("/forgot-password", "#email"),
            ("/reset-password", ".dead-link"),
            (&invite_link, "#password"),
        ];
        for (path, ready) in pages {
            let url = if path.starts_with("http") {
                path.to_owned()
            } else {
                app.url(path)
            };
            browser.goto(&url).await?;
            browser.wait_for(ready).await?;
            check_accessibility(&browser, path).await?;
        }

        // Dialogs are pages too.
        browser.goto(&app.url(&format!("/users/{ada}"))).await?;
        browser
            .click_text(".actions button", "Set password")
            .await?;
        browser.wait_for("dialog[open] #new_password").await?;
        check_accessibility(&browser, "the set-password dialog").await?;
        browser.goto(&app.url("/invites")).await?;
        browser
            .click_text(".page-header button", "Invite people")
            .await?;
        browser
            .fill("#emails", "lin@example.com, not-an-address")
            .await?;
        browser.wait_for(".address-problems li").await?;
        check_accessibility(&browser, "the invite dialog").await?;
        browser.goto(&app.url(&format!("/users/{bot}/api-keys"))).await?;
        browser.click_text("button", "New API key").await?;
        browser.wait_for("dialog[open] #key-name").await?;
        check_accessibility(&browser, "the new API key dialog").await?;
        browser.fill("#key-name", "Reports").await?;
        browser.click_text("dialog[open] button", "Create key").await?;
        browser.wait_for("#api-key-secret").await?;
        check_accessibility(&browser, "the new key's secret").await?;
        browser.goto(&app.url("/users")).await?;
        browser.click_text("button", "New service account").await?;
        browser.wait_for("dialog[open] #service-name").await?;
        check_accessibility(&browser, "the new service account dialog").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_setup_page_is_accessible() -> Result<()> {
    let app = App::start(None).await?;
    let link = app
        .setup_url()
        .context("a fresh server prints a setup link")?;
    in_browser(|browser| async move {
        browser.goto(&link).await?;
        browser.wait_for("#confirm_password").await?;
        check_accessibility(&browser, "/setup").await
    })
    .await
}
