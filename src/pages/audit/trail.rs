//! A list of audit events, newest first, each opening to its changes field by field;
//! "Show older events" follows the cursor. The audit page and every Activity tab show
//! their events with it.

use gatehouse_api::audit::{Actor, AuditEvent, AuditQuery, Change, Target, TargetType};
use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::link::A;
use crate::components::time::RelativeTime;
use crate::reactive::{effect, Fetched, Task};
use crate::session::use_session;

/// A changed value as text: lists joined, yes/no for flags, a dash for nothing.
pub fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(flag)) => if *flag { "yes" } else { "no" }.into(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| shown(Some(item)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// Where a target's page is, when it has one.
fn target_href(target: &Target) -> Option<String> {
    let id = &target.id;
    match target.kind {
        _ if id.is_empty() => None,
        TargetType::User => Some(format!("/users/{id}")),
        TargetType::Group => Some(format!("/groups/{id}")),
        TargetType::Role => Some(format!("/roles/{id}")),
        TargetType::SsoConnection => Some(format!("/sso/{id}")),
        TargetType::Tenant => Some("/settings".into()),
        TargetType::Invite | TargetType::ApiKey => None,
    }
}

fn actor_view(actor: &Actor) -> AnyView {
    match actor {
        Actor::User { id, name } => {
            let name = name.clone();
            view! { <A href=format!("/users/{id}")>{name}</A> }.into_any()
        }
        Actor::ApiKey {
            name,
            owner_id,
            owner_name,
            ..
        } => {
            let owner_name = owner_name.clone();
            view! {
                <span>"API key " {name.clone()} " of "</span>
                <A href=format!("/users/{owner_id}")>{owner_name}</A>
            }
            .into_any()
        }
        Actor::System => view! { <span>"Gatehouse"</span> }.into_any(),
        Actor::Anonymous => view! { <span>"Someone not signed in"</span> }.into_any(),
    }
}

fn change_row(change: Change) -> impl IntoView {
    let (before, after) = if change.secret {
        ("—".to_owned(), "changed (not recorded)".to_owned())
    } else {
        (shown(change.before.as_ref()), shown(change.after.as_ref()))
    };
    view! {
        <tr>
            <th scope="row">{change.field}</th>
            <td class="diff-before">{before}</td>
            <td class="diff-after">{after}</td>
        </tr>
    }
}

/// The actor's name as plain text, for the one-line summary.
fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::User { name, .. } => name.clone(),
        Actor::ApiKey {
            name, owner_name, ..
        } => format!("{owner_name} (API key {name})"),
        Actor::System => "Gatehouse".into(),
        Actor::Anonymous => "Someone not signed in".into(),
    }
}

fn event_view(event: AuditEvent) -> impl IntoView {
    // The summary is one control (it opens the event): the links to the actor's and the
    // target's pages are inside, not in it.
    let target = match target_href(&event.target) {
        Some(href) => {
            let name = event.target.name.clone();
            view! { <A href=href>{name}</A> }.into_any()
        }
        None => view! { <span>{event.target.name.clone()}</span> }.into_any(),
    };
    let changes = (!event.changes.is_empty()).then(|| {
        view! {
            <table class="table diff">
                <caption class="sr-only">"Changed fields"</caption>
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>{event.changes.into_iter().map(change_row).collect_view()}</tbody>
            </table>
        }
    });
    let facts = [
        ("Reason", event.reason),
        ("Request", event.request_id),
        ("Address", event.client_ip),
        ("Browser or client", event.user_agent),
    ];
    view! {
        <li class="audit-event" data-action=event.action.as_str()>
            <details>
                <summary>
                    <span class="audit-when"><RelativeTime time=Some(event.occurred_at) /></span>
                    <span class="audit-what">
                        {actor_name(&event.actor)} " · " <strong>{event.action.label()}</strong> " · "
                        <span class="muted">{event.target.kind.label()}</span> " " {event.target.name.clone()}
                    </span>
                </summary>
                <div class="audit-details">
                    {changes}
                    <dl class="facts">
                        <dt>"By"</dt><dd>{actor_view(&event.actor)}</dd>
                        <dt>{event.target.kind.label()}</dt><dd>{target}</dd>
                        {facts.into_iter().filter_map(|(label, value)| value.map(|value| view! {
                            <dt>{label}</dt><dd>{value}</dd>
                        })).collect_view()}
                    </dl>
                </div>
            </details>
        </li>
    }
}

/// The events `query` selects. `empty` is what to say when there are none.
#[component]
pub fn AuditTrail(
    #[prop(into)] query: Signal<AuditQuery>,
    #[prop(default = "Nothing has been recorded yet.")] empty: &'static str,
) -> impl IntoView {
    let session = use_session();
    let first = Fetched::new(move || {
        let query = query.get();
        async move { api::audit::list(session, &query).await }
    });
    let older = RwSignal::new(Vec::<AuditEvent>::new());
    let next = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    effect(move |_| {
        if let Some(Ok(page)) = first.get() {
            older.set(Vec::new());
            next.set(page.next_cursor);
            failed.set(None);
        }
    });
    let more = Task::new(move |cursor: &String| {
        let mut page_query = query.get_untracked();
        page_query.cursor = Some(cursor.clone());
        async move {
            match api::audit::list(session, &page_query).await {
                Ok(page) => {
                    older.update(|events| events.extend(page.data));
                    next.set(page.next_cursor);
                    failed.set(None);
                }
                Err(e) => failed.set(Some(e.message())),
            }
        }
    });
    let list = move || match first.get() {
        None => view! { <p class="muted" aria-busy="true">"Loading events…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorBanner message=e.message() on_retry=Callback::new(move |()| first.refetch()) />
        }
        .into_any(),
        Some(Ok(page)) if page.data.is_empty() => view! { <p class="muted">{empty}</p> }.into_any(),
        Some(Ok(page)) => view! {
            <ol class="audit-list" aria-label="Events, newest first">
                {page.data.into_iter().map(event_view).collect_view()}
                {move || older.get().into_iter().map(event_view).collect_view()}
            </ol>
        }
        .into_any(),
    };
    view! {
        {list}
        {move || failed.get().map(|message| view! { <ErrorBanner message /> })}
        {move || next.get().map(|cursor| view! {
            <button type="button" class="button" disabled=move || more.pending().get()
                on:click=move |_| { more.dispatch(cursor.clone()); }>
                {move || if more.pending().get() { "Loading…" } else { "Show older events" }}
            </button>
        })}
    }
}
