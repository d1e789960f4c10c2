//! Component tests of the shared widgets: pager, relative times, guarded controls,
//! the permission picker, lazily loaded parts, `Shown`.

use std::collections::BTreeSet;

use crate::common::{container, element, session_with, sleep, text, texts, until};
use gatehouse_api::endpoints;
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::{Pagination, Permission};
use gatehouse_console::components::guarded::{GuardedButton, GuardedLink};
use gatehouse_console::components::lazy::{LazyDialog, LazyPart, Loading, PageView};
use gatehouse_console::components::pager::{about, group_thousands, page_window, Pager};
use gatehouse_console::components::permission_picker::PermissionPicker;
use gatehouse_console::components::shown::Shown;
use gatehouse_console::components::time::relative;
use gatehouse_console::reactive::Fetched;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

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

/// A pager for `pagination`, mounted (for the rest of the test), and the page it last
/// asked for.
async fn mounted_pager(pagination: Pagination) -> (HtmlElement, RwSignal<Option<u32>>) {
    let root = container();
    let asked = RwSignal::new(None::<u32>);
    mount_to(root.clone(), move || {
        view! {
            <Pager
                pagination
                on_page=Callback::new(move |p| asked.set(Some(p)))
                on_per_page=Callback::new(|_| ())
                noun="users"
            />
        }
    })
    .forget();
    tick().await;
    (root, asked)
}

#[wasm_bindgen_test]
async fn pager_renders_summary_and_moves_between_pages() {
    let (root, asked) = mounted_pager(Pagination::new(5, 50, 1_000)).await;
    assert_eq!(
        text(&root, ".pager-summary"),
        "Showing 201–250 of 1,000 users"
    );
    assert_eq!(
        texts(&root, ".pages li"),
        ["‹", "1", "…", "4", "5", "6", "…", "20", "›"]
    );
    assert_eq!(text(&root, "[aria-current=page]"), "5");
    element(&root, "[aria-label='Next page']").click();
    assert_eq!(asked.get_untracked(), Some(6));
    element(&root, "[aria-label='Page 20']").click();
    assert_eq!(asked.get_untracked(), Some(20));
}

#[wasm_bindgen_test]
fn estimates_read_as_people_say_them() {
    assert_eq!(about(124_720), "about 120,000");
    assert_eq!(about(5_049), "about 5,000");
    assert_eq!(about(95), "about 95");
    assert_eq!(about(1_234_567), "about 1.2 million");
    assert_eq!(about(2_000_000), "about 2 million");
}

