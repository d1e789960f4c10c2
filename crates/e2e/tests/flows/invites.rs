//! End to end with a real SMTP server (maildev): inviting people from the console and
//! joining through the mailed link, resent and expired links, a forgotten password
//! chosen again by link, and mail that fails while the SMTP server is down.

use anyhow::{Context, Result};
use gatehouse_e2e::{
    eventually, in_browser, link_in, sign_in, sign_out, Api, App, MailServer, PageExt,
};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "a long setup passphrase";
const NEW_PASSWORD: &str = "a fresh passphrase of mine";

/// The id of a new group named `name` granting the roles `role_ids`.
async fn group(api: &Api, name: &str, role_ids: &[&str]) -> Result<String> {
    let created = api
        .post("/groups", json!({"name": name, "role_ids": role_ids}))
        .await?;
    Ok(created["data"]["id"]
        .as_str()
        .context("group id")?
        .to_owned())
}

/// The invite to `email`, as the invites list shows it.
async fn invite_of(api: &Api, email: &str) -> Result<Value> {
    let list = api.get(&format!("/invites?search={email}")).await?;
    list["data"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["email"] == email))
        .cloned()
        .with_context(|| format!("no invite for {email}"))
}

/// Whether the API takes a token (a live session).
async fn session_works(app: &App, token: &str) -> Result<bool> {
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await?;
    Ok(response.status().is_success())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_people_are_invited_and_one_joins_through_the_mailed_link() -> Result<()> {
    let mail = MailServer::start().await;
    let app = App::with_mail((ADMIN_EMAIL, ADMIN_PASSWORD), &mail).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let viewer = admin.role_id("Viewer").await?;
    group(&admin, "Engineering", &[]).await?;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.click(".sidebar a[href='/invites']").await?;
        browser.wait_for_text(".empty h2", "No invites yet").await?;
        browser.click_text(".page-header button", "Invite people").await?;
        browser
            .fill(
                "#emails",
                "ada@example.com, Grace Hopper <grace@example.com>, not-an-address, ADA@example.com",
            )
            .await?;
        // Checked as typed, before anything is sent.
        browser.wait_for_text(".address-check", "2 to invite, 1 not valid, 1 repeated").await?;
        browser.wait_for_text(".address-problems", "not-an-address").await?;
        browser.click(&format!("#role-{viewer}")).await?;
        browser.fill(".invite-form .picker input[type=search]", "Engin").await?;
        browser.click("button[aria-label='Choose Engineering']").await?;
        browser.wait_for_text(".chosen-groups", "Engineering").await?;
        browser.click_text("button[type=submit]", "Invite 2 people").await?;
        browser.wait_for_text(".invite-summary [role=status]", "2 invited").await?;
        browser.wait_for_text(".invite-summary", "Not an address").await?;
        browser.wait_for_text(".invite-summary", "Repeated in the list").await?;
        browser.click_text(".invite-summary button", "Done").await?;
        browser.wait_for_text("table", "grace@example.com").await?;

        // Both mails arrive, naming the organisation and who invited.
        let ada_mail = mail.wait_for("ada@example.com", 1).await;
        mail.wait_for("grace@example.com", 1).await;
        assert!(ada_mail[0]["html"].as_str().unwrap_or_default().contains("<a "));
        let text = ada_mail[0]["text"].as_str().unwrap_or_default();
        assert!(text.contains(ADMIN_EMAIL) || text.contains("invited you"), "{text}");
        browser.refresh().await?;
        browser.wait_for("[data-status=SENT]").await?;

        // Ada follows her link, chooses a password and is signed in.
        sign_out(&browser).await?;
        browser.goto(&link_in(&ada_mail[0])).await?;
        browser.wait_for_text("h1", "Join").await?;
        browser.wait_for_text("form", "invited you").await?;
        browser.fill("#given_name", "Ada").await?;
        browser.fill("#family_name", "Lovelace").await?;
        browser.fill("#password", "short").await?;
        browser.wait_for_text(".password-rules", "12 to 128 characters").await?;
        browser.fill("#password", NEW_PASSWORD).await?;
        browser.fill("#repeat_password", NEW_PASSWORD).await?;
        browser.click_text("button[type=submit]", "Accept and sign in").await?;
        browser.wait_for_url("/account").await?;

        // She holds the role and the group, and her invite says whom it became.
        let ada = Api::sign_in(&app, "ada@example.com", NEW_PASSWORD).await?;
        let me = ada.http.get(app.url("/api/v1/auth/me")).bearer_auth(&ada.token).send().await?.json::<Value>().await?;
        let id = me["data"]["user"]["id"].as_str().context("id")?.to_owned();
        let roles = admin.get(&format!("/users/{id}/roles")).await?;
        assert!(roles.to_string().contains("Viewer"), "{roles}");
        let groups = admin.get(&format!("/users/{id}/groups")).await?;
        assert!(groups.to_string().contains("Engineering"), "{groups}");
        let invite = invite_of(&admin, "ada@example.com").await?;
        assert_eq!(invite["status"], "ACCEPTED");
        assert_eq!(invite["user"]["email"], "ada@example.com");

        // The link worked once.
        browser.goto(&link_in(&ada_mail[0])).await?;
        browser.wait_for_text("h1", "no longer valid").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn resent_and_expired_links_say_they_are_no_longer_valid() -> Result<()> {
    let mail = MailServer::start().await;
    let app = App::with_mail((ADMIN_EMAIL, ADMIN_PASSWORD), &mail).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    admin
        .post(
            "/invites",
            json!({"emails": ["bob@example.com", "old@example.com"]}),
        )
        .await?;
    let first = link_in(&mail.wait_for("bob@example.com", 1).await[0]);
    let old = link_in(&mail.wait_for("old@example.com", 1).await[0]);
    // Time passes for one of them.
    let pool = sqlx::SqlitePool::connect(&app.database).await?;
    sqlx::query("UPDATE invites SET expires_at = 0 WHERE email = 'old@example.com'")
        .execute(&pool)
        .await?;
    pool.close().await;
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.goto(&app.url("/invites?status=PENDING")).await?;
        browser.wait_for_text("table", "bob@example.com").await?;
        browser
            .click("button[aria-label='Resend the invite to bob@example.com']")
            .await?;
        browser
            .wait_for_text(".dialog", "Earlier links for this invite no longer work")
            .await?;
        // With mail, the new link goes to Bob alone: the dialog has none to copy.
        assert!(browser
            .find_all(By::Css("dialog[open] .copy-link"))
            .await?
            .is_empty());
        browser.click_text(".dialog button", "Done").await?;
        let second = link_in(&mail.wait_for("bob@example.com", 2).await[1]);
        assert_ne!(first, second);

        sign_out(&browser).await?;
        browser.goto(&first).await?;
        browser
            .wait_for_text("h1", "This invitation is no longer valid")
            .await?;
        browser
            .wait_for_text("main", "Ask the person who invited you")
            .await?;
        browser.goto(&old).await?;
        browser
            .wait_for_text("h1", "This invitation is no longer valid")
            .await?;
        browser.goto(&second).await?;
        browser.wait_for_text("h1", "Join").await?;
        // A link cut short gets its own page, not an error.
        browser.goto(&app.url("/invite")).await?;
        browser.wait_for_text("h1", "incomplete").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_password_is_chosen_again_through_the_mailed_link() -> Result<()> {
    let mail = MailServer::start().await;
    let app = App::with_mail((ADMIN_EMAIL, ADMIN_PASSWORD), &mail).await?;
    let admin = Api::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let old_password = "the password I forgot";
    admin
        .create_user(json!({"email": "carol@example.com", "password": old_password}))
        .await?;
    let elsewhere = Api::sign_in(&app, "carol@example.com", old_password).await?;
    in_browser(|browser| async move {
        browser.goto(&app.url("/login")).await?;
        browser.click_text("a", "Forgot password?").await?;
        browser.wait_for_url("/forgot-password").await?;
        browser.fill("#email", "carol@example.com").await?;
        browser
            .click_text("button[type=submit]", "Send the link")
            .await?;
        browser.wait_for_text("h1", "Check your email").await?;
        let message = mail.wait_for("carol@example.com", 1).await;
        browser.goto(&link_in(&message[0])).await?;
        browser.wait_for_text("form", "carol@example.com").await?;
        browser.fill("#new_password", NEW_PASSWORD).await?;
        browser
            .fill("#repeat_password", "something else entirely")
            .await?;
        browser
            .click_text("button[type=submit]", "Set password")
            .await?;
        browser
            .wait_for_text(".field-error", "do not match")
            .await?;
        browser.fill("#repeat_password", NEW_PASSWORD).await?;
        browser
            .click_text("button[type=submit]", "Set password")
            .await?;
        browser.wait_for_text("h1", "Your password is set").await?;

        // The new password works, the old one does not, the other session ended.
        assert!(Api::sign_in(&app, "carol@example.com", old_password)
            .await
            .is_err());
        assert!(!session_works(&app, &elsewhere.token).await?);
        browser.click_text("a", "Sign in").await?;
        browser.fill("#email", "carol@example.com").await?;
        browser.fill("#password", NEW_PASSWORD).await?;
        browser.click("form button[type=submit]").await?;
        eventually("Carol to be signed in", || async {
            Ok(!browser.current_url().await?.path().starts_with("/login"))
        })
        .await?;
        // The link worked once.
        browser.goto(&link_in(&message[0])).await?;
        browser.wait_for_text("h1", "no longer valid").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_that_cannot_leave_shows_failed_and_goes_once_the_server_is_back() -> Result<()> {
    let mut mail = MailServer::start().await;
    let app = App::with_mail((ADMIN_EMAIL, ADMIN_PASSWORD), &mail).await?;
    mail.stop();
    in_browser(|browser| async move {
        sign_in(&browser, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        browser.wait_for_url("/users").await?;
        browser.goto(&app.url("/invites")).await?;
        browser
            .click_text(".page-header button", "Invite people")
            .await?;
        browser.fill("#emails", "dan@example.com").await?;
        browser
            .click_text("button[type=submit]", "Invite 1 person")
            .await?;
        browser
            .wait_for_text(".invite-summary [role=status]", "1 invited")
            .await?;
        browser.click_text(".invite-summary button", "Done").await?;
        // The invite exists; its mail failed, and the list says why.
        eventually("the delivery to show as failed", || async {
            browser.refresh().await?;
            browser.wait_for("table").await?;
            Ok(!browser
                .find_all(By::Css("[data-status=FAILED]"))
                .await?
                .is_empty())
        })
        .await?;
        browser.wait_for(".delivery-error").await?;

        mail = MailServer::start_on(mail.smtp_port).await;
        browser
            .click("button[aria-label='Resend the invite to dan@example.com']")
            .await?;
        browser.click_text(".dialog button", "Done").await?;
        let arrived = mail.wait_for("dan@example.com", 1).await;
        assert!(link_in(&arrived[0]).contains("/invite#code="));
        eventually("the delivery to show as sent", || async {
            browser.refresh().await?;
            browser.wait_for("table").await?;
            Ok(!browser
                .find_all(By::Css("[data-status=SENT]"))
                .await?
                .is_empty())
        })
        .await?;
        Ok(())
    })
    .await
}
