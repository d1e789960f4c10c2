//! End to end: two-step sign-in set up from the account page, a forced password change,
//! an administrator out of an editor's reach, and a dangerous action that asks for the
//! password first, and a sign-in link that tries to send the browser to another site, in
//! headless Chromium.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context, Result};
use gatehouse_e2e::{eventually, in_browser, sign_in, sign_in_here, sign_out, Api, App, PageExt};
use gatehouse_server::auth::mfa::code_at;
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";
const PASSWORD: &str = "correct battery staple";

/// What an authenticator app holding `secret` shows `steps` periods of 30 s from now.
/// Each code works once, so a second sign-in takes the next period's code.
fn totp(secret: &str, steps: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    code_at(secret, now + 30 * steps).expect("a valid secret")
}

/// A user holding the built-in role `role`, created through the API; their id.
async fn user_with(admin: &Api, email: &str, role: &str, extra: Value) -> Result<String> {
    let mut body = json!({"email": email, "password": PASSWORD});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let id = admin.create_user(body).await?;
    admin.grant(&id, &[role]).await?;
    Ok(id)
}

async fn app() -> Result<App> {
    App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_step_sign_in_set_up_from_the_account_page() -> Result<()> {
    let app = app().await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click(".topbar-end a.whoami").await?;
        browser.wait_for_url("/account").await?;
        browser
            .click_text("button", "Set up two-step sign-in")
            .await?;
        browser.wait_for("svg.qr").await?;
        let secret = browser.wait_for("#totp-secret").await?.text().await?;
        browser.fill("#totp-code", "000000").await?;
        browser
            .click_text("button", "Turn on two-step sign-in")
            .await?;
        browser.wait_for_text("[role=alert]", "not right").await?;
        browser.fill("#totp-code", &totp(&secret, 0)).await?;
        browser
            .click_text("button", "Turn on two-step sign-in")
            .await?;
        browser.wait_for(".recovery-codes").await?;
        let mut recovery = Vec::new();
        for code in browser.find_all(By::Css(".recovery-codes code")).await? {
            recovery.push(code.text().await?);
        }
        assert_eq!(recovery.len(), 10);
        browser.click_text("button", "I have saved them").await?;
        browser
            .wait_for_text("#mfa-heading + p, .panel p", "asks for a code")
            .await?;

        // Signing in now takes a code from the app.
        sign_out(&browser).await?;
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.fill("#mfa-code", &totp(&secret, 1)).await?;
        browser.click("form button[type=submit]").await?;
        browser.wait_for_url("/users").await?;
        browser.wait_for("table tbody tr").await?;

        // Or a recovery code, once and only once.
        for attempt in 0..2 {
            sign_out(&browser).await?;
            sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
            browser.wait_for("#mfa-code").await?;
            browser
                .click_text("button.link-button", "recovery code")
                .await?;
            browser.fill("#mfa-code", &recovery[0]).await?;
            browser.click("form button[type=submit]").await?;
            if attempt == 0 {
                browser.wait_for_url("/users").await?;
            } else {
                browser.wait_for_text("[role=alert]", "not right").await?;
            }
        }
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_required_password_change_comes_first() -> Result<()> {
    let app = app().await?;
    in_browser(|browser| async move {
        let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        user_with(
            &admin,
            "pat@example.com",
            "Viewer",
            json!({"require_password_change": true}),
        )
        .await?;
        sign_in(&browser, &app, "pat@example.com", PASSWORD).await?;
        browser.wait_for_text("h1", "Choose a new password").await?;
        // Nothing else is reachable until it is done.
        browser.goto(&app.url("/groups")).await?;
        browser.wait_for_text("h1", "Choose a new password").await?;
        browser.fill("#current_password", PASSWORD).await?;
        browser
            .fill("#new_password", "my very own passphrase")
            .await?;
        browser
            .fill("#repeat_password", "my very own passphrase")
            .await?;
        browser.click("form button[type=submit]").await?;
        browser.wait_for_text("h1", "Groups").await?;
        sign_out(&browser).await?;
        sign_in(&browser, &app, "pat@example.com", "my very own passphrase").await?;
        browser.wait_for("table tbody tr").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_editor_cannot_touch_an_administrator_and_dangerous_actions_ask_first() -> Result<()> {
    let app = app().await?;
    in_browser(|browser| async move {
        let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        user_with(&admin, "eddie@example.com", "Editor", json!({})).await?;
        let viewer = user_with(&admin, "vera@example.com", "Viewer", json!({})).await?;
        let me: Value = admin
            .http
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth(&admin.token)
            .send()
            .await?
            .json()
            .await?;
        let admin_id = me["data"]["user"]["id"].as_str().context("id")?.to_owned();

        // The editor sees the administrator's controls disabled, with the reason.
        sign_in(&browser, &app, "eddie@example.com", PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser
            .goto(&app.url(&format!("/users/{admin_id}")))
            .await?;
        browser
            .wait_for_text("#protected-reason", "permissions you do not")
            .await?;
        for label in ["Disable", "Lock", "Set password", "Delete"] {
            let button = browser
                .query(By::XPath(format!(
                    "//div[@class='actions']/button[normalize-space()='{label}']"
                )))
                .first()
                .await?;
            assert!(!button.is_enabled().await?, "{label} is disabled");
            let title = button.attr("title").await?.unwrap_or_default();
            assert!(title.contains("permissions you do not"), "{label}: {title}");
        }
        let save = browser.wait_for("form.form button[type=submit]").await?;
        assert!(!save.is_enabled().await?, "the profile cannot be saved");

        // A request forged with the editor's own session is refused all the same.
        let token = browser
            .eval("localStorage.getItem('gatehouse.token')")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let forged = reqwest::Client::new()
            .post(app.url(&format!(
                "/api/v1/tenants/default/users/{admin_id}/password/reset"
            )))
            .bearer_auth(&token)
            .json(&json!({"method": "SET", "new_password": "taken over at last"}))
            .send()
            .await?;
        assert_eq!(forged.status(), 403);
        sign_out(&browser).await?;

        // The administrator, signed in a while ago, is asked for the password before
        // setting someone's password, and the action then completes as typed.
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        let db = sqlx::SqlitePool::connect(&app.database).await?;
        sqlx::query("UPDATE sessions SET confirmed_at = 0")
            .execute(&db)
            .await?;
        browser.goto(&app.url(&format!("/users/{viewer}"))).await?;
        browser
            .click_text(".actions button", "Set password")
            .await?;
        browser
            .fill("#new_password", "a fresh phrase chosen here")
            .await?;
        browser
            .click("dialog[open] button.button-primary[type=submit]")
            .await?;
        browser.wait_for("dialog[open] #confirm-password").await?;
        browser.fill("#confirm-password", "not my password").await?;
        browser.click_text("dialog[open] button", "Confirm").await?;
        browser
            .wait_for_text("dialog[open] [role=alert]", "not your current password")
            .await?;
        browser.fill("#confirm-password", ADMIN_PASSWORD).await?;
        browser.click_text("dialog[open] button", "Confirm").await?;
        browser
            .wait_for_text(".toast", "The password of vera@example.com was changed")
            .await?;
        eventually("the dialogs to close", || async {
            Ok(browser.find_all(By::Css("dialog[open]")).await?.is_empty())
        })
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_link_cannot_send_the_browser_to_another_site() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let app = &app;
    in_browser(|browser| async move {
        // A backslash reads as a slash and a tab is dropped: each of these is
        // //evil.example to a browser.
        for next in [
            "%2F%5Cevil.example",
            "%2F%09%2Fevil.example",
            "%2F%2Fevil.example",
        ] {
            browser
                .goto(&app.url(&format!("/login?next={next}")))
                .await?;
            sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
            let url = browser.wait_for_url("/users").await?;
            ensure!(url == app.url("/users"), "{next} led to {url}");
            sign_out(&browser).await?;
        }
        Ok(())
    })
    .await
}