#[wasm_bindgen_test]
async fn an_estimated_pager_says_about_and_keeps_next_open() {
    let (root, asked) = mounted_pager(Pagination::estimated(3, 50, 124_720)).await;
    assert_eq!(
        text(&root, ".pager-summary"),
        "Showing 101–150 of about 120,000 users"
    );
    // No last page to offer: the neighbours, then a gap.
    assert_eq!(
        texts(&root, ".pages li"),
        ["‹", "1", "2", "3", "4", "…", "›"]
    );
    element(&root, "[aria-label='Next page']").click();
    assert_eq!(asked.get_untracked(), Some(4));
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
                    <GuardedLink href="/users/import" endpoint=endpoints::USERS_IMPORT secondary=true>"Import"</GuardedLink>
                </Router>
            }
        });
        tick().await;
        let button = root.query_selector("button").unwrap().unwrap();
        assert_eq!(button.has_attribute("disabled"), !may_write);
        if may_write {
            // One main action; the other link is a plain button.
            assert!(root
                .query_selector("a.button-primary[href='/roles/new']")
                .unwrap()
                .is_some());
            assert!(root
                .query_selector("a.button[href='/users/import']:not(.button-primary)")
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
                .query_selector("[aria-disabled=true].button-primary")
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

#[wasm_bindgen_test]
async fn the_data_table_selects_rows_one_by_one_and_all_on_the_page() {
    use gatehouse_console::components::table::{Column, DataTable, Selection, Unsorted};
    use uuid::Uuid;

    #[derive(Clone)]
    struct Row {
        id: Uuid,
        name: &'static str,
    }
    let root = container();
    let chosen = RwSignal::new(BTreeSet::<Uuid>::new());
    let rows = vec![
        Row {
            id: Uuid::from_u128(1),
            name: "first",
        },
        Row {
            id: Uuid::from_u128(2),
            name: "second",
        },
    ];
    let _handle = mount_to(root.clone(), move || {
        let columns: Vec<Column<Row, Unsorted>> =
            vec![Column::new("Name", |r: &Row| r.name.into_any()).class("cell-name")];
        let selection = Selection {
            chosen,
            id: |r: &Row| r.id,
            name: |r: &Row| r.name.to_owned(),
        };
        view! { <DataTable caption="Things" columns rows=rows.clone() selection /> }
    });
    tick().await;
    assert_eq!(texts(&root, "tbody .cell-name"), ["first", "second"]);
    let boxes = root.query_selector_all("input[type=checkbox]").unwrap();
    let checkbox = |i| -> web_sys::HtmlInputElement { boxes.item(i).unwrap().unchecked_into() };
    assert_eq!(
        checkbox(1).get_attribute("aria-label").as_deref(),
        Some("Select first")
    );
    checkbox(2).click();
    tick().await;
    assert_eq!(chosen.get_untracked(), BTreeSet::from([Uuid::from_u128(2)]));
    assert!(!checkbox(0).checked(), "not all chosen yet");
    checkbox(0).click();
    tick().await;
    assert_eq!(chosen.get_untracked().len(), 2);
    assert!(checkbox(1).checked() && checkbox(2).checked());
    checkbox(0).click();
    tick().await;
    assert!(chosen.get_untracked().is_empty());
}

#[wasm_bindgen_test]
fn routes_under_a_path_prefix_are_the_paths_without_it() {
    use gatehouse_console::config::strip_base;
    assert_eq!(strip_base("", "/users"), "/users");
    assert_eq!(strip_base("/admin", "/admin/users/1"), "/users/1");
    assert_eq!(strip_base("/admin", "/admin"), "/");
    // Only a whole segment is the prefix.
    assert_eq!(strip_base("/admin", "/administrators"), "/administrators");
    assert_eq!(strip_base("/admin", "/users"), "/users");
}

#[wasm_bindgen_test]
fn signing_in_returns_only_to_a_path_of_this_site() {
    use gatehouse_console::pages::safe_return_path;
    let back = |p: &str| safe_return_path(Some(p.to_owned()));
    assert_eq!(back("/groups/42?tab=members"), "/groups/42?tab=members");
    for elsewhere in [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example",
        "/login?next=/users",
    ] {
        assert_eq!(back(elsewhere), "/users", "{elsewhere:?}");
    }
}

/// A `Fetched` loads on creation, again when a signal its fetcher read changes and on
/// `refetch`; `get` and `.await` in a `Suspend` both follow it.
#[wasm_bindgen_test]
async fn fetched_values_follow_their_sources_and_refetch() {
    let root = container();
    let word = RwSignal::new("one");
    let loads = RwSignal::new(0);
    let fetched = Fetched::new(move || {
        let word = word.get();
        loads.update(|n| *n += 1);
        async move { format!("{word} ({})", loads.get_untracked()) }
    });
    mount_to(root.clone(), move || {
        view! {
            <p id="by-get">{move || fetched.get().unwrap_or_else(|| "loading".into())}</p>
            <Transition fallback=|| view! { <p id="by-await">"loading"</p> }>
                <p id="by-await">{move || Suspend::new(async move { fetched.await })}</p>
            </Transition>
        }
    })
    .forget();
    until("the first value", || text(&root, "#by-get") == "one (1)").await;
    until("the awaited value", || {
        text(&root, "#by-await") == "one (1)"
    })
    .await;

    word.set("two");
    until("the value for the new word", || {
        text(&root, "#by-get") == "two (2)"
    })
    .await;
    until("the awaited new value", || {
        text(&root, "#by-await") == "two (2)"
    })
    .await;

    fetched.refetch();
    until("the value loaded again", || {
        text(&root, "#by-get") == "two (3)"
    })
    .await;
    until("the awaited value loaded again", || {
        text(&root, "#by-await") == "two (3)"
    })
    .await;
    assert_eq!(loads.get_untracked(), 3);
}

/// A dialog's (or a part's) code that takes a moment to arrive.
fn slow_dialog() -> Loading {
    Box::pin(async {
        sleep(300).await;
        let page: PageView = || view! { <p id="arrived">"The dialog itself"</p> }.into_any();
        Ok(page)
    })
}

/// Opening a lazily loaded dialog shows at once a dialog with its title saying it is
/// loading (nothing is fetched before the first opening); closing that one calls
/// `on_dismiss`; then the dialog's own content replaces it.
#[wasm_bindgen_test]
async fn a_lazy_dialog_says_it_is_loading_until_its_code_arrives() {
    let root = container();
    let open = RwSignal::new(false);
    let dismissed = RwSignal::new(0);
    mount_to(root.clone(), move || {
        view! {
            <LazyDialog open load=slow_dialog title="New service account"
                on_dismiss=Callback::new(move |()| dismissed.update(|n| *n += 1)) />
        }
    })
    .forget();
    tick().await;
    assert!(root.query_selector("dialog").unwrap().is_none());

    open.set(true);
    until("the loading dialog", || {
        root.query_selector("dialog[open]").unwrap().is_some()
    })
    .await;
    assert_eq!(text(&root, "dialog h2"), "New service account");
    assert_eq!(text(&root, "dialog [aria-busy=true]"), "Loading…");
    element(&root, "dialog [aria-label=Close]").click();
    tick().await;
    assert!(!open.get_untracked());
    assert_eq!(dismissed.get_untracked(), 1);

    until("the dialog's own content", || {
        root.query_selector("#arrived").unwrap().is_some()
    })
    .await;
    assert!(root.query_selector("dialog").unwrap().is_none());
}

/// A lazily loaded part of a page takes no room until its code arrives (no placeholder
/// that would push the table down for a moment), then shows.
#[wasm_bindgen_test]
async fn a_lazy_part_shows_nothing_until_its_code_arrives() {
    let root = container();
    mount_to(
        root.clone(),
        || view! { <div id="part"><LazyPart load=slow_dialog /></div> },
    )
    .forget();
    tick().await;
    assert_eq!(text(&root, "#part"), "");
    assert!(root.query_selector("#part *").unwrap().is_none());
    until("the part's own content", || {
        root.query_selector("#arrived").unwrap().is_some()
    })
    .await;
}

/// A lazily loaded part that fills the page says it is loading until its code arrives.
#[wasm_bindgen_test]
async fn a_lazy_part_that_fills_the_page_says_it_is_loading() {
    let root = container();
    mount_to(root.clone(), || {
        view! { <div id="part"><LazyPart load=slow_dialog fills_page=true /></div> }
    })
    .forget();
    tick().await;
    assert!(root
        .query_selector("#part [aria-busy=true]")
        .unwrap()
        .is_some());
    until("the part's own content", || {
        root.query_selector("#arrived").unwrap().is_some()
    })
    .await;
    assert!(root
        .query_selector("#part [aria-busy=true]")
        .unwrap()
        .is_none());
}

/// `Shown` swaps its children and fallback as its condition flips, and a condition that
/// recomputes to the same answer leaves the children as they are (what was typed stays).
#[wasm_bindgen_test]
async fn shown_follows_its_condition_and_keeps_its_children_while_it_holds() {
    let root = container();
    let count = RwSignal::new(1);
    mount_to(root.clone(), move || {
        view! {
            <div id="shown">
                <Shown when=move || { count.get() > 0 } fallback=|| view! { <p id="none">"None"</p> }>
                    <input id="typed" />
                </Shown>
            </div>
        }
    })
    .forget();
    tick().await;
    let input: web_sys::HtmlInputElement = root
        .query_selector("#typed")
        .unwrap()
        .expect("the children while the condition holds")
        .unchecked_into();
    input.set_value("kept");
    assert!(root.query_selector("#none").unwrap().is_none());

    count.set(2);
    tick().await;
    let still: web_sys::HtmlInputElement = root
        .query_selector("#typed")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        still.value(),
        "kept",
        "the same answer rebuilt the children"
    );

    count.set(0);
    tick().await;
    assert!(root.query_selector("#typed").unwrap().is_none());
    assert_eq!(text(&root, "#none"), "None");

    count.set(3);
    tick().await;
    assert!(root.query_selector("#none").unwrap().is_none());
    let again: web_sys::HtmlInputElement = root
        .query_selector("#typed")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        again.value(),
        "",
        "children built anew after the condition flipped"
    );
}
