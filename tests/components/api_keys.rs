//! Component tests of API keys: expiry choices within the tenant's maximum with the exact
//! day, "Never" only without a limit, the dialog against a stand-in for the server (its
//! 422 under the fields, the secret once with a curl example, asking before an uncopied
//! secret is lost), the permission subset, the expiring-soon flag, revoke summaries.

use std::collections::BTreeSet;

use crate::common::{
    button, container, element, fake_server, now, problem, sent_bodies, session_with, set_value,
    single, text, texts, until,
};
use chrono::Duration;
use gatehouse_api::api_keys::{
    ApiKey, ApiKeyStatus, CreatedApiKey, KeyRevokeOutcome, KeyRevokeResult, KeyRevokeResults,
};
use gatehouse_api::auth::{MfaPolicy, SecuritySettings};
use gatehouse_api::users::UserRef;
use gatehouse_api::{FieldError, Meta, Page, Pagination, Permission, Problem};
use gatehouse_console::components::status::KeyExpiry;
use gatehouse_console::components::toast::{ToastHost, Toasts};
use gatehouse_console::pages::api_keys::{
    key_revoke_summary, ExpiryPicker, KeyLimit, KeyList, KeysOf, NewApiKeyDialog,
};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

/// The day as a person reads it, written here independently of the console.
fn day_in(days: i64) -> String {
    (now() + Duration::days(days))
        .format("%-d %b %Y")
        .to_string()
}

fn option_labels(root: &HtmlElement) -> Vec<String> {
    texts(root, "#key-expiry option")
}

#[wasm_bindgen_test]
async fn expiry_presets_respect_the_tenant_maximum_and_say_the_exact_day() {
    let root = container();
    let limit = RwSignal::new(KeyLimit::Days(30));
    let choice = RwSignal::new("30".to_owned());
    let date = RwSignal::new(String::new());
    let _handle = mount_to(
        root.clone(),
        move || view! { <ExpiryPicker limit choice date /> },
    );
    tick().await;
    assert_eq!(option_labels(&root), ["7 days", "30 days", "On a date…"]);
    assert_eq!(
        text(&root, "#key-expiry-summary"),
        format!("Expires on {}", day_in(30))
    );
    set_value(&root, "#key-expiry", "7", "change");
    tick().await;
    assert_eq!(
        text(&root, "#key-expiry-summary"),
        format!("Expires on {}", day_in(7))
    );

    // A maximum that is none of the presets is offered as itself.
    limit.set(KeyLimit::Days(100));
    tick().await;
    assert_eq!(
        option_labels(&root),
        [
            "7 days",
            "30 days",
            "90 days",
            "100 days (the longest allowed)",
            "On a date…"
        ]
    );
    // A maximum below the current choice moves it to what is still allowed.
    choice.set("90".into());
    limit.set(KeyLimit::Days(30));
    tick().await;
    assert_eq!(choice.get_untracked(), "30");

    // A date: the field appears, and the summary names that day.
    set_value(&root, "#key-expiry", "date", "change");
    tick().await;
    assert_eq!(
        text(&root, "#key-expiry-summary"),
        "Choose the last day the key works."
    );
    set_value(&root, "#key-expires-on", "2031-05-04", "input");
    tick().await;
    assert_eq!(text(&root, "#key-expiry-summary"), "Expires on 4 May 2031");
}

