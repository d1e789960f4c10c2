//! End to end: export the filtered users list as CSV, change one name in the file,
//! import it back: the dry run reports exactly one update, and the import makes it.

use anyhow::{Context, Result};
use gatehouse_e2e::{check_accessibility, eventually, in_browser, sign_in_here, Api, App, PageExt};
use serde_json::json;
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

/// Keeps every Blob the page offers as a download, so the test can read it.
const CATCH_DOWNLOADS: &str = "window.__downloads = []; \
    const original = URL.createObjectURL; \
    URL.createObjectURL = blob => { window.__downloads.push(blob); return original.call(URL, blob); }";

#[tokio::test(flavor = "multi_thread")]
async fn export_edit_one_name_import_back() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move { scenario(&app, &browser).await }).await
}

async fn scenario(app: &App, browser: &WebDriver) -> Result<()> {
    let admin = Api::sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    for first in ["Ada", "Grace", "Lin", "Mary", "Barbara"] {
        admin
            .create_user(json!({
                "email": format!("{}@example.com", first.to_lowercase()),
                "first_name": first,
                "last_name": "Pioneer",
            }))
            .await?;
    }
    admin
        .create_user(json!({"email": "other@example.com", "last_name": "Other"}))
        .await?;

    browser.goto(&app.url("/users?search=pioneer")).await?;
    sign_in_here(browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    browser
        .wait_for_text("table tbody", "barbara@example.com")
        .await?;
    browser.execute(CATCH_DOWNLOADS, Vec::new()).await?;
    browser.click("#users-export").await?;
    eventually("the export to be offered", || async {
        Ok(browser.eval("window.__downloads.length").await? == json!(1))
    })
    .await?;
    let exported = browser
        .execute("return window.__downloads[0].text();", Vec::new())
        .await?
        .json()
        .as_str()
        .context("the export's text")?
        .to_owned();
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(
        lines.len(),
        6,
        "the header and the five filtered users: {exported}"
    );
    assert!(lines[0].starts_with("id,email,username,first_name,last_name"));
    assert!(!exported.contains("other@example.com"));

    let edited = exported.replace(",Grace,Pioneer,", ",Grace Brewster,Pioneer,");
    assert_ne!(edited, exported);
    let folder = tempfile::tempdir()?;
    let file = folder.path().join("users.csv");
    std::fs::write(&file, &edited)?;

    browser.click_text(".page-header a", "Import CSV").await?;
    browser.wait_for_url("/users/import").await?;
    browser
        .wait_for("#import-file")
        .await?
        .send_keys(file.display().to_string())
        .await?;
    browser
        .wait_for_text(
            ".import-summary",
            "Would create 0 users, update 1; 4 unchanged.",
        )
        .await?;
    browser
        .wait_for_text(".import-rows", "grace@example.com")
        .await?;
    browser
        .wait_for_text(".import-rows", "Changes first_name")
        .await?;
    let email_column = browser
        .eval("document.querySelector('#map-1').value")
        .await?;
    assert_eq!(
        email_column,
        json!("email"),
        "the email column is recognised"
    );
    check_accessibility(browser, "import preview").await?;
    browser
        .wait_for_text("#import-run", "Import: create 0, update 1")
        .await?;
    browser.click("#import-run").await?;
    browser
        .wait_for_text(
            ".import-summary",
            "Created 0 users, updated 1; 4 unchanged.",
        )
        .await?;
    let grace = admin.get("/users?search=grace").await?;
    assert_eq!(grace["data"][0]["first_name"], "Grace Brewster");
    Ok(())
}
