//! The users table: one row per user, sortable by the columns the API sorts by. The
//! same columns serve a group's members, with a selection column added.

use gatehouse_api::users::{User, UserKind, UserSortBy};
use leptos::prelude::*;

use crate::components::link::A;
use crate::components::status::StatusBadge;
use crate::components::table::{self, Column, DataTable, Selection, Sorting};
use crate::components::time::RelativeTime;

/// The column and direction the users table is sorted by.
pub type SortState = table::SortState<UserSortBy>;

/// The columns of a list of users.
pub fn user_columns() -> Vec<Column<User, UserSortBy>> {
    vec![
        Column::new("Email", |u: &User| {
            let (href, email, title) =
                (format!("/users/{}", u.id), u.email.clone(), u.email.clone());
            view! { <A href=href attr:title=title>{email}</A> }.into_any()
        })
        .class("cell-email")
        .sorted_by(UserSortBy::Email),
        Column::new("Name", |u: &User| {
            let (name, title) = (u.name(), u.name());
            let service = (u.kind == UserKind::Service)
                .then(|| view! { " " <span class="tag" data-kind="SERVICE">"Service"</span> });
            view! { <span title=title>{name}</span>{service} }.into_any()
        })
        .class("cell-name")
        .sorted_by(UserSortBy::DisplayName),
        Column::new("Status", |u: &User| {
            view! { <StatusBadge status=u.status /> }.into_any()
        }),
        Column::new("Source", |u: &User| u.identity_source.label().into_any()),
        Column::new("MFA", |u: &User| {
            (if u.mfa_enabled { "On" } else { "Off" }).into_any()
        }),
        Column::new("Last sign-in", |u: &User| {
            view! { <RelativeTime time=u.last_login_at /> }.into_any()
        })
        .sorted_by(UserSortBy::LastLoginAt),
        Column::new("Created", |u: &User| {
            view! { <RelativeTime time=Some(u.created_at) /> }.into_any()
        })
        .sorted_by(UserSortBy::CreatedAt),
    ]
}

/// One page of users, sortable; with `selection`, rows can be chosen; with `actions`, a
/// last column holds each row's buttons.
#[component]
pub fn UsersTable(
    users: Vec<User>,
    #[prop(into)] sort: Signal<SortState>,
    on_sort: Callback<SortState>,
    #[prop(optional)] selection: Option<Selection<User>>,
    #[prop(optional)] actions: Option<fn(&User) -> AnyView>,
    #[prop(default = "Users")] caption: &'static str,
) -> impl IntoView {
    let sorting = Sorting {
        state: sort,
        on_sort,
    };
    let mut columns = user_columns();
    columns.extend(actions.map(|cell| Column::new("Actions", cell)));
    match selection {
        Some(selection) => view! {
            <DataTable caption columns rows=users sorting selection />
        }
        .into_any(),
        None => view! { <DataTable caption columns rows=users sorting /> }.into_any(),
    }
}
