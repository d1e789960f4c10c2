//! Helpers every component test file shares: a place to mount, reading the DOM, and
//! sample users and sessions.

#![allow(dead_code)]

use std::collections::BTreeMap;

use gatehouse_api::auth::Me;
use gatehouse_api::users::{IdentitySource, User, UserStatus};
use gatehouse_api::Permission;
use gatehouse_console::session::Session;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
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
