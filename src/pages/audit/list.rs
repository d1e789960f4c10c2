//! `/audit`: every recorded change and sign-in, newest first, narrowed by action, kind
//! of target, free text, and (from links elsewhere) one actor, target or request.

use gatehouse_api::audit::{AuditAction, AuditQuery, TargetType};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::trail::AuditTrail;
use crate::api;
use crate::components::download::CsvDownload;
use crate::components::field::SelectField;
use crate::session::use_session;

fn choices<T: Copy>(
    all: &[T],
    key: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    any: &str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_owned()))
        .chain(
            all.iter()
                .map(|t| (key(*t).to_owned(), label(*t).to_owned())),
        )
        .collect()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let session = use_session();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|m| AuditQuery::from_pairs(m.latest_values().map(|(k, v)| (k.as_ref(), v))))
    });
    let navigate = use_navigate();
    let go = Callback::new(move |next: AuditQuery| {
        navigate(
            &next.to_pairs().append_to("/audit"),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let change = move |edit: fn(&mut AuditQuery, &str)| {
        Callback::new(move |value: String| {
            let mut next = query.get_untracked();
            edit(&mut next, &value);
            go.run(next);
        })
    };
    let search = RwSignal::new(query.get_untracked().search.unwrap_or_default());
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut next = query.get_untracked();
        next.search = Some(search.get_untracked()).filter(|s| !s.trim().is_empty());
        go.run(next);
    };
    let narrowed_to = move || {
        let q = query.get();
        [
            ("one person", q.actor_id.map(|id| id.to_string())),
            ("one object", q.target_id.clone()),
            ("one request", q.request_id.clone()),
        ]
        .into_iter()
        .filter_map(|(what, value)| value.map(|_| what))
        .collect::<Vec<_>>()
    };
    let clear_narrowing = move |_| {
        let mut next = query.get_untracked();
        next.actor_id = None;
        next.target_id = None;
        next.request_id = None;
        go.run(next);
    };
    view! {
        <div class="page-header">
            <div>
                <h1>"Audit log"</h1>
                <p class="muted">"Every change made here and every sign-in, newest first. Open an event to see what changed."</p>
            </div>
            <div class="actions">
                <CsvDownload label="Export CSV" filename="audit.csv" id="audit-export"
                    fetch=move || { let query = query.get_untracked(); async move { api::audit::export_csv(session, &query).await } } />
            </div>
        </div>
        <div class="toolbar filters">
            <form role="search" class="search" on:submit=on_search>
                <label for="audit-search" class="sr-only">"Search events"</label>
                <input id="audit-search" type="search" placeholder="Search names, reasons, values"
                    prop:value=move || search.get() on:input:target=move |ev| search.set(ev.target().value()) />
                <button type="submit" class="button">"Search"</button>
            </form>
            <SelectField id="audit-action" label="Action" inline=true
                options=choices(&AuditAction::ALL, AuditAction::as_str, AuditAction::label, "Any action")
                value=Signal::derive(move || query.with(|q| q.action.map(|a| a.as_str().to_owned()).unwrap_or_default()))
                on_change=change(|q, v| q.action = AuditAction::parse(v)) />
            <SelectField id="audit-target" label="About" inline=true
                options=choices(&TargetType::ALL, TargetType::as_str, TargetType::label, "Anything")
                value=Signal::derive(move || query.with(|q| q.target_type.map(|t| t.as_str().to_owned()).unwrap_or_default()))
                on_change=change(|q, v| q.target_type = TargetType::parse(v)) />
        </div>
        {move || {
            let narrowed = narrowed_to();
            (!narrowed.is_empty()).then(|| view! {
                <p class="banner banner-info" role="status">
                    "Showing the events of " {narrowed.join(" and ")} ". "
                    <button type="button" class="button button-quiet" on:click=clear_narrowing>"Show all events"</button>
                </p>
            })
        }}
        <AuditTrail query=Signal::from(query) empty="No events match these filters." />
    }
}
