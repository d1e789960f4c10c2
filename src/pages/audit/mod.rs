//! The audit log: `/audit` with its filters in the URL, and the Activity tab that users,
//! groups, roles and SSO connections show their own history in.

mod list;
mod trail;

pub use list::AuditPage;
pub use trail::{shown, AuditTrail};

use gatehouse_api::audit::{AuditQuery, TargetType};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::link::A;

/// A detail page's tabs, with its Activity tab for those who may read the audit log.
pub fn with_activity(
    mut tabs: Vec<(&'static str, String)>,
    base: &str,
) -> Vec<(&'static str, String)> {
    if crate::session::use_session().can(gatehouse_api::Permission::AuditRead) {
        tabs.push(("Activity", format!("{base}/activity")));
    }
    tabs
}

/// A page's history: the events about the object whose id is in the route.
#[component]
pub fn ActivityTab(kind: TargetType) -> impl IntoView {
    let params = use_params_map();
    let query = Signal::derive(move || AuditQuery {
        target_type: Some(kind),
        target_id: params.with(|p| p.get("id")),
        ..AuditQuery::default()
    });
    let actor_link = move || {
        (kind == TargetType::User).then(|| {
            let id = params.with(|p| p.get("id")).unwrap_or_default();
            view! { <A href=format!("/audit?actor_id={id}")>"What this user did"</A> }
        })
    };
    view! {
        <section class="tab-panel" aria-label="Activity">
            <p class="toolbar">{actor_link}</p>
            <AuditTrail query empty="Nothing has been recorded about this yet." />
        </section>
    }
}
