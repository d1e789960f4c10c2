//! Component tests of the users area: the table, the form, errors under fields.

use crate::common::{container, text, texts, user};
use gatehouse_api::query::SortOrder;
use gatehouse_api::users::{UserSortBy, UserStatus};
use gatehouse_api::{FieldError, Problem};
use gatehouse_console::api::ApiError;
use gatehouse_console::forms::FormState;
use gatehouse_console::pages::users::{SortState, UserDraft, UserForm, UsersTable};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

#[wasm_bindgen_test]
async fn users_table_renders_rows_badges_and_sort_state() {
    let root = container();
    let sorted = RwSignal::new(None::<SortState>);
    let users = vec![
        user("ada@example.com", "Ada Lovelace", UserStatus::Active, true),
        user("mallory@example.com", "Mallory", UserStatus::Locked, false),
    ];
    let ids: Vec<_> = users.iter().map(|u| u.id).collect();
    let _handle = mount_to(root.clone(), move || {
        view! {
            <Router>
                <UsersTable
                    users=users.clone()
                    sort=SortState { by: UserSortBy::Email, order: SortOrder::Asc }
                    on_sort=Callback::new(move |s| sorted.set(Some(s)))
                />
            </Router>
        }
    });
    tick().await;

    assert_eq!(
        texts(&root, "tbody .cell-email"),
        ["ada@example.com", "mallory@example.com"]
    );
    assert_eq!(texts(&root, "tbody .badge"), ["Active", "Locked"]);
    let badges = root.query_selector_all("tbody .badge").unwrap();
    let class = |i| {
        badges
            .item(i)
            .unwrap()
            .unchecked_into::<web_sys::Element>()
            .class_name()
    };
    assert!(class(0).contains("badge-ok") && class(1).contains("badge-danger"));
    let href = root
        .query_selector("tbody a")
        .unwrap()
        .unwrap()
        .get_attribute("href")
        .unwrap();
    assert_eq!(href, format!("/users/{}", ids[0]));
    assert_eq!(texts(&root, "tbody td:nth-child(5)"), ["On", "Off"]);
    assert_eq!(texts(&root, "tbody td:nth-child(6)"), ["Never", "Never"]);

    // The sorted column says so to screen readers; clicking it flips the direction.
    let headers = root.query_selector_all("thead th").unwrap();
    let email_header: web_sys::Element = headers.item(0).unwrap().unchecked_into();
    assert_eq!(
        email_header.get_attribute("aria-sort").as_deref(),
        Some("ascending")
    );
    email_header
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    assert_eq!(
        sorted.get_untracked(),
        Some(SortState {
            by: UserSortBy::Email,
            order: SortOrder::Desc
        })
    );
    // Another column starts in its natural direction (newest first for times).
    let created: web_sys::Element = headers.item(6).unwrap().unchecked_into();
    created
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    assert_eq!(
        sorted.get_untracked(),
        Some(SortState {
            by: UserSortBy::CreatedAt,
            order: SortOrder::Desc
        })
    );
}

#[wasm_bindgen_test]
async fn user_form_shows_rule_errors_under_fields_after_submit() {
    let root = container();
    let draft = UserDraft::default();
    let form = FormState::default();
    let submitted = RwSignal::new(0);
    let _handle = mount_to(root.clone(), move || {
        let client_errors =
            Signal::derive(move || draft.to_create().validate().err().unwrap_or_default());
        view! {
            <UserForm
                draft
                form
                client_errors
                with_password=true
                pending=false
                submit_label="Create user"
                pending_label="Creating…"
                on_submit=Callback::new(move |()| {
                    form.begin();
                    submitted.update(|n| *n += 1);
                })
            />
        }
    });
    draft.email.set("not-an-email".into());
    draft.phone.set("call me".into());
    tick().await;
    // Nothing is shown before the field is left or the form submitted.
    assert_eq!(text(&root, "#email-error"), "");

    root.query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
    assert_eq!(submitted.get_untracked(), 1);
    assert_eq!(
        text(&root, "#email-error"),
        "Enter an email address like name@example.com."
    );
    assert_eq!(
        text(&root, "#phone-error"),
        "Enter a phone number like +44 20 7946 0958."
    );
    let email = root.query_selector("#email").unwrap().unwrap();
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(email
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("email-error"));

    // Fixing a field clears its message as you type.
    draft.email.set("ada@example.com".into());
    tick().await;
    assert_eq!(text(&root, "#email-error"), "");
    assert_eq!(
        root.query_selector("#email")
            .unwrap()
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn server_field_errors_land_under_their_field_until_edited() {
    let root = container();
    let draft = UserDraft::default();
    let form = FormState::default();
    draft.email.set("ada@example.com".into());
    let no_errors: Vec<FieldError> = Vec::new();
    let _handle = mount_to(root.clone(), move || {
        view! {
            <UserForm draft form client_errors=no_errors.clone() pending=false
                submit_label="Save" pending_label="Saving…" on_submit=Callback::new(|()| ()) />
        }
    });
    tick().await;
    form.begin();
    form.fail(&ApiError::Problem(Problem {
        kind: "urn:gatehouse:problem:conflict".into(),
        title: "Conflict".into(),
        status: 409,
        detail: Some("Another user already has this email address.".into()),
        errors: vec![FieldError::new(
            "email",
            "Another user already has this email address.",
        )],
        missing_permission: None,
        request_id: None,
    }));
    tick().await;
    assert_eq!(
        text(&root, "#email-error"),
        "Another user already has this email address."
    );
    assert!(text(&root, "[role=alert]").contains("Some fields need attention"));
    // What was typed is untouched.
    assert_eq!(draft.email.get_untracked(), "ada@example.com");
    draft.email.set("ada.l@example.com".into());
    tick().await;
    assert_eq!(text(&root, "#email-error"), "");
}
