//! End to end: deployment shapes other than the one process serving both. The console
//! on a plain static file server (a static host or CDN) on its own origin, talking to
//! the API on another origin that allows exactly that console's origin; the console and
//! the API under `/admin/` behind nginx; and two servers on one database behind a
//! round-robin load balancer, one of them taken away.

use anyhow::{ensure, Context, Result};
use gatehouse_e2e::{
    complete_setup, free_port, in_browser, oidc_connection, sign_in_here, sign_out, sso_sign_in,
    Api, App, PageExt, PrefixProxy, RoundRobin, StaticConsole,
};
use gatehouse_idp::OidcProvider;
use serde_json::json;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn a_console_on_a_static_host_signs_in_and_writes_through_an_api_on_another_origin(
) -> Result<()> {
    // The allowed console's port is chosen first: the API must name its origin.
    let allowed_port = free_port()?;
    let allowed = format!("http://127.0.0.1:{allowed_port}");
    let app = App::api_only((ADMIN_EMAIL, ADMIN_PASSWORD), &allowed).await?;
    let console = StaticConsole::start_on(allowed_port, &app.base).await?;
    assert_eq!(console.base, allowed);
    let stranger = StaticConsole::start(&app.base).await?;

    // The API does not serve a console of its own.
    let own = reqwest::get(app.url("/")).await?;
    assert_eq!(own.status(), 404);

    let (app, console, stranger) = (&app, &console, &stranger);
    in_browser(|browser| async move {
        // The allowed console: sign in, open an area (its code comes from the static
        // host), make a change.
        browser.goto(&console.base).await?;
        browser.wait_for_url("/login").await?;
        sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_text("table tbody", ADMIN_EMAIL).await?;
        browser.click("nav a[href='/groups']").await?;
        browser.click("main a[href='/groups/new']").await?;
        browser.fill("#name", "Static hosting").await?;
        browser.click("form.form button[type=submit]").await?;
        browser
            .wait_for_text(".toast", "The group Static hosting was created")
            .await?;
        let api = Api::sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        let groups = api.get("/groups?search=Static").await?;
        assert_eq!(groups["data"][0]["name"], "Static hosting", "{groups}");

        // A console on an origin the API does not allow cannot use it: the browser
        // refuses the answer, so signing in fails and nothing is stored.
        browser.goto(&stranger.base).await?;
        browser.wait_for_url("/login").await?;
        browser.execute("localStorage.clear();", Vec::new()).await?;
        sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser
            .wait_for_text("[role=alert]", "could not be reached")
            .await?;
        let token = browser
            .eval("localStorage.getItem('gatehouse.token')")
            .await?;
        assert!(token.is_null(), "no session for the stranger: {token}");
        Ok(())
    })
    .await?;

    // The same refusal, as the browser's preflight sees it.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("Origin", "http://127.0.0.1:9")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await?;
    assert!(!preflight
        .headers()
        .contains_key("access-control-allow-origin"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sso_sign_in_from_a_console_on_a_static_host_ends_back_there() -> Result<()> {
    let port = free_port()?;
    let origin = format!("http://127.0.0.1:{port}");
    let app = App::api_only((ADMIN_EMAIL, ADMIN_PASSWORD), &origin).await?;
    let console = StaticConsole::start_on(port, &app.base).await?;
    // The provider calls the API back on its own origin, not the static host.
    let provider = OidcProvider::start(
        &app.url("/api/v1/sso/oidc/callback"),
        json!({
            "ada": {"email": "ada@example.com", "groups": []},
            "grace": {"email": "grace@example.com", "groups": []},
        }),
    )
    .await;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    for (title, first_sign_in) in [("Acme", "CREATE_ACTIVE"), ("Acme review", "CREATE_PENDING")] {
        let connection = oidc_connection(title, first_sign_in, &provider.issuer());
        admin.post("/sso/connections", connection).await?;
    }
    let (console, issuer) = (&console, provider.issuer());
    in_browser(|browser| async move {
        // A sign-in the connection refuses comes back to the static host's sign-in page
        // with the reason.
        sso_sign_in(&browser, &console.base, "Acme review", "grace").await?;
        browser
            .wait_for_text("#sso-error [role=alert]", "approval")
            .await?;
        let url = browser.current_url().await?.to_string();
        ensure!(url.starts_with(&format!("{}/login", console.base)), "{url}");

        // One it admits ends in the console on the static host, signed in. (The
        // provider would remember grace: it forgets her first.)
        browser.goto(&issuer).await?;
        browser.delete_all_cookies().await?;
        sso_sign_in(&browser, &console.base, "Acme", "ada").await?;
        let url = browser.wait_for_url("/users").await?;
        ensure!(url.starts_with(&console.base), "{url}");
        browser.wait_for(".whoami[title='ada@example.com']").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_under_a_path_prefix_behind_nginx_sets_up_signs_in_and_writes() -> Result<()> {
    // nginx's port first: the server's public URL (links it prints and mails) names it.
    let port = free_port()?;
    let public = format!("http://127.0.0.1:{port}/admin");
    let app = App::api_behind(&public).await?;
    let proxy = PrefixProxy::start_on(port, &app.base).await?;
    let setup = app
        .setup_url()
        .context("a fresh server prints a setup link")?;
    ensure!(setup.starts_with(&format!("{public}/setup")), "{setup}");

    // A route is the console with its policy; a missing file is not.
    let route = reqwest::get(format!("{public}/groups/new")).await?;
    assert_eq!(route.status(), 200);
    let policy = route.headers()["content-security-policy"]
        .to_str()?
        .to_owned();
    assert!(policy.contains("'sha256-"), "{policy}");
    assert!(route.text().await?.contains(r#"<base href="/admin/" />"#));
    let missing = reqwest::get(format!("{public}/gatehouse-0123456789abcdef.js")).await?;
    assert_eq!(missing.status(), 404);

    let (public, proxy) = (&public, &proxy);
    let scenario = in_browser(|browser| async move {
        // First run through the printed link, then an area's first visit (its code
        // under the prefix) and a write through the proxied API.
        complete_setup(
            &browser,
            &setup,
            (ADMIN_EMAIL, "Behind a proxy", ADMIN_PASSWORD),
        )
        .await?;
        browser.wait_for_url("/admin/users").await?;
        browser.wait_for_text("table tbody", ADMIN_EMAIL).await?;
        create_group_under(&browser, "/admin", "Under a prefix").await?;

        // A deep link loads the whole console again; a list's query stays in its URL.
        browser.goto(&format!("{public}/groups")).await?;
        browser
            .wait_for_text("table tbody", "Under a prefix")
            .await?;
        browser.fill("main [role=search] input", "prefix").await?;
        let url = browser.wait_for_url("search=prefix").await?;
        ensure!(url.starts_with(&format!("{public}/groups?")), "{url}");

        // Signed out, a route sends to the sign-in page, which comes back to it.
        sign_out(&browser).await?;
        browser.goto(&format!("{public}/groups")).await?;
        let url = browser.wait_for_url("/login").await?;
        ensure!(
            url.starts_with(&format!("{public}/login?next=%2Fgroups")),
            "{url}"
        );
        sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        let url = browser.wait_for_url("/groups").await?;
        ensure!(url == format!("{public}/groups"), "{url}");
        browser
            .wait_for_text("table tbody", "Under a prefix")
            .await?;
        Ok(())
    })
    .await;
    if scenario.is_err() {
        eprintln!("nginx's error log:\n{}", proxy.error_log());
    }
    scenario
}

/// Creates a group through the console's own form and waits for its confirmation.
async fn create_group(browser: &thirtyfour::WebDriver, name: &str) -> Result<()> {
    create_group_under(browser, "", name).await
}

/// [`create_group`] for a console under the path prefix `prefix` (`"/admin"`).
async fn create_group_under(
    browser: &thirtyfour::WebDriver,
    prefix: &str,
    name: &str,
) -> Result<()> {
    browser
        .click(&format!("nav a[href='{prefix}/groups']"))
        .await?;
    browser
        .click(&format!("main a[href='{prefix}/groups/new']"))
        .await?;
    browser.fill("#name", name).await?;
    browser.click("form.form button[type=submit]").await?;
    browser
        .wait_for_text(".toast", &format!("The group {name} was created"))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_behind_a_load_balancer_serve_one_console_and_one_goes_away() -> Result<()> {
    // Several API servers share one PostgreSQL database.
    let mut first = App::on_postgres((ADMIN_EMAIL, ADMIN_PASSWORD)).await?;
    let second = first.beside().await?;
    let balancer = RoundRobin::start(&[&first.base, &second.base]).await?;
    let balancer_ref = &balancer;
    let first_ref = &mut first;
    in_browser(|browser| async move {
        browser.goto(&balancer_ref.base).await?;
        browser.wait_for_url("/login").await?;
        sign_in_here(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_text("table tbody", ADMIN_EMAIL).await?;
        create_group(&browser, "Balanced").await?;
        let spread = balancer_ref.connections();
        eprintln!("connections given to each server: {spread:?}");
        ensure!(
            spread.iter().all(|&n| n > 0),
            "both servers took connections from the console: {spread:?}"
        );

        // One server leaves the pool; the console, the session and writes go on.
        first_ref.stop();
        browser.click("nav a[href='/users']").await?;
        browser.wait_for_text("table tbody", ADMIN_EMAIL).await?;
        create_group(&browser, "After one left").await?;
        // A whole new load of the console, from the server that is left.
        browser
            .goto(&format!("{}/groups", balancer_ref.base))
            .await?;
        browser
            .wait_for_text("table tbody", "After one left")
            .await?;
        Ok(())
    })
    .await?;
    let api = Api::sign_in(&second, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let groups = api.get("/groups?per_page=200").await?;
    let names: Vec<&str> = groups["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Balanced") && names.contains(&"After one left"),
        "{names:?}"
    );
    Ok(())
}