#[wasm_bindgen_test]
async fn never_is_offered_only_when_the_tenant_has_no_limit() {
    let root = container();
    let limit = RwSignal::new(KeyLimit::Days(365));
    let choice = RwSignal::new("30".to_owned());
    let _handle = mount_to(root.clone(), move || {
        view! { <ExpiryPicker limit choice date=RwSignal::new(String::new()) /> }
    });
    tick().await;
    assert!(!option_labels(&root).contains(&"Never".to_owned()));
    limit.set(KeyLimit::None);
    tick().await;
    assert_eq!(
        option_labels(&root),
        [
            "7 days",
            "30 days",
            "90 days",
            "365 days",
            "On a date…",
            "Never"
        ]
    );
    set_value(&root, "#key-expiry", "never", "change");
    tick().await;
    assert_eq!(text(&root, "#key-expiry-summary"), "Never expires");
    // Settings that could not be read: the usual presets, never "Never".
    limit.set(KeyLimit::Unknown);
    tick().await;
    assert_eq!(
        option_labels(&root),
        ["7 days", "30 days", "90 days", "365 days", "On a date…"]
    );
    assert_eq!(choice.get_untracked(), "30", "Never is no longer a choice");
}

fn sample_key(status: ApiKeyStatus, expires_in_days: Option<i64>) -> ApiKey {
    let owner = UserRef {
        id: uuid::Uuid::new_v4(),
        email: "me@example.com".into(),
        name: "Me".into(),
    };
    ApiKey {
        id: uuid::Uuid::new_v4(),
        tenant_id: "default".into(),
        name: "CI deploy".into(),
        prefix: "abcd1234".into(),
        owner,
        created_by: None,
        created_at: now() - Duration::days(1),
        expires_at: expires_in_days.map(|d| now() + Duration::days(d)),
        last_used_at: None,
        status,
        revoked_at: None,
        revoked_by: None,
        revoked_reason: None,
        permissions: None,
        version: 1,
    }
}

fn settings(max_days: Option<u32>) -> String {
    single(SecuritySettings {
        mfa_policy: MfaPolicy::Optional,
        mfa_role_ids: BTreeSet::new(),
        api_key_max_days: max_days,
        audit_retention_days: 365,
        version: 1,
    })
}

#[wasm_bindgen_test]
async fn the_dialog_keeps_to_the_tenant_maximum_and_shows_422s_under_their_fields() {
    let problem = serde_json::to_string(&Problem {
        kind: "https://gatehouse.dev/problems/validation".into(),
        title: "Some fields are not valid".into(),
        status: 422,
        detail: None,
        errors: vec![FieldError::new(
            "expires",
            "This tenant's keys must expire within 30 days.",
        )],
        missing_permission: None,
        request_id: None,
    })
    .unwrap();
    fake_server(&[
        ("GET", "/settings/security", 200, settings(Some(30))),
        ("POST", "/auth/me/api-keys", 422, problem),
    ]);
    let root = container();
    let open = RwSignal::new(true);
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[Permission::UsersRead]));
        provide_context(Toasts::default());
        let held = Signal::derive(|| Some(BTreeSet::from([Permission::UsersRead])));
        view! { <NewApiKeyDialog open held on_created=Callback::new(|()| {}) /> }
    });
    until("the tenant's maximum", || {
        option_labels(&root) == ["7 days", "30 days", "On a date…"]
    })
    .await;

    // Nothing is sent without a name.
    button(&root, "Create key").click();
    tick().await;
    assert!(
        text(&root, "#key-name-error").contains("Name the key"),
        "{}",
        text(&root, "#key-name-error")
    );
    assert!(sent_bodies().is_empty());

    set_value(&root, "#key-name", "CI deploy", "input");
    button(&root, "Create key").click();
    until("the server's objection", || {
        texts(&root, ".field-invalid .field-error")
            .iter()
            .any(|e| e.contains("within 30 days"))
    })
    .await;
    // Under the expiry menu, which it is about.
    assert_eq!(
        text(&root, ".field-invalid:has(#key-expiry) .field-error"),
        "This tenant's keys must expire within 30 days."
    );
    assert_eq!(
        element(&root, "#key-expiry")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    let sent: serde_json::Value = serde_json::from_str(&sent_bodies()[0]).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"name": "CI deploy", "expires": {"in_days": 30}})
    );
    // What was typed stays.
    let name: HtmlInputElement = element(&root, "#key-name").unchecked_into();
    assert_eq!(name.value(), "CI deploy");
    assert!(open.get_untracked());
}

