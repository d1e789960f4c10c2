//! End to end: a real administrator's first hour with Gatehouse, in headless Chromium
//! against the release console and a real server on a fresh database.

use anyhow::Result;
use gatehouse_e2e::{complete_setup, eventually, in_browser, sign_in_here, sign_out, App, PageExt};
use serde_json::json;
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn first_run_setup_then_the_whole_user_lifecycle() -> Result<()> {
    let app = App::start(None).await?;
    in_browser(|browser| async move { lifecycle(&app, &browser).await }).await
}

async fn lifecycle(app: &App, browser: &WebDriver) -> Result<()> {
    // First run: the setup link the server printed creates the administrator.
    let setup_link = app.setup_url().expect("a fresh server prints a setup link");
    complete_setup(
        browser,
        &setup_link,
        (ADMIN_EMAIL, "Root Admin", ADMIN_PASSWORD),
    )
    .await?;
    browser.wait_for_url("/users").await?;
    browser.wait_for_text("table tbody", ADMIN_EMAIL).await?;

    // The setup link is spent.
    browser.goto(&setup_link).await?;
    browser.wait_for_text("h1", "Setup is complete").await?;

    // Sign out, then back in: the console returns to where the admin was going.
    browser.goto(&app.url("/users")).await?;
    sign_out(browser).await?;
    browser.goto(&app.url("/users/new")).await?;
    browser.wait_for_url("/login?next=%2Fusers%2Fnew").await?;
    sign_in_here(browser, ADMIN_EMAIL, "not the password").await?;
    browser.wait_for_text("[role=alert]", "not right").await?;
    sign_in_here(browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    browser.wait_for_url("/users/new").await?;

    // Create a user; a bad email is refused under the field, nothing typed is lost.
    browser.fill("#email", "ada-at-example.com").await?;
    browser.fill("#first_name", "Ada").await?;
    browser.fill("#last_name", "Lovelace").await?;
    browser.fill("#password", "analytical engine notes").await?;
    browser.click("form button[type=submit]").await?;
    browser
        .wait_for_text(
            "#email-error",
            "Enter an email address like name@example.com",
        )
        .await?;
    assert_eq!(
        browser
            .wait_for("#first_name")
            .await?
            .value()
            .await?
            .as_deref(),
        Some("Ada")
    );
    browser.fill("#email", "ada@example.com").await?;
    eventually("the email error to clear", || async {
        Ok(browser
            .find(By::Css("#email-error"))
            .await?
            .text()
            .await?
            .is_empty())
    })
    .await?;
    browser.click("form button[type=submit]").await?;
    browser
        .wait_for_text(".toast", "ada@example.com was created")
        .await?;
    browser.wait_for_text("h1", "Ada Lovelace").await?;

    // Find her by search; the search survives a reload.
    browser.goto(&app.url("/users")).await?;
    browser.fill("input[type=search]", "lovel").await?;
    browser.wait_for_url("search=lovel").await?;
    browser
        .wait_for_text("table tbody", "ada@example.com")
        .await?;
    eventually("the list to show only Ada", || async {
        Ok(browser.find_all(By::Css("table tbody tr")).await?.len() == 1)
    })
    .await?;
    browser.refresh().await?;
    browser
        .wait_for_text("table tbody", "ada@example.com")
        .await?;
    let search = browser
        .wait_for("input[type=search]")
        .await?
        .value()
        .await?;
    assert_eq!(search.as_deref(), Some("lovel"));

    // Edit her display name.
    browser.click("table tbody a").await?;
    browser.wait_for_url("/users/").await?;
    browser
        .fill("#display_name", "Countess of Lovelace")
        .await?;
    browser.click("form.form button[type=submit]").await?;
    browser.wait_for_text(".toast", "Changes saved").await?;
    browser.wait_for_text("h1", "Countess of Lovelace").await?;
    let user_page = browser.current_url().await?.to_string();

    // Disable her, with a reason.
    browser.click(".actions button:nth-child(1)").await?;
    browser.wait_for_text("dialog[open] h2", "Disable").await?;
    browser
        .fill("#status-reason", "Left for the Analytical Society")
        .await?;
    browser.click("dialog[open] button[type=submit]").await?;
    browser
        .wait_for_text(".user-meta .badge", "Disabled")
        .await?;
    browser
        .wait_for_text(".user-header", "Left for the Analytical Society")
        .await?;

    // A disabled user cannot sign in (and is told nothing a guesser could use).
    sign_out(browser).await?;
    sign_in_here(browser, "ada@example.com", "analytical engine notes").await?;
    browser.wait_for_text("[role=alert]", "not right").await?;

    // Delete her, after typing her email.
    sign_in_here(browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    browser.wait_for_url("/users").await?;
    browser.goto(&user_page).await?;
    browser.click(".actions .button-danger").await?;
    let confirm = browser
        .wait_for("dialog[open] button.button-danger[type=submit]")
        .await?;
    assert!(
        !confirm.is_enabled().await?,
        "delete stays disabled until the email is typed"
    );
    browser.fill("#confirm_email", "ada@example.com").await?;
    browser
        .click("dialog[open] button.button-danger[type=submit]")
        .await?;
    browser
        .wait_for_text(".toast", "ada@example.com was deleted")
        .await?;
    browser.goto(&app.url("/users?search=ada")).await?;
    browser.wait_for_text(".empty h2", "No users match").await?;
    Ok(())
}

/// The token the console holds for the signed-in administrator.
async fn console_token(browser: &WebDriver) -> Result<String> {
    Ok(browser
        .eval("localStorage.getItem('gatehouse.token')")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_session_asks_to_sign_in_again_and_keeps_the_form() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        browser.goto(&app.url("/users/new")).await?;
        sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users/new").await?;
        browser.fill("#email", "grace@example.com").await?;
        browser.fill("#last_name", "Hopper").await?;

        // The session ends behind the console's back (signed out elsewhere).
        let token = console_token(&browser).await?;
        let http = reqwest::Client::new();
        let out = http
            .post(app.url("/api/v1/auth/logout"))
            .bearer_auth(&token)
            .send()
            .await?;
        assert_eq!(out.status(), 204);

        browser.click("form button[type=submit]").await?;
        browser.wait_for("dialog[open] #reauth-password").await?;
        browser.fill("#reauth-password", ADMIN_PASSWORD).await?;
        browser.click("dialog[open] button[type=submit]").await?;
        // The paused request went through with the new session and what was typed.
        browser
            .wait_for_text(".toast", "grace@example.com was created")
            .await?;
        browser.wait_for_text("h1", "Hopper").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_concurrent_edit_is_reported_and_the_form_kept() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        browser.goto(&app.url("/login")).await?;
        sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        let token = console_token(&browser).await?;
        let http = reqwest::Client::new();
        let users = app.url("/api/v1/tenants/default/users");
        let created: serde_json::Value = http
            .post(&users)
            .bearer_auth(&token)
            .json(&json!({"email": "edsger@example.com", "display_name": "Edsger"}))
            .send()
            .await?
            .json()
            .await?;
        let id = created["data"]["id"].as_str().unwrap().to_owned();

        browser.goto(&app.url(&format!("/users/{id}"))).await?;
        browser.wait_for_text("h1", "Edsger").await?;
        // Another administrator saves first.
        let other = http
            .patch(format!("{users}/{id}"))
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(&json!({"display_name": "E. W. Dijkstra"}))
            .send()
            .await?;
        assert_eq!(other.status(), 200);

        browser
            .fill("#display_name", "Edsger Wybe Dijkstra")
            .await?;
        browser.click("form.form button[type=submit]").await?;
        browser
            .wait_for_text("[role=alert]", "Someone else changed this user")
            .await?;
        let kept = browser.wait_for("#display_name").await?.value().await?;
        assert_eq!(kept.as_deref(), Some("Edsger Wybe Dijkstra"));

        browser.click(".banner-warning button").await?;
        eventually("their version to load", || async {
            Ok(browser
                .find(By::Css("#display_name"))
                .await?
                .value()
                .await?
                .as_deref()
                == Some("E. W. Dijkstra"))
        })
        .await?;
        Ok(())
    })
    .await
}
