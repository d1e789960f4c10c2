//! Helpers every component test module shares: a place to mount, reading and driving the
//! DOM, waiting for answers, a stand-in for the server, and sample users and sessions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gatehouse_api::auth::Me;
use gatehouse_api::users::{IdentitySource, User, UserStatus};
use gatehouse_api::{Meta, Permission, Single};
use gatehouse_console::session::Session;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

pub fn container() -> HtmlElement {
    let element = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element.unchecked_into()
}

pub fn texts(root: &HtmlElement, css: &str) -> Vec<String> {
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

pub fn text(root: &HtmlElement, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("{css} not found"))
        .text_content()
        .unwrap_or_default()
}

pub fn user(email: &str, name: &str, status: UserStatus, mfa: bool) -> User {
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
        kind: Default::default(),
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

pub fn session_with(permissions: &[Permission]) -> Session {
    let me = Me {
        user: user("me@example.com", "Me", UserStatus::Active, false),
        permissions: permissions.iter().copied().collect(),
        requirement: None,
        mfa_required: false,
    };
    Session::with(Some("token".into()), Some(me))
}

/// The browser's clock, as the console reads it.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap()
}

pub fn element(root: &HtmlElement, css: &str) -> HtmlElement {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("{css} not found"))
        .unchecked_into()
}

pub fn set_value(root: &HtmlElement, css: &str, value: &str, event: &str) {
    let input = element(root, css);
    js_sys::Reflect::set(&input, &"value".into(), &value.into()).unwrap();
    input
        .dispatch_event(&web_sys::Event::new(event).unwrap())
        .unwrap();
}

pub fn button(root: &HtmlElement, label: &str) -> HtmlElement {
    let buttons = root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .map(|i| buttons.item(i).unwrap().unchecked_into::<HtmlElement>())
        .find(|b| {
            b.text_content().unwrap_or_default().trim() == label
                || b.get_attribute("aria-label").as_deref() == Some(label)
        })
        .unwrap_or_else(|| panic!("no button {label}"))
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (up to two seconds) for what the server's answer should bring about.
pub async fn until(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..200 {
        tick().await;
        if ready() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

pub fn single<T: serde::Serialize>(data: T) -> String {
    serde_json::to_string(&Single {
        data,
        meta: Meta {
            request_id: "test".into(),
            timestamp: now(),
        },
    })
    .unwrap()
}

/// Stands in for the server: answers requests whose URL contains a pattern (and whose
/// method matches) with a status and body, and keeps the bodies of what was sent in
/// `window.sentBodies`.
pub fn fake_server(routes: &[(&str, &str, u16, String)]) {
    let routes = serde_json::to_string(
        &routes
            .iter()
            .map(|(method, pattern, status, body)| (method, pattern, status, body))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let install = js_sys::Function::new_with_args(
        "routes",
        r#"
        const table = JSON.parse(routes);
        window.sentBodies = [];
        window.fetch = async (input) => {
            const body = await input.clone().text();
            if (body) window.sentBodies.push(body);
            for (const [method, pattern, status, answer] of table) {
                if (input.method === method && input.url.includes(pattern)) {
                    return new Response(answer, {status, headers: {"Content-Type": "application/json"}});
                }
            }
            return new Response(JSON.stringify({type: "about:blank", title: "Not Found", status: 404}), {status: 404});
        };
        "#,
    );
    install.call1(&JsValue::NULL, &routes.into()).unwrap();
}

pub fn sent_bodies() -> Vec<String> {
    let bodies = js_sys::Reflect::get(&window(), &"sentBodies".into()).unwrap();
    js_sys::Array::from(&bodies)
        .iter()
        .map(|b| b.as_string().unwrap())
        .collect()
}

/// A problem-details body, as the server answers a refusal.
pub fn problem(status: u16, kind: &str, detail: &str) -> String {
    serde_json::to_string(&gatehouse_api::Problem {
        kind: kind.into(),
        title: "Refused".into(),
        status,
        detail: Some(detail.into()),
        errors: Vec::new(),
        missing_permission: None,
        request_id: None,
    })
    .unwrap()
}
