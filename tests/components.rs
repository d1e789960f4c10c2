//! Component tests: real components mounted in headless Chromium (wasm-bindgen-test).

use std::collections::{BTreeMap, BTreeSet};

use gatehouse_api::auth::Me;
use gatehouse_api::endpoints;
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::users::{IdentitySource, SortOrder, User, UserSortBy, UserStatus};
use gatehouse_api::{FieldError, Pagination, Permission, Problem};
use gatehouse_console::api::ApiError;
use gatehouse_console::components::guarded::{GuardedButton, GuardedLink};
use gatehouse_console::components::pager::{group_thousands, page_window, Pager};
use gatehouse_console::components::permission_picker::PermissionPicker;
use gatehouse_console::components::time::relative;
use gatehouse_console::forms::FormState;
use gatehouse_console::pages::users::{SortState, UserDraft, UserForm, UsersTable};
use gatehouse_console::session::Session;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> HtmlElement {
    let element = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element.unchecked_into()
}

fn texts(root: &HtmlElement, css: &str) -> Vec<String> {
    let nodes = root.query_selector_all(css).unwrap();
    (0..nodes.length())
        .map(|i| {
            nodes
                .item(i)
                .unwrap()
                .text_content()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect()
}

fn text(root: &HtmlElement, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("{css} not found"))
        .text_content()
        .unwrap_or_default()
}

fn user(email: &str, name: &str, status: UserStatus, mfa: bool) -> User {
    User {
        id: uuid::Uuid::new_v4(),
        tenant_id: "default".into(),
        email: email.into(),
        username: None,
        first_name: None,
        last_name: None,
        display_name: Some(name.into()),
        phone: None,
        locale: None,
        timezone: None,
        status,
        status_reason: None,
        identity_source: IdentitySource::Oidc,
        email_verified: true,
        mfa_enabled: mfa,
        require_password_change: false,
        custom_attributes: BTreeMap::new(),
        created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        updated_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        last_login_at: None,
        password_changed_at: None,
        version: 1,
    }
}

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

#[wasm_bindgen_test]
fn pager_window_shows_ends_neighbours_and_gaps() {
    assert_eq!(page_window(1, 1), [Some(1)]);
    assert_eq!(page_window(1, 3), [Some(1), Some(2), Some(3)]);
    assert_eq!(
        page_window(5, 20),
        [Some(1), None, Some(4), Some(5), Some(6), None, Some(20)]
    );
    assert_eq!(
        page_window(3, 20),
        [Some(1), Some(2), Some(3), Some(4), None, Some(20)]
    );
    assert_eq!(page_window(20, 20), [Some(1), None, Some(19), Some(20)]);
    assert_eq!(page_window(99, 4), [Some(1), Some(2), Some(3), Some(4)]);
    assert!(page_window(1, 0).is_empty());
    assert_eq!(group_thousands(100_000), "100,000");
    assert_eq!(group_thousands(999), "999");
}

#[wasm_bindgen_test]
async fn pager_renders_summary_and_moves_between_pages() {
    let root = container();
    let asked = RwSignal::new(None::<u32>);
    let _handle = mount_to(root.clone(), move || {
        view! {
            <Pager
                pagination=Pagination::new(5, 50, 1_000)
                on_page=Callback::new(move |p| asked.set(Some(p)))
                on_per_page=Callback::new(|_| ())
                noun="users"
            />
        }
    });
    tick().await;
    assert_eq!(
        text(&root, ".pager-summary"),
        "Showing 201–250 of 1,000 users"
    );
    assert_eq!(
        texts(&root, ".pages li"),
        ["‹", "1", "…", "4", "5", "6", "…", "20", "›"]
    );
    assert_eq!(text(&root, "[aria-current=page]"), "5");
    root.query_selector("[aria-label='Next page']")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    assert_eq!(asked.get_untracked(), Some(6));
    root.query_selector("[aria-label='Page 20']")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    assert_eq!(asked.get_untracked(), Some(20));
}

#[wasm_bindgen_test]
fn relative_times_read_naturally() {
    let then: chrono::DateTime<chrono::Utc> = "2026-01-10T12:00:00Z".parse().unwrap();
    let at = |s: i64| (then.timestamp() + s) as f64 * 1000.0;
    assert_eq!(relative(then, at(10)), "just now");
    assert_eq!(relative(then, at(60)), "1 minute ago");
    assert_eq!(relative(then, at(7_200)), "2 hours ago");
    assert_eq!(relative(then, at(90_000)), "yesterday");
    assert_eq!(relative(then, at(3 * 86_400)), "3 days ago");
    assert_eq!(relative(then, at(400 * 86_400)), "1 year ago");
    assert_eq!(relative(then, at(-7_200)), "in 2 hours");
}

fn session_with(permissions: &[Permission]) -> Session {
    let me = Me {
        user: user("me@example.com", "Me", UserStatus::Active, false),
        permissions: permissions.iter().copied().collect(),
        requirement: None,
        mfa_required: false,
    };
    Session::with(Some("token".into()), Some(me))
}

#[wasm_bindgen_test]
async fn write_controls_are_disabled_for_a_viewer_and_say_why() {
    let viewer = BuiltinRole::VIEWER.permissions();
    for (permissions, may_write) in [(viewer, false), (BuiltinRole::ADMIN.permissions(), true)] {
        let root = container();
        let clicked = RwSignal::new(0);
        let _handle = mount_to(root.clone(), move || {
            provide_context(session_with(&permissions));
            view! {
                <Router>
                    <GuardedButton label="Delete" endpoint=endpoints::USERS_DELETE
                        on_click=Callback::new(move |()| clicked.update(|n| *n += 1)) />
                    <GuardedLink href="/roles/new" endpoint=endpoints::ROLES_CREATE>"New role"</GuardedLink>
                </Router>
            }
        });
        tick().await;
        let button = root.query_selector("button").unwrap().unwrap();
        assert_eq!(button.has_attribute("disabled"), !may_write);
        if may_write {
            assert!(root
                .query_selector("a[href='/roles/new']")
                .unwrap()
                .is_some());
            button.unchecked_ref::<HtmlElement>().click();
            assert_eq!(clicked.get_untracked(), 1);
        } else {
            assert_eq!(
                button.get_attribute("title").as_deref(),
                Some("Needs the users:delete permission")
            );
            let link = root
                .query_selector("[aria-disabled=true]")
                .unwrap()
                .expect("a disabled stand-in for the link");
            assert_eq!(
                link.get_attribute("title").as_deref(),
                Some("Needs the roles:write permission")
            );
            assert!(root
                .query_selector("a[href='/roles/new']")
                .unwrap()
                .is_none());
        }
    }
}

#[wasm_bindgen_test]
async fn permission_picker_groups_by_area_and_only_offers_what_you_hold() {
    let root = container();
    let selected = RwSignal::new(BTreeSet::from([Permission::SsoWrite]));
    let _handle = mount_to(root.clone(), move || {
        provide_context(session_with(&[
            Permission::UsersRead,
            Permission::UsersWrite,
        ]));
        view! { <PermissionPicker selected read_only=false /> }
    });
    tick().await;
    assert_eq!(
        texts(&root, "legend"),
        [
            "Users",
            "Groups",
            "Roles",
            "Invites",
            "API keys",
            "SSO",
            "Audit log",
            "Tenants"
        ]
    );
    assert_eq!(
        root.query_selector_all("input[type=checkbox]")
            .unwrap()
            .length(),
        Permission::ALL.len() as u32
    );
    let checkbox = |name: &str| -> web_sys::HtmlInputElement {
        root.query_selector(&format!("input[value='{name}']"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    // Held: can be ticked. Not held: locked, with the reason. Not held but already chosen:
    // can still be removed.
    assert!(!checkbox("users:write").disabled());
    assert!(checkbox("users:delete").disabled());
    let why = checkbox("users:delete")
        .parent_element()
        .unwrap()
        .get_attribute("title")
        .unwrap();
    assert_eq!(why, "You do not hold users:delete, so you cannot grant it.");
    assert!(checkbox("sso:write").checked() && !checkbox("sso:write").disabled());

    checkbox("users:write").click();
    checkbox("sso:write").click();
    tick().await;
    assert_eq!(
        selected.get_untracked(),
        BTreeSet::from([Permission::UsersWrite])
    );
    // Once removed, a permission you do not hold cannot be put back.
    assert!(checkbox("sso:write").disabled());
}
