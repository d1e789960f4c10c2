//! The users table: one row per user, sortable headers.

use gatehouse_api::query::SortOrder;
use gatehouse_api::users::{User, UserSortBy};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::icons::{Icon, Svg};
use crate::components::status::StatusBadge;
use crate::components::time::RelativeTime;

/// The column and direction the table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortState {
    pub by: UserSortBy,
    pub order: SortOrder,
}

impl SortState {
    /// Clicking a header: the same column flips direction; another column starts in
    /// its natural direction.
    pub fn toggled(self, column: UserSortBy) -> Self {
        if self.by == column {
            SortState {
                by: column,
                order: self.order.reversed(),
            }
        } else {
            SortState {
                by: column,
                order: column.default_order(),
            }
        }
    }
}

#[component]
fn SortHeader(
    label: &'static str,
    column: UserSortBy,
    #[prop(into)] sort: Signal<SortState>,
    on_sort: Callback<SortState>,
) -> impl IntoView {
    let active = move || sort.with(|s| s.by == column);
    let aria_sort = move || match (active(), sort.with(|s| s.order)) {
        (false, _) => "none",
        (true, SortOrder::Asc) => "ascending",
        (true, SortOrder::Desc) => "descending",
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <button type="button" class="sort" class:sort-active=active on:click=move |_| on_sort.run(sort.get_untracked().toggled(column))>
                {label}
                {move || active().then(|| match sort.with(|s| s.order) {
                    SortOrder::Asc => view! { <Svg icon=Icon::ArrowUp /> },
                    SortOrder::Desc => view! { <Svg icon=Icon::ArrowDown /> },
                })}
            </button>
        </th>
    }
}

/// One page of users. Rendered afresh for each page, so the rows are plain values.
#[component]
pub fn UsersTable(
    users: Vec<User>,
    #[prop(into)] sort: Signal<SortState>,
    on_sort: Callback<SortState>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="sr-only">"Users"</caption>
                <thead>
                    <tr>
                        <SortHeader label="Email" column=UserSortBy::Email sort on_sort />
                        <SortHeader label="Name" column=UserSortBy::DisplayName sort on_sort />
                        <th scope="col">"Status"</th>
                        <th scope="col">"Source"</th>
                        <th scope="col">"MFA"</th>
                        <SortHeader label="Last sign-in" column=UserSortBy::LastLoginAt sort on_sort />
                        <SortHeader label="Created" column=UserSortBy::CreatedAt sort on_sort />
                    </tr>
                </thead>
                <tbody>
                    {users.into_iter().map(|user| view! { <UserRow user /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UserRow(user: User) -> impl IntoView {
    let href = format!("/users/{}", user.id);
    let name = user.name();
    let email = user.email.clone();
    view! {
        <tr>
            <td class="cell-email" title=user.email>
                <A href=href>{email}</A>
            </td>
            <td class="cell-name" title=name.clone()>{name.clone()}</td>
            <td><StatusBadge status=user.status /></td>
            <td>{user.identity_source.label()}</td>
            <td>{if user.mfa_enabled { "On" } else { "Off" }}</td>
            <td><RelativeTime time=user.last_login_at /></td>
            <td><RelativeTime time=Some(user.created_at) /></td>
        </tr>
    }
}
