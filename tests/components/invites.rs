//! Component tests of the invites area and choosing a password: addresses checked as
//! they are typed, the password rules ticking, delivery badges, revoke summaries.

use crate::common::{container, session_with, text, texts};
use gatehouse_api::invites::{
    Delivery, DeliveryStatus, MailKind, RevokeOutcome, RevokeResult, RevokeResults,
};
use gatehouse_api::Permission;
use gatehouse_console::components::new_password::NewPasswordFields;
use gatehouse_console::components::status::DeliveryBadge;
use gatehouse_console::forms::FormState;
use gatehouse_console::pages::invites::{revoke_summary, InviteDialog};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

/// Types `value` into the input or textarea matching `css`, as a person would.
fn type_into(root: &HtmlElement, css: &str, value: &str) {
    let element = root.query_selector(css).unwrap().unwrap();
    js_sys::Reflect::set(
        &element,
        &JsValue::from_str("value"),
        &JsValue::from_str(value),
    )
    .unwrap();
    element
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn pasted_addresses_are_checked_before_anything_is_sent() {
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[Permission::InvitesWrite]));
        view! { <InviteDialog open=RwSignal::new(true) on_sent=Callback::new(|()| {}) /> }
    });
    tick().await;
    assert_eq!(text(&root, "button[type=submit]").trim(), "Invite 0 people");
    type_into(
        &root,
        "#emails",
        "ada@example.com; \"Hopper, Grace\" <grace@example.com>\nnope@, ADA@example.com",
    );
    tick().await;
    assert_eq!(
        text(&root, ".address-check p").trim(),
        "2 to invite, 1 not valid, 1 repeated"
    );
    let problems = texts(&root, ".address-problems li");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("nope@"), "{problems:?}");
    assert!(problems[1].contains("Repeated"), "{problems:?}");
    assert_eq!(text(&root, "button[type=submit]").trim(), "Invite 2 people");
    // Without roles:write and groups:write, no roles or groups are offered.
    assert!(root.query_selector(".checklist").unwrap().is_none());
    assert!(root.query_selector(".picker").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_password_rules_tick_as_they_are_met() {
    let root = container();
    let password = RwSignal::new(String::new());
    let _handle = mount_to(root.clone(), move || {
        let form = FormState::default();
        view! {
            <NewPasswordFields field="password" password repeat=RwSignal::new(String::new())
                email="adaada@example.com" form client_errors=Signal::derive(Vec::new) />
        }
    });
    tick().await;
    assert_eq!(texts(&root, ".password-rules li.rule-met").len(), 0);
    password.set("adaadaada".into());
    tick().await;
    assert_eq!(
        texts(&root, ".password-rules li.rule-met").len(),
        0,
        "short, and the address"
    );
    password.set("aaaaaaaaaaaaaaaa".into());
    tick().await;
    assert_eq!(
        texts(&root, ".password-rules li.rule-met").len(),
        2,
        "long, not the address"
    );
    password.set("correct horse battery".into());
    tick().await;
    assert_eq!(texts(&root, ".password-rules li.rule-met").len(), 3);
    assert!(text(&root, ".password-rules").contains("(met)"));
}

fn delivery(status: DeliveryStatus, error: Option<&str>) -> Delivery {
    Delivery {
        id: uuid::Uuid::new_v4(),
        kind: MailKind::Invite,
        to: "ada@example.com".into(),
        status,
        attempts: 2,
        last_error: error.map(str::to_owned),
        next_attempt_at: error.map(|_| "2099-01-01T00:00:00Z".parse().unwrap()),
        created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        sent_at: None,
    }
}

#[wasm_bindgen_test]
async fn a_failed_delivery_says_why_and_when_it_is_tried_again() {
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        view! {
            <div id="failed"><DeliveryBadge delivery=Some(delivery(DeliveryStatus::Failed, Some("Connection refused"))) /></div>
            <div id="sent"><DeliveryBadge delivery=Some(delivery(DeliveryStatus::Sent, None)) /></div>
            <div id="none"><DeliveryBadge delivery=None /></div>
        }
    });
    tick().await;
    assert!(text(&root, "#failed [data-status=FAILED]").contains("Failed"));
    let why = text(&root, "#failed .delivery-error");
    assert!(
        why.contains("Connection refused") && why.contains("Next try"),
        "{why}"
    );
    assert!(text(&root, "#sent [data-status=SENT]").contains("Sent"));
    assert!(root
        .query_selector("#sent .delivery-error")
        .unwrap()
        .is_none());
    assert!(text(&root, "#none").contains("Not mailed"));
}

#[wasm_bindgen_test]
fn revoking_many_says_what_happened_to_each() {
    let result = |outcomes: &[RevokeOutcome]| RevokeResults {
        results: outcomes
            .iter()
            .map(|&outcome| RevokeResult {
                id: uuid::Uuid::new_v4(),
                outcome,
            })
            .collect(),
    };
    assert_eq!(
        revoke_summary(&result(&[RevokeOutcome::Revoked])),
        "1 invite revoked."
    );
    assert_eq!(
        revoke_summary(&result(&[
            RevokeOutcome::Revoked,
            RevokeOutcome::Revoked,
            RevokeOutcome::NotPending,
            RevokeOutcome::NotFound,
        ])),
        "2 invites revoked; 1 was no longer pending; 1 no longer exists."
    );
}
