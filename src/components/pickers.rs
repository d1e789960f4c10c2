//! Finding a user or a group by typing, for "add members" and "add to group".

use std::time::Duration;

use gatehouse_api::groups::{Group, GroupListQuery, GroupRef};
use gatehouse_api::users::{User, UserListQuery};
use leptos::prelude::*;
use uuid::Uuid;

use super::chips::GroupChip;
use super::debounce::debounced;
use super::field::SearchField;
use super::status::StatusBadge;
use crate::api::{self, ApiError};
use crate::reactive::Fetched;
use crate::session::use_session;

/// How many matches a picker shows.
const SHOWN: u32 = 8;

/// Results for the settled search term (none while it is empty).
fn search_results<T, Fut>(
    term: ReadSignal<String>,
    fetch: impl Fn(String) -> Fut + 'static,
) -> Fetched<Result<Vec<T>, ApiError>>
where
    T: Clone + 'static,
    Fut: std::future::Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    Fetched::new(move || {
        let term = term.get();
        let request = (!term.trim().is_empty()).then(|| fetch(term));
        async move {
            match request {
                Some(request) => request.await,
                None => Ok(Vec::new()),
            }
        }
    })
}

/// The list under a picker's input: results, "no matches", or the error.
fn results_view<T: Clone + 'static, V: IntoView + 'static>(
    resource: Fetched<Result<Vec<T>, ApiError>>,
    term: ReadSignal<String>,
    item: impl Fn(T) -> V + Copy + Send + 'static,
) -> impl IntoView {
    move || match resource.get() {
        None => view! { <p class="muted" aria-live="polite">"Searching…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="field-error" role="alert">{e.message()}</p> }.into_any(),
        Some(Ok(found)) if found.is_empty() && !term.get().trim().is_empty() => {
            view! { <p class="muted" aria-live="polite">"No matches."</p> }.into_any()
        }
        Some(Ok(found)) => {
            view! { <ul class="picker-results">{found.into_iter().map(item).collect_view()}</ul> }
                .into_any()
        }
    }
}

/// Search users; each match has a button to pick it. `picked` marks those already chosen.
#[component]
pub fn UserPicker(
    on_pick: Callback<User>,
    #[prop(into)] picked: Signal<Vec<Uuid>>,
) -> impl IntoView {
    let session = use_session();
    let text = RwSignal::new(String::new());
    let term = debounced(text, Duration::from_millis(250));
    let found = search_results(term, move |search| async move {
        let query = UserListQuery {
            search: Some(search),
            per_page: Some(SHOWN),
            ..Default::default()
        };
        Ok(api::users::list(session, &query).await?.data)
    });
    view! {
        <div class="picker">
            <SearchField label="Find people by email, username or name" value=text />
            {results_view(found, term, move |user: User| {
                let id = user.id;
                let chosen = move || picked.with(|p| p.contains(&id));
                let label = format!("{} ({})", user.name(), user.email);
                let button_label = format!("Choose {}", user.email);
                let user_for_pick = user.clone();
                view! {
                    <li>
                        <span class="picker-label">{label}</span>
                        <StatusBadge status=user.status />
                        <button type="button" class="button" disabled=chosen aria-label=button_label
                            on:click=move |_| on_pick.run(user_for_pick.clone())>
                            {move || if chosen() { "Chosen" } else { "Choose" }}
                        </button>
                    </li>
                }
            })}
        </div>
    }
}

/// Search groups; each match has a button to pick it. `refuse` may say why a group
/// cannot be chosen (given the ids of the roles it grants); such groups show the reason
/// and no button.
#[component]
pub fn GroupPicker(
    on_pick: Callback<GroupRef>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] refuse: Option<Callback<Vec<Uuid>, Option<String>>>,
) -> impl IntoView {
    let session = use_session();
    let text = RwSignal::new(String::new());
    let term = debounced(text, Duration::from_millis(250));
    let found = search_results(term, move |search| async move {
        let query = GroupListQuery {
            search: Some(search),
            per_page: Some(SHOWN),
            ..Default::default()
        };
        Ok(api::groups::list(session, &query).await?.data)
    });
    view! {
        <div class="picker">
            <SearchField label="Find a group" value=text disabled />
            {results_view(found, term, move |group: Group| {
                let why_not = refuse.and_then(|r| r.run(group.roles.iter().map(|r| r.id).collect()));
                let picked = GroupRef {
                    id: group.id,
                    name: group.name.clone(),
                    color: group.color.clone(),
                };
                let button_label = format!("Choose {}", group.name);
                view! {
                    <li>
                        <GroupChip name=group.name color=group.color />
                        {match why_not {
                            Some(reason) => view! { <span class="muted">{reason}</span> }.into_any(),
                            None => view! {
                                <button type="button" class="button" aria-label=button_label
                                    on:click=move |_| on_pick.run(picked.clone())>"Choose"</button>
                            }.into_any(),
                        }}
                    </li>
                }
            })}
        </div>
    }
}
