//! Component tests of the account area: the QR code, the change-password form, the
//! requirement gate, and controls blocked by a stronger target.

use crate::common::{container, session_with, text, texts};
use gatehouse_api::auth::{QrModules, Requirement};
use gatehouse_api::endpoints;
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::Permission;
use gatehouse_console::components::guarded::GuardedButton;
use gatehouse_console::components::toast::Toasts;
use gatehouse_console::pages::account::mfa::QrCode;
use gatehouse_console::pages::account::RequirementGate;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn the_qr_code_draws_one_square_per_dark_module_inside_a_quiet_zone() {
    let root = container();
    let qr = QrModules {
        size: 3,
        rows: vec!["101".into(), "000".into(), "011".into()],
    };
    let _handle = mount_to(root.clone(), move || view! { <QrCode qr=qr.clone() /> });
    tick().await;
    let svg = root.query_selector("svg.qr").unwrap().unwrap();
    assert_eq!(svg.get_attribute("viewBox").as_deref(), Some("0 0 11 11"));
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    let path = root
        .query_selector("svg.qr path")
        .unwrap()
        .unwrap()
        .get_attribute("d")
        .unwrap();
    assert_eq!(path, "M4 4h1v1h-1zM6 4h1v1h-1zM5 6h1v1h-1zM6 6h1v1h-1z");
}

#[wasm_bindgen_test]
async fn a_required_password_change_shows_only_the_form_and_checks_it_locally() {
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[]));
        provide_context(Toasts::default());
        view! { <RequirementGate requirement=Requirement::PasswordChange /> }
    });
    tick().await;
    assert_eq!(text(&root, "h1"), "Choose a new password");
    assert!(text(&root, "section p").contains("an administrator asked you to"));
    let fill = |id: &str, value: &str| {
        let input: web_sys::HtmlInputElement = root
            .query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into();
        input.set_value(value);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    fill("current_password", "the old phrase here");
    fill("new_password", "a brand new phrase");
    fill("repeat_password", "a brand new phrasf");
    let form: web_sys::HtmlFormElement = root
        .query_selector("form")
        .unwrap()
        .unwrap()
        .unchecked_into();
    form.request_submit().unwrap();
    tick().await;
    let shown: Vec<String> = texts(&root, ".field-error")
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(
        shown,
        ["The passwords do not match."],
        "the mismatch is caught before anything is sent"
    );
}

#[wasm_bindgen_test]
async fn a_stronger_target_blocks_a_control_with_its_reason() {
    let root = container();
    let editor = BuiltinRole::EDITOR.permissions();
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&editor));
        let reason = Signal::derive(|| {
            Some(
                "You cannot change this user: they hold permissions you do not (roles:write)."
                    .to_owned(),
            )
        });
        view! {
            <GuardedButton label="Set password" endpoint=endpoints::USERS_RESET_PASSWORD
                blocked=reason on_click=Callback::new(|()| {}) />
            <GuardedButton label="Grant roles" endpoint=endpoints::USERS_SET_ROLES
                blocked=reason on_click=Callback::new(|()| {}) />
        }
    });
    tick().await;
    let buttons = root.query_selector_all("button").unwrap();
    let button = |i| -> web_sys::HtmlButtonElement { buttons.item(i).unwrap().unchecked_into() };
    assert!(button(0).disabled());
    assert!(button(0)
        .title()
        .contains("they hold permissions you do not"));
    // A missing permission is said first: it is what the administrator can act on.
    assert!(button(1).disabled());
    assert_eq!(
        button(1).title(),
        format!("Needs the {} permission", Permission::RolesWrite)
    );
}
