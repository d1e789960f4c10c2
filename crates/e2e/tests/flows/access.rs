//! End to end: roles, groups and what each administrator may do, in headless Chromium.

use anyhow::{Context, Result};
use gatehouse_e2e::{eventually, in_browser, sign_in, sign_out, Api, App, PageExt};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";
const PASSWORD: &str = "correct battery staple";

/// Signs in and waits for the users list.
async fn sign_in_to_users(
    browser: &WebDriver,
    app: &App,
    email: &str,
    password: &str,
) -> Result<()> {
    sign_in(browser, app, email, password).await?;
    browser.wait_for_url("/users").await?;
    browser.wait_for("table tbody tr").await?;
    Ok(())
}

/// The labels of the sidebar's links.
async fn areas(browser: &WebDriver) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for link in browser.find_all(By::Css(".sidebar a")).await? {
        names.push(link.text().await?);
    }
    Ok(names)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_role_through_a_group_and_a_read_only_viewer() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move { scenario(&app, &browser).await }).await
}

async fn scenario(app: &App, browser: &WebDriver) -> Result<()> {
    let admin = Api::sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    for email in ["carol@example.com", "dave@example.com"] {
        admin
            .create_user(json!({"email": email, "password": PASSWORD}))
            .await?;
    }
    let vera = admin
        .create_user(json!({"email": "vera@example.com", "password": PASSWORD}))
        .await?;
    admin.grant(&vera, &["Viewer"]).await?;

    // A custom role with two permissions.
    sign_in_to_users(browser, app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    assert_eq!(
        areas(browser).await?,
        [
            "Users",
            "Invites",
            "API keys",
            "Groups",
            "Roles",
            "SSO",
            "Audit log",
            "Settings"
        ]
    );
    browser.goto(&app.url("/roles/new")).await?;
    browser.fill("#name", "Support desk").await?;
    browser
        .fill("#description", "Answers the phone and fixes accounts.")
        .await?;
    browser.click("input[value='users:read']").await?;
    browser.click("input[value='users:write']").await?;
    browser
        .wait_for_text("legend", "Permissions (2 chosen)")
        .await?;
    browser.click("form.form button[type=submit]").await?;
    browser
        .wait_for_text(".toast", "The role Support desk was created")
        .await?;

    // A group granting it.
    browser.goto(&app.url("/groups/new")).await?;
    browser.fill("#name", "Support team").await?;
    let role_box = browser
        .query(By::XPath(
            "//label[strong[text()='Support desk']]/preceding-sibling::input",
        ))
        .first()
        .await?;
    role_box.click().await?;
    browser.click("form.form button[type=submit]").await?;
    browser
        .wait_for_text(".toast", "The group Support team was created")
        .await?;
    browser.wait_for_url("/members").await?;

    // Two members, added from the group page in one go.
    browser.click(".toolbar .button-primary").await?;
    for who in ["carol", "dave"] {
        browser.fill("dialog[open] input[type=search]", who).await?;
        browser
            .wait_for_text(
                "dialog[open] .picker-results",
                &format!("{who}@example.com"),
            )
            .await?;
        browser
            .click("dialog[open] .picker-results button:not([disabled])")
            .await?;
        browser
            .wait_for_text("dialog[open] .chosen", &format!("{who}@example.com"))
            .await?;
    }
    browser
        .click("dialog[open] .dialog-actions .button-primary")
        .await?;
    browser.wait_for_text(".toast", "2 added").await?;
    eventually("both members listed", || async {
        Ok(browser.find_all(By::Css("table tbody tr")).await?.len() == 2)
    })
    .await?;
    sign_out(browser).await?;

    // Carol holds exactly the role's permissions: users, read and write; nothing else.
    sign_in_to_users(browser, app, "carol@example.com", PASSWORD).await?;
    assert_eq!(areas(browser).await?, ["Users", "Settings"]);
    browser
        .wait_for("a.button-primary[href='/users/new']")
        .await?;
    // Dave holds what she holds (the same group), so she may change him; Vera, a
    // Viewer, holds permissions Carol does not, so Carol may not touch her.
    browser
        .click_text("table tbody a", "dave@example.com")
        .await?;
    browser.wait_for(".actions").await?;
    let delete = browser.wait_for(".actions .button-danger").await?;
    assert!(!delete.is_enabled().await?, "no users:delete");
    assert_eq!(
        delete.attr("title").await?.as_deref(),
        Some("Needs the users:delete permission")
    );
    let disable = browser.find(By::Css(".actions button")).await?;
    assert!(
        disable.is_enabled().await?,
        "users:write allows status changes"
    );
    browser.goto(&app.url("/roles")).await?;
    browser.wait_for_text("[role=alert]", "roles:read").await?;
    sign_out(browser).await?;

    // Vera, a Viewer, sees everything and can change nothing.
    sign_in_to_users(browser, app, "vera@example.com", PASSWORD).await?;
    assert_eq!(
        areas(browser).await?,
        [
            "Users",
            "Invites",
            "API keys",
            "Groups",
            "Roles",
            "SSO",
            "Audit log",
            "Settings"
        ]
    );
    let new_user = browser
        .wait_for(".page-header [aria-disabled=true]")
        .await?;
    assert_eq!(
        new_user.attr("title").await?.as_deref(),
        Some("Needs the users:write permission")
    );
    browser.click("table tbody a").await?;
    browser.wait_for(".actions").await?;
    for button in browser.find_all(By::Css(".actions button")).await? {
        assert!(
            !button.is_enabled().await?,
            "{} should be disabled",
            button.text().await?
        );
    }
    assert!(
        !browser
            .wait_for("#display_name")
            .await?
            .is_enabled()
            .await?,
        "the profile is read-only"
    );
    browser.goto(&app.url("/groups")).await?;
    browser.click("table tbody a").await?;
    browser.wait_for_url("/groups/").await?;
    browser.click(".tabs a:first-child").await?;
    browser.wait_for_url("/members").await?;
    let add = browser.wait_for(".toolbar .button-primary").await?;
    assert!(
        !add.is_enabled().await?,
        "adding members needs groups:write"
    );
    browser.goto(&app.url("/roles")).await?;
    browser.wait_for("table tbody tr").await?;
    assert!(
        browser
            .find(By::Css(".page-header [aria-disabled=true]"))
            .await
            .is_ok(),
        "New role is disabled"
    );

    // The server is the authority: a forged write from Vera's session is refused.
    let token = browser
        .eval("localStorage.getItem('gatehouse.token')")
        .await?;
    let forged = reqwest::Client::new()
        .post(format!("{}/users", admin.base))
        .bearer_auth(token.as_str().context("token")?)
        .json(&json!({"email": "intruder@example.com"}))
        .send()
        .await?;
    assert_eq!(forged.status(), 403);
    let problem: Value = forged.json().await?;
    assert_eq!(problem["missing_permission"], "users:write");
    Ok(())
}
