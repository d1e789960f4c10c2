//! A list of keys, the tenant's, one user's or one's own: filters, search, sort and
//! paging in the URL like every list; choose rows and revoke one or many, with a reason.

use std::collections::BTreeSet;

use gatehouse_api::api_keys::{
    ApiKey, ApiKeyListQuery, ApiKeyStatus, KeyRevokeOutcome, KeyRevokeResult, KeyRevokeResults,
    RevokeApiKey, RevokeApiKeys, EXPIRING_SOON_DAYS,
};
use gatehouse_api::Permission;
use leptos::prelude::*;
use uuid::Uuid;

use super::rename::RenameKeyDialog;
use super::table::{key_columns, KeyActions};
use crate::api;
use crate::components::confirm::ConfirmDialog;
use crate::components::field::{SelectField, TextArea};
use crate::components::list::{ListResults, ListState, SearchBox};
use crate::components::shown::Shown;
use crate::components::table::{DataTable, Selection};
use crate::components::toast::{tally, use_toasts};
use crate::reactive::{Fetched, Task};
use crate::session::{use_session, Session};

/// Whose keys a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeysOf {
    /// Everyone's (api_keys:read), with an owner column.
    Tenant,
    /// The signed-in user's.
    Me,
    User(Uuid),
}

/// "2 keys revoked; 1 was already revoked or expired."
pub fn key_revoke_summary(results: &KeyRevokeResults) -> String {
    let outcomes: Vec<_> = results.results.iter().map(|r| r.outcome).collect();
    tally(
        &outcomes,
        &[
            (
                KeyRevokeOutcome::Revoked,
                "1 key revoked",
                "{n} keys revoked",
            ),
            (
                KeyRevokeOutcome::NotActive,
                "1 was already revoked or expired",
                "{n} were already revoked or expired",
            ),
            (
                KeyRevokeOutcome::NotFound,
                "1 no longer exists",
                "{n} no longer exist",
            ),
        ],
    )
}

/// Revokes `ids`: in one request with api_keys:write; otherwise (one's own keys) one by
/// one, each judged alone all the same.
async fn revoke_all(
    session: Session,
    ids: Vec<Uuid>,
    reason: Option<String>,
) -> Result<KeyRevokeResults, api::ApiError> {
    if session.can(Permission::ApiKeysWrite) {
        return api::api_keys::revoke_many(session, &RevokeApiKeys { ids, reason }).await;
    }
    let request = RevokeApiKey { reason };
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let outcome = match api::api_keys::revoke(session, id, &request).await {
            Ok(_) => KeyRevokeOutcome::Revoked,
            Err(e) if e.status() == Some(409) => KeyRevokeOutcome::NotActive,
            Err(e) if matches!(e.status(), Some(404 | 410)) => KeyRevokeOutcome::NotFound,
            Err(e) => return Err(e),
        };
        results.push(KeyRevokeResult { id, outcome });
    }
    Ok(KeyRevokeResults { results })
}

/// `(value, label)` choices with "Any" first.
fn any_of(choices: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Any".to_owned()))
        .chain(choices)
        .collect()
}