#[wasm_bindgen_test]
async fn the_permission_subset_offers_only_what_the_owner_holds() {
    fake_server(&[("GET", "/settings/security", 200, settings(None))]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[
            Permission::UsersRead,
            Permission::UsersWrite,
            Permission::ApiKeysRead,
        ]));
        provide_context(Toasts::default());
        let held = Signal::derive(|| {
            Some(BTreeSet::from([
                Permission::UsersRead,
                Permission::ApiKeysRead,
            ]))
        });
        view! { <NewApiKeyDialog open=RwSignal::new(true) owner=uuid::Uuid::new_v4() held on_created=Callback::new(|()| {}) /> }
    });
    until("no limit", || {
        option_labels(&root).contains(&"Never".to_owned())
    })
    .await;
    assert!(root.query_selector(".permission-picker").unwrap().is_none());
    element(&root, "#key-limit-permissions").click();
    tick().await;
    let offered = root
        .query_selector_all(".permission-picker input[type=checkbox]")
        .unwrap()
        .length();
    assert_eq!(offered, 2, "only what the owner holds");
    assert!(root
        .query_selector("input[value='users:write']")
        .unwrap()
        .is_none());
    assert_eq!(
        texts(&root, ".permission-picker legend"),
        ["Users", "API keys"]
    );
    // Limited to nothing is refused before anything is sent.
    set_value(&root, "#key-name", "Reports", "input");
    button(&root, "Create key").click();
    tick().await;
    assert!(text(&root, "#key-permissions-error").contains("at least one permission"));
    assert!(sent_bodies().is_empty());
}

#[wasm_bindgen_test]
async fn the_secret_shows_once_with_a_curl_example_and_closing_uncopied_asks_first() {
    let secret = format!("gh_abcd1234_{}", "A".repeat(40));
    let created = single(CreatedApiKey {
        key: sample_key(ApiKeyStatus::Active, Some(30)),
        secret: secret.clone(),
    });
    fake_server(&[
        ("GET", "/settings/security", 200, settings(Some(365))),
        ("POST", "/auth/me/api-keys", 201, created),
    ]);
    let root = container();
    let open = RwSignal::new(true);
    let made = RwSignal::new(0);
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[]));
        provide_context(Toasts::default());
        view! {
            <NewApiKeyDialog open held=Signal::derive(|| Some(BTreeSet::new()))
                on_created=Callback::new(move |()| made.update(|n| *n += 1)) />
        }
    });
    until("the presets", || option_labels(&root).len() == 5).await;
    set_value(&root, "#key-name", "CI deploy", "input");
    button(&root, "Create key").click();
    until("the secret", || {
        root.query_selector("#api-key-secret").unwrap().is_some()
    })
    .await;
    assert_eq!(made.get_untracked(), 1);
    let field: HtmlInputElement = element(&root, "#api-key-secret").unchecked_into();
    assert_eq!(field.value(), secret);
    assert!(field.read_only());
    assert!(text(&root, ".created-key").contains("will not be shown again"));
    let origin = window().location().origin().unwrap();
    assert_eq!(
        text(&root, "#api-key-curl"),
        format!("curl -H \"Authorization: Bearer {secret}\" {origin}/api/v1/auth/me")
    );
    assert!(text(&root, "#api-key-facts").contains(&format!("Expires on {}", day_in(30))));

    // Done without copying: asks, and the key stays on screen.
    button(&root, "Done").click();
    tick().await;
    assert!(open.get_untracked());
    assert_eq!(
        text(&root, "#confirm-close-title"),
        "Close without copying the key?"
    );
    button(&root, "Back to the key").click();
    tick().await;
    assert!(root.query_selector(".confirm-close").unwrap().is_none());
    // The dialog's own close button asks too.
    button(&root, "Close").click();
    tick().await;
    assert!(open.get_untracked());
    assert!(root.query_selector(".confirm-close").unwrap().is_some());
    button(&root, "Close without copying").click();
    tick().await;
    assert!(!open.get_untracked());

    // Next time the dialog starts afresh; a copied key closes without a question.
    open.set(true);
    tick().await;
    let name: HtmlInputElement = element(&root, "#key-name").unchecked_into();
    assert_eq!(name.value(), "");
    set_value(&root, "#key-name", "Nightly", "input");
    button(&root, "Create key").click();
    until("the second secret", || {
        root.query_selector("#api-key-secret").unwrap().is_some()
    })
    .await;
    element(&root, "#api-key-secret")
        .dispatch_event(&web_sys::Event::new("copy").unwrap())
        .unwrap();
    button(&root, "Done").click();
    tick().await;
    assert!(!open.get_untracked());
}

