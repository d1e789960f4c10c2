//! End to end: the users list's filters (a group filter that reaches every group, an
//! honest "no match" for any filter) and a status dialog that starts blank.

use anyhow::{Context, Result};
use gatehouse_e2e::{eventually, in_browser, sign_in, Api, App, PageExt};
use serde_json::json;
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn the_group_filter_reaches_every_group_and_says_when_nothing_matches() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    // More groups than any one page of groups holds (200).
    let mut last = String::new();
    for n in 1..=205 {
        last = admin
            .post("/groups", json!({"name": format!("Team {n:03}")}))
            .await?["data"]["id"]
            .as_str()
            .context("group id")?
            .to_owned();
    }
    let zed = admin
        .create_user(json!({"email": "zed@example.com", "password": "zed's long password"}))
        .await?;
    admin
        .post(
            &format!("/groups/{last}/members"),
            json!({"user_ids": [zed]}),
        )
        .await?;

    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for("table tbody tr").await?;
        browser.click(".group-filter > button").await?;
        browser
            .fill(".popover input[type=search]", "Team 205")
            .await?;
        browser
            .click_text(".popover .picker-results button", "Choose")
            .await?;
        browser.wait_for_url(&format!("group_id={last}")).await?;
        browser
            .wait_for_text(".group-filter > button", "Team 205")
            .await?;
        eventually("only Zed listed", || async {
            let rows = browser.find_all(By::Css("table tbody tr")).await?;
            Ok(rows.len() == 1 && rows[0].text().await?.contains("zed@example.com"))
        })
        .await?;

        // A group nobody is in: the list says nothing matches and offers to clear.
        browser.click(".group-filter > button").await?;
        browser
            .fill(".popover input[type=search]", "Team 100")
            .await?;
        browser
            .click_text(".popover .picker-results button", "Choose")
            .await?;
        browser.wait_for_text(".empty h2", "No users match").await?;
        browser.click_text(".empty button", "Clear").await?;
        browser.wait_for_text("table tbody", ADMIN_EMAIL).await?;
        let url = browser.current_url().await?.to_string();
        assert!(!url.contains("group_id"), "{url}");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_dialog_starts_blank_each_time() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let ada = admin
        .create_user(json!({"email": "ada@example.com", "password": "analytical engine"}))
        .await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for("table tbody tr").await?;
        browser.goto(&app.url(&format!("/users/{ada}"))).await?;
        browser.click_text(".actions button", "Disable").await?;
        browser
            .wait_for_text("dialog[open]", "signed out everywhere")
            .await?;
        assert!(
            browser
                .find_all(By::Css("dialog[open] input[type=checkbox]"))
                .await?
                .is_empty(),
            "no choice that changes nothing"
        );
        browser
            .fill("#status-reason", "Left for another team")
            .await?;
        browser.click("dialog[open] button[type=submit]").await?;
        browser
            .wait_for_text(".user-meta .badge", "Disabled")
            .await?;
        browser.click_text(".actions button", "Enable").await?;
        browser.wait_for_text("dialog[open] h2", "Enable").await?;
        let reason = browser.wait_for("#status-reason").await?.value().await?;
        assert_eq!(
            reason.as_deref(),
            Some(""),
            "the earlier reason is not carried over"
        );
        browser.click("dialog[open] button[type=submit]").await?;
        browser.wait_for_text(".user-meta .badge", "Active").await?;
        let user = admin.get(&format!("/users/{ada}")).await?;
        assert_eq!(user["data"]["status_reason"], serde_json::Value::Null);
        Ok(())
    })
    .await
}