#[component]
pub fn KeyList(
    of: KeysOf,
    /// Notified when a key was made elsewhere on the page: the list loads again.
    #[prop(optional)]
    refresh: Option<Trigger>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let list = ListState::<ApiKeyListQuery>::from_url();
    let query = list.query;
    let keys = Fetched::new(move || {
        if let Some(refresh) = refresh {
            refresh.track();
        }
        let query = query.get();
        async move {
            match of {
                KeysOf::Tenant => api::api_keys::list(session, &query).await,
                KeysOf::Me => api::api_keys::list_mine(session, &query).await,
                KeysOf::User(id) => api::api_keys::list_of(session, id, &query).await,
            }
        }
    });
    let sorting = list.url_sorting();
    let (sort, on_sort) = (sorting.state, sorting.on_sort);
    let status = Signal::derive(move || {
        query.with(|q| q.status.map(|s| s.as_str().to_owned()).unwrap_or_default())
    });
    let on_status =
        Callback::new(move |value: String| list.refine(|q| q.status = ApiKeyStatus::parse(&value)));
    let expiring = Signal::derive(move || {
        query.with(|q| {
            q.expires_within_days
                .map(|d| d.to_string())
                .unwrap_or_default()
        })
    });
    let on_expiring = Callback::new(move |value: String| {
        list.refine(|q| q.expires_within_days = value.parse().ok())
    });

    let selected = RwSignal::new(BTreeSet::<Uuid>::new());
    let revoking = RwSignal::new(Vec::<ApiKey>::new());
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let ask = move |chosen: Vec<ApiKey>| {
        revoking.set(chosen);
        reason.set(String::new());
        error.set(None);
        open.set(true);
    };
    let renaming = RwSignal::new(None::<ApiKey>);
    provide_context(KeyActions {
        revoke: Callback::new(move |key| ask(vec![key])),
        rename: Callback::new(move |key| renaming.set(Some(key))),
    });
    let revoke = Task::new(move |_: &()| {
        let chosen = revoking.get_untracked();
        let reason = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
        async move {
            let message = match chosen.as_slice() {
                [key] => api::api_keys::revoke(session, key.id, &RevokeApiKey { reason })
                    .await
                    .map(|_| format!("The key \u{201c}{}\u{201d} was revoked.", key.name)),
                _ => revoke_all(session, chosen.iter().map(|k| k.id).collect(), reason)
                    .await
                    .map(|results| key_revoke_summary(&results)),
            };
            match message {
                Ok(message) => {
                    open.set(false);
                    toasts.success(message);
                    selected.set(BTreeSet::new());
                    keys.refetch();
                }
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let title = Signal::derive(move || match revoking.with(Vec::len) {
        1 => "Revoke API key".to_owned(),
        n => format!("Revoke {n} API keys"),
    });
    let message = Signal::derive(move || {
        revoking.with(|keys| match keys.as_slice() {
            [key] => format!(
                "Anything using \u{201c}{}\u{201d} ({}) stops working at once. This cannot be undone.",
                key.name,
                key.masked()
            ),
            _ => "Anything using these keys stops working at once. Keys already revoked or expired are left as they are. This cannot be undone.".to_owned(),
        })
    });
    let confirm_label = Signal::derive(move || match revoking.with(Vec::len) {
        1 => "Revoke key".to_owned(),
        n => format!("Revoke {n} keys"),
    });
    // The rows on screen, to name what "Revoke selected" revokes.
    let shown = RwSignal::new(Vec::<ApiKey>::new());
    let revoke_selected = move |_| {
        let chosen = selected.get_untracked();
        ask(shown.with_untracked(|rows| {
            rows.iter()
                .filter(|k| chosen.contains(&k.id))
                .cloned()
                .collect()
        }));
    };
    let rows = Callback::new(move |page: Vec<ApiKey>| {
        shown.set(page.clone());
        let selection = Selection {
            chosen: selected,
            id: |k: &ApiKey| k.id,
            name: |k: &ApiKey| k.name.clone(),
        };
        let sorting = crate::components::table::Sorting {
            state: sort,
            on_sort,
        };
        view! {
            <DataTable caption="API keys" columns=key_columns(of == KeysOf::Tenant) rows=page sorting selection />
        }
        .into_any()
    });
    let clear = list.clear();
    let (empty_title, empty_text) = match of {
        KeysOf::Tenant => ("No API keys yet", "Keys let scripts and CI jobs call the API as a user, with that user's permissions or fewer. People make their own under My API keys; service accounts get theirs on their page."),
        KeysOf::Me => ("You have no API keys", "Make one for a script or a CI job: it acts as you, with your permissions or fewer, until it expires or you revoke it."),
        KeysOf::User(_) => ("No API keys", "This user has no API keys."),
    };
    let status_options = any_of(
        ApiKeyStatus::ALL
            .into_iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let expiry_options = vec![
        (String::new(), "Any time".to_owned()),
        (
            EXPIRING_SOON_DAYS.to_string(),
            format!("Within {EXPIRING_SOON_DAYS} days"),
        ),
    ];
    view! {
        <div class="toolbar" role="search">
            <SearchBox state=list label="Search API keys" placeholder="Search by name or prefix" />
            <SelectField id="filter-key-status" label="Status" inline=true value=status on_change=on_status
                options=status_options />
            <SelectField id="filter-key-expiry" label="Expires" inline=true value=expiring on_change=on_expiring
                options=expiry_options />
            <Shown when=move || list.narrowed()>
                <button type="button" class="button button-quiet" on:click=move |_| clear.run(())>"Clear filters"</button>
            </Shown>
        </div>
        <div class="toolbar">
            <button type="button" class="button" disabled=move || selected.with(BTreeSet::is_empty)
                on:click=revoke_selected>"Revoke selected"</button>
            <span class="muted" aria-live="polite">{move || {
                let n = selected.with(BTreeSet::len);
                (n > 0).then(|| format!("{n} selected"))
            }}</span>
        </div>
        <ListResults state=list items=keys noun="API keys" columns=9 rows empty=move || view! {
            <div class="empty">
                <h2>{empty_title}</h2>
                <p>{empty_text}</p>
            </div>
        } />
        <RenameKeyDialog key=renaming on_renamed=Callback::new(move |()| keys.refetch()) />
        <ConfirmDialog open title message confirm_label action=revoke error>
            <TextArea id="revoke-reason" label="Reason (optional)" value=reason
                hint="Recorded with the key, such as \"leaked in a build log\"." />
        </ConfirmDialog>
    }
}