#[wasm_bindgen_test]
async fn a_key_expiring_within_seven_days_is_flagged() {
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        view! {
            <div id="soon"><KeyExpiry key=sample_key(ApiKeyStatus::Active, Some(3)) /></div>
            <div id="later"><KeyExpiry key=sample_key(ApiKeyStatus::Active, Some(30)) /></div>
            <div id="revoked"><KeyExpiry key=sample_key(ApiKeyStatus::Revoked, Some(3)) /></div>
            <div id="never"><KeyExpiry key=sample_key(ApiKeyStatus::Active, None) /></div>
        }
    });
    tick().await;
    assert!(text(&root, "#soon [data-status=EXPIRING_SOON]").contains("Expires soon"));
    assert!(
        text(&root, "#soon time").contains("in 2 days")
            || text(&root, "#soon time").contains("in 3 days")
    );
    for quiet in ["#later", "#revoked", "#never"] {
        assert!(
            root.query_selector(&format!("{quiet} [data-status=EXPIRING_SOON]"))
                .unwrap()
                .is_none(),
            "{quiet}"
        );
    }
    assert_eq!(text(&root, "#never").trim(), "Never");
}

#[wasm_bindgen_test]
fn revoking_many_keys_says_what_happened_to_each() {
    let result = |outcomes: &[KeyRevokeOutcome]| KeyRevokeResults {
        results: outcomes
            .iter()
            .map(|&outcome| KeyRevokeResult {
                id: uuid::Uuid::new_v4(),
                outcome,
            })
            .collect(),
    };
    assert_eq!(
        key_revoke_summary(&result(&[KeyRevokeOutcome::Revoked])),
        "1 key revoked."
    );
    assert_eq!(
        key_revoke_summary(&result(&[
            KeyRevokeOutcome::Revoked,
            KeyRevokeOutcome::Revoked,
            KeyRevokeOutcome::NotActive,
            KeyRevokeOutcome::NotFound,
        ])),
        "2 keys revoked; 1 was already revoked or expired; 1 no longer exists."
    );
    assert_eq!(
        key_revoke_summary(&result(&[KeyRevokeOutcome::NotActive])),
        "0 keys revoked; 1 was already revoked or expired."
    );
}

