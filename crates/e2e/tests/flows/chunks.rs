//! End to end: the release console loads an area's code on its first visit, and when
//! that code cannot be fetched it says so and offers a retry that works once the network
//! is back, while the rest of the console keeps working.

use anyhow::Result;
use gatehouse_e2e::{in_browser, sign_in, App, PageExt};
use serde_json::json;
use thirtyfour::extensions::cdp::ChromeDevTools;
use thirtyfour::WebDriver;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

/// The browser's DevTools, with its network domain on.
async fn network(browser: &WebDriver) -> Result<ChromeDevTools> {
    let devtools = ChromeDevTools::new(browser.handle.clone());
    devtools.execute_cdp("Network.enable").await?;
    Ok(devtools)
}

/// Makes requests to URLs matching these patterns fail, as a lost network would.
async fn block(devtools: &ChromeDevTools, urls: &[&str]) -> Result<()> {
    let urls = json!({ "urls": urls });
    devtools
        .execute_cdp_with_params("Network.setBlockedURLs", urls)
        .await?;
    Ok(())
}

/// Every URL the page has fetched so far, space-separated.
async fn fetched(browser: &WebDriver) -> Result<String> {
    let names = browser
        .eval("performance.getEntriesByType('resource').map(e => e.name).join(' ')")
        .await?;
    Ok(names.as_str().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunk_that_cannot_be_fetched_offers_a_retry_that_works() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        let devtools = network(&browser).await?;

        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        let fetched = fetched(&browser).await?;
        assert!(
            !fetched.contains("split_sso"),
            "the users list does not fetch the SSO area's code: {fetched}"
        );

        // The SSO area's code cannot be fetched: a clear error with a retry, not a dead app.
        block(&devtools, &["*split_sso-*"]).await?;
        browser.click("nav a[href='/sso']").await?;
        browser
            .wait_for_text("main [role=alert]", "could not be loaded")
            .await?;

        // The rest of the console still works.
        browser.click("nav a[href='/groups']").await?;
        browser.wait_for_text("main h1", "Groups").await?;
        browser.click("nav a[href='/sso']").await?;
        browser
            .wait_for_text("main [role=alert]", "could not be loaded")
            .await?;

        // The network is back: "Try again" loads it, once.
        block(&devtools, &[]).await?;
        browser.click_text("main [role=alert] button", "Try again").await?;
        browser.wait_for_text("main h1", "SSO").await?;
        let fetches = browser
            .eval("performance.getEntriesByType('resource').filter(e => e.name.includes('split_sso-') && e.transferSize > 0).length")
            .await?;
        assert_eq!(fetches, json!(1), "the SSO chunk was fetched once");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn shared_code_that_cannot_be_fetched_offers_a_retry_that_works() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        let devtools = network(&browser).await?;
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;

        // The groups area's own part arrives, the code it shares with other areas does not.
        block(&devtools, &["*chunk_*"]).await?;
        browser.click("nav a[href='/groups']").await?;
        browser
            .wait_for_text("main [role=alert]", "could not be loaded")
            .await?;

        block(&devtools, &[]).await?;
        browser.click_text("main [role=alert] button", "Try again").await?;
        browser.wait_for_text("main h1", "Groups").await?;
        browser.wait_for("main table, main .empty").await?;
        let parts = browser
            .eval("new Set(performance.getEntriesByType('resource').map(e => e.name).filter(n => /\\/(split|chunk)_[a-z_0-9]+-[0-9a-f]{16}\\.wasm$/.test(n))).size")
            .await?;
        let parts = parts.as_u64().unwrap_or_default();
        assert!(
            (2..=15).contains(&parts),
            "the groups area came in its own part and a few shared ones, not dozens: {parts}"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_area_asks_for_its_data_while_its_code_loads_and_only_once() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click("nav a[href='/groups']").await?;
        browser.wait_for_text("main h1", "Groups").await?;
        browser.wait_for("main table, main .empty").await?;
        let timing = browser
            .eval(
                "(() => {
                    const all = performance.getEntriesByType('resource');
                    const code = all.filter(e => /split_access-[0-9a-f]{16}\\.wasm$/.test(e.name));
                    const data = all.filter(e => new URL(e.name).pathname === '/api/v1/tenants/default/groups');
                    return { code: code.map(e => e.responseEnd), data: data.map(e => e.startTime) };
                })()",
            )
            .await?;
        let code = timing["code"].as_array().cloned().unwrap_or_default();
        let data = timing["data"].as_array().cloned().unwrap_or_default();
        assert_eq!(code.len(), 1, "the groups area's code was fetched once: {timing}");
        assert_eq!(data.len(), 1, "the groups list was asked for once: {timing}");
        let (code_done, data_asked) = (code[0].as_f64().unwrap(), data[0].as_f64().unwrap());
        assert!(
            data_asked < code_done,
            "the groups list was asked for before the area's code had arrived (no waterfall): {timing}"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_users_list_extras_arrive_when_first_used_with_a_retry_in_place() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        let devtools = network(&browser).await?;
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for("table tbody tr").await?;
        let fetched = fetched(&browser).await?;
        assert!(
            !fetched.contains("split_bulk"),
            "the users list does not fetch its extras before they are used: {fetched}"
        );

        // Choosing a row shows the bulk bar, whose code cannot be fetched: the error and
        // a retry where the bar goes, and the list keeps working.
        block(&devtools, &["*split_bulk-*"]).await?;
        browser.click("table tbody input[type=checkbox]").await?;
        browser
            .wait_for_text("main [role=alert]", "could not be loaded")
            .await?;
        block(&devtools, &[]).await?;
        browser.click_text("main [role=alert] button", "Try again").await?;
        browser.wait_for_text(".bulk-bar", "1 selected").await?;
        browser.wait_for_text("#bulk-open", "Act on 1 user").await?;

        // The group filter's search came with it.
        browser.click(".group-filter > button").await?;
        browser.wait_for(".popover input[type=search]").await?;
        let fetches = browser
            .eval("performance.getEntriesByType('resource').filter(e => e.name.includes('split_bulk-') && e.transferSize > 0).length")
            .await?;
        assert_eq!(fetches, json!(1), "the extras' code was fetched once");
        Ok(())
    })
    .await
}

/// An address the console wrote (a searched list) opened directly: the area's first
/// request, sent ahead from the address's query while the code loads, is the one the
/// page makes, so it is made once.
#[tokio::test(flavor = "multi_thread")]
async fn a_searched_list_opened_directly_asks_for_its_data_once() -> Result<()> {
    let app = App::start(Some((ADMIN_EMAIL, ADMIN_PASSWORD))).await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.goto(&app.url("/groups?search=Team")).await?;
        browser.wait_for_text("main h1", "Groups").await?;
        browser.wait_for("main table, main .empty").await?;
        let asked = browser
            .eval(
                "performance.getEntriesByType('resource')
                    .map(e => new URL(e.name))
                    .filter(u => u.pathname === '/api/v1/tenants/default/groups')
                    .map(u => u.search)",
            )
            .await?;
        assert_eq!(
            asked,
            json!(["?search=Team"]),
            "asked once, with the search"
        );
        Ok(())
    })
    .await
}
