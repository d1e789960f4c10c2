//! The keys table, the same everywhere keys are listed; the owner column only where
//! keys of many people show (the tenant's list).

use gatehouse_api::api_keys::{ApiKey, ApiKeySortBy, ApiKeyStatus};
use gatehouse_api::Permission;
use leptos::prelude::*;

use crate::components::link::A;
use crate::components::status::{ApiKeyStatusBadge, KeyExpiry};
use crate::components::table::Column;
use crate::components::time::RelativeTime;
use crate::session::{use_session, Session};

/// What a row's buttons do; provided by the list.
#[derive(Clone, Copy)]
pub struct KeyActions {
    pub revoke: Callback<ApiKey>,
    pub rename: Callback<ApiKey>,
}

/// Whether the signed-in user may revoke a key of `owner`'s: their own always, others'
/// with api_keys:write (reactive).
fn may_manage(session: Session, owner: uuid::Uuid) -> bool {
    session.me().is_some_and(|m| m.user.id == owner) || session.can(Permission::ApiKeysWrite)
}

pub fn key_columns(with_owner: bool) -> Vec<Column<ApiKey, ApiKeySortBy>> {
    let owner = Column::new("Owner", |k: &ApiKey| {
        let (href, name, title) = (
            format!("/users/{}", k.owner.id),
            k.owner.name.clone(),
            k.owner.email.clone(),
        );
        view! { <A href=href attr:title=title>{name}</A> }.into_any()
    })
    .class("cell-name");
    let rest = vec![
        Column::new("Name", |k: &ApiKey| {
            let (name, title) = (k.name.clone(), k.name.clone());
            view! { <span title=title>{name}</span> }.into_any()
        })
        .class("cell-name")
        .sorted_by(ApiKeySortBy::Name),
        Column::new("Key", |k: &ApiKey| {
            view! { <code class="key-prefix">{k.masked()}</code> }.into_any()
        }),
        Column::new("Created", |k: &ApiKey| {
            view! { <RelativeTime time=Some(k.created_at) /> }.into_any()
        })
        .sorted_by(ApiKeySortBy::CreatedAt),
        Column::new("Last used", |k: &ApiKey| {
            view! { <RelativeTime time=k.last_used_at never="Never" /> }.into_any()
        })
        .sorted_by(ApiKeySortBy::LastUsedAt),
        Column::new("Expires", |k: &ApiKey| {
            view! { <KeyExpiry key=k.clone() /> }.into_any()
        })
        .sorted_by(ApiKeySortBy::ExpiresAt),
        Column::new("Status", |k: &ApiKey| {
            let why = k.revoked_reason.clone().map(|r| format!("Reason: {r}"));
            view! { <span title=why><ApiKeyStatusBadge status=k.status /></span> }.into_any()
        }),
        Column::new("Actions", |k: &ApiKey| {
            view! { <KeyRowActions key=k.clone() /> }.into_any()
        }),
    ];
    with_owner
        .then_some(owner)
        .into_iter()
        .chain(rest)
        .collect()
}

/// Rename and revoke, for an active key its viewer may manage.
#[component]
fn KeyRowActions(key: ApiKey) -> impl IntoView {
    let actions = expect_context::<KeyActions>();
    let session = use_session();
    let (revoke_label, rename_label) = (
        format!("Revoke the key {}", key.name),
        format!("Rename the key {}", key.name),
    );
    let owner = key.owner.id;
    let refused =
        move || (!may_manage(session, owner)).then_some("Needs the api_keys:write permission");
    let renamed = key.clone();
    (key.status == ApiKeyStatus::Active).then(|| {
        view! {
            <span class="row-actions">
                <button type="button" class="button button-quiet" aria-label=rename_label disabled=move || refused().is_some()
                    title=refused on:click=move |_| actions.rename.run(renamed.clone())>"Rename"</button>
                <button type="button" class="button" aria-label=revoke_label disabled=move || refused().is_some()
                    title=refused on:click=move |_| actions.revoke.run(key.clone())>"Revoke"</button>
            </span>
        }
    })
}