#[wasm_bindgen_test]
async fn the_tenant_list_shows_each_key_and_revokes_one_with_a_reason() {
    let soon = sample_key(ApiKeyStatus::Active, Some(3));
    let mut revoked = sample_key(ApiKeyStatus::Revoked, None);
    revoked.name = "Old laptop".into();
    revoked.prefix = "zzzz9999".into();
    let page = serde_json::to_string(&Page {
        data: vec![soon.clone(), revoked],
        pagination: Pagination::new(1, 25, 2),
        meta: Meta {
            request_id: "test".into(),
            timestamp: now(),
        },
    })
    .unwrap();
    let mut after = soon.clone();
    after.status = ApiKeyStatus::Revoked;
    fake_server(&[
        ("GET", "/api-keys", 200, page),
        (
            "POST",
            &format!("/api-keys/{}/revoke", soon.id),
            200,
            single(after),
        ),
    ]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[
            Permission::ApiKeysRead,
            Permission::ApiKeysWrite,
        ]));
        provide_context(Toasts::default());
        view! { <Router><KeyList of=KeysOf::Tenant /><ToastHost /></Router> }
    });
    until("the keys", || texts(&root, "tbody tr").len() == 2).await;
    assert_eq!(
        texts(&root, "thead th")[1..],
        [
            "Owner",
            "Name",
            "Key",
            "Created",
            "Last used",
            "Expires",
            "Status",
            "Actions"
        ]
    );
    assert_eq!(
        texts(&root, ".key-prefix"),
        ["gh_abcd1234_…", "gh_zzzz9999_…"]
    );
    assert_eq!(
        texts(&root, "[data-status=EXPIRING_SOON]").len(),
        1,
        "only the active key about to expire"
    );
    assert_eq!(
        texts(&root, "tbody [data-status]")
            .into_iter()
            .filter(|t| t == "Active" || t == "Revoked")
            .collect::<Vec<_>>(),
        ["Active", "Revoked"]
    );
    // Only the active key can be renamed or revoked.
    assert_eq!(texts(&root, ".row-actions button"), ["Rename", "Revoke"]);

    button(&root, "Revoke the key CI deploy").click();
    tick().await;
    assert!(text(&root, "dialog[open]").contains("gh_abcd1234_…"));
    set_value(&root, "#revoke-reason", "Leaked in a build log", "input");
    button(&root, "Revoke key").click();
    until("the confirmation", || {
        texts(&root, ".toast span")
            .iter()
            .any(|t| t == "The key \u{201c}CI deploy\u{201d} was revoked.")
    })
    .await;
    assert!(sent_bodies().contains(&r#"{"reason":"Leaked in a build log"}"#.to_owned()));
    assert!(root.query_selector("dialog[open]").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn renaming_a_key_someone_renamed_meanwhile_keeps_what_was_typed() {
    let key = sample_key(ApiKeyStatus::Active, Some(30));
    let page = serde_json::to_string(&Page {
        data: vec![key.clone()],
        pagination: Pagination::new(1, 25, 1),
        meta: Meta {
            request_id: "test".into(),
            timestamp: now(),
        },
    })
    .unwrap();
    let stale = problem(
        412,
        gatehouse_api::problem::kinds::STALE_VERSION,
        "Someone else changed it.",
    );
    fake_server(&[
        ("GET", "/api-keys", 200, page),
        ("PATCH", &format!("/api-keys/{}", key.id), 412, stale),
    ]);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[
            Permission::ApiKeysRead,
            Permission::ApiKeysWrite,
        ]));
        provide_context(Toasts::default());
        view! { <Router><KeyList of=KeysOf::Tenant /><ToastHost /></Router> }
    });
    until("the key", || texts(&root, "tbody tr").len() == 1).await;
    button(&root, "Rename the key CI deploy").click();
    until("the dialog with the current name", || {
        root.query_selector("#key-rename")
            .unwrap()
            .map(|f| f.unchecked_into::<web_sys::HtmlInputElement>().value())
            .as_deref()
            == Some("CI deploy")
    })
    .await;
    set_value(&root, "#key-rename", "CI deploy (staging)", "input");
    tick().await;
    button(&root, "Save name").click();
    until("the stale-version message", || {
        text(&root, "dialog[open]").contains("Someone else changed this key")
    })
    .await;
    let field = element(&root, "#key-rename").unchecked_into::<web_sys::HtmlInputElement>();
    assert_eq!(field.value(), "CI deploy (staging)");
    assert_eq!(
        sent_bodies().last().map(String::as_str),
        Some(r#"{"name":"CI deploy (staging)"}"#)
    );
}
