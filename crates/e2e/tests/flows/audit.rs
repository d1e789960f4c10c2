//! End to end: an administrator edits a user and finds the change, field by field, in
//! the user's Activity tab and in the audit log.

use anyhow::Result;
use gatehouse_e2e::{check_accessibility, eventually, in_browser, sign_in_here, Api, App, PageExt};
use serde_json::json;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_shows_in_the_activity_tab_and_the_audit_log() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move { scenario(&app, &browser).await }).await
}

async fn scenario(app: &App, browser: &WebDriver) -> Result<()> {
    let admin = Api::sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let grace = admin
        .create_user(json!({"email": "grace@example.com", "first_name": "Grace", "password": "a compiler of her own"}))
        .await?;
    browser.goto(&app.url(&format!("/users/{grace}"))).await?;
    sign_in_here(browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    browser.wait_for_url(&format!("/users/{grace}")).await?;
    browser.fill("#last_name", "Hopper").await?;
    browser.fill("#first_name", "Rear Admiral Grace").await?;
    browser.click("form button[type=submit]").await?;
    browser.wait_for_text(".toast", "Changes saved").await?;

    browser.click_text(".tabs a", "Activity").await?;
    browser
        .wait_for_url(&format!("/users/{grace}/activity"))
        .await?;
    browser
        .wait_for_text(".audit-event summary", "User edited")
        .await?;
    browser
        .click_text(".audit-event summary", "User edited")
        .await?;
    browser
        .wait_for_text(".audit-event details[open] .diff", "first_name")
        .await?;
    let rows = browser
        .find_all(By::Css(".audit-event details[open] .diff tbody tr"))
        .await?;
    let mut shown = Vec::new();
    for row in rows {
        shown.push(row.text().await?);
    }
    assert_eq!(
        shown,
        ["first_name Grace Rear Admiral Grace", "last_name — Hopper"],
        "the edit's fields, before and after"
    );
    browser
        .wait_for_text(".audit-event summary", "User created")
        .await?;
    check_accessibility(browser, "user activity").await?;
    // The people and things an event names link to their pages.
    browser
        .click_text(".audit-event details[open] .facts a", "root@example.com")
        .await?;
    browser.wait_for_url("/users/").await?;
    browser.back().await?;

    // The audit log lists it too, and narrows to one action from the URL.
    browser.click_text(".sidebar a", "Audit log").await?;
    browser.wait_for_url("/audit").await?;
    browser
        .wait_for_text(".audit-event summary", "Rear Admiral Grace Hopper")
        .await?;
    let select = browser.wait_for("#audit-action").await?;
    SelectElement::new(&select)
        .await?
        .select_by_value("user.updated")
        .await?;
    browser.wait_for_url("action=user.updated").await?;
    browser.wait_for_text(".audit-list", "User edited").await?;
    let kinds = browser
        .eval("[...document.querySelectorAll('.audit-event')].map(e => e.dataset.action)")
        .await?;
    assert_eq!(kinds, json!(["user.updated"]));
    check_accessibility(browser, "audit log").await?;

    // The filtered set as CSV.
    browser
        .execute(
            "window.__downloads = []; const original = URL.createObjectURL; \
             URL.createObjectURL = blob => { window.__downloads.push(blob); return original.call(URL, blob); }",
            Vec::new(),
        )
        .await?;
    browser.click("#audit-export").await?;
    eventually("the audit export to be offered", || async {
        Ok(browser.eval("window.__downloads.length").await? == json!(1))
    })
    .await?;
    let csv = browser
        .execute("return window.__downloads[0].text();", Vec::new())
        .await?
        .json()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "the header and the one edit: {csv}");
    assert!(lines[0].starts_with("id,occurred_at,actor_kind"));
    assert!(lines[1].contains("user.updated") && lines[1].contains("Rear Admiral Grace"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_filtered_users_disabled_in_one_action_with_one_request_id() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move { bulk_scenario(&app, &browser).await }).await
}

async fn bulk_scenario(app: &App, browser: &WebDriver) -> Result<()> {
    let admin = Api::sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    for n in 0..100 {
        admin
            .create_user(json!({"email": format!("contractor{n:03}@example.com"), "last_name": "Contractor"}))
            .await?;
    }
    admin
        .create_user(json!({"email": "staff@example.com", "last_name": "Staff"}))
        .await?;

    browser.goto(&app.url("/users?search=contractor")).await?;
    sign_in_here(browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    browser.wait_for_url("search=contractor").await?;
    browser
        .wait_for_text(".bulk-bar", "All 100 users matching this filter")
        .await?;
    browser.click("#bulk-everyone").await?;
    browser
        .wait_for_text("#bulk-open", "Act on 100 users")
        .await?;
    browser.click("#bulk-open").await?;
    let action = browser.wait_for("#bulk-action").await?;
    SelectElement::new(&action)
        .await?
        .select_by_value("disable")
        .await?;
    browser.fill("#bulk-reason", "Contract ended").await?;
    browser.click("#bulk-submit").await?;
    browser
        .wait_for_text(".bulk-summary", "Would disable 100 users.")
        .await?;
    browser
        .wait_for_text("#bulk-submit", "Disable 100 users")
        .await?;
    check_accessibility(browser, "bulk action preview").await?;
    browser.click("#bulk-submit").await?;
    browser
        .wait_for_text(".bulk-summary", "Done for 100 users.")
        .await?;
    let disabled = admin.get("/users?status=DISABLED&per_page=1").await?;
    assert_eq!(disabled["pagination"]["total_items"], 100);
    let staff = admin.get("/users?search=staff").await?;
    assert_eq!(staff["data"][0]["status"], "ACTIVE");

    // The audit log shows the hundred changes under one request id.
    browser.click("#bulk-audit-link").await?;
    browser.wait_for_url("/audit?request_id=").await?;
    browser
        .wait_for_text(".banner", "Showing the events of one request")
        .await?;
    browser.click_text("button", "Show older events").await?;
    eventually("all hundred events listed", || async {
        let shown = browser
            .eval("document.querySelectorAll('.audit-event[data-action=\"user.status_changed\"]').length")
            .await?;
        Ok(shown == json!(100))
    })
    .await?;
    let total = browser
        .eval("document.querySelectorAll('.audit-event').length")
        .await?;
    assert_eq!(total, json!(100));
    Ok(())
}
