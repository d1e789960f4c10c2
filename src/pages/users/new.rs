//! `/users/new`.

use gatehouse_api::users::{CreateUser, User};
use leptos::prelude::*;

use super::form::{UserDraft, UserForm};
use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::forms::create_session;
use crate::session::use_session;

#[component]
pub fn NewUserPage() -> impl IntoView {
    let session = use_session();
    let draft = UserDraft::default();
    let create = create_session(
        move || draft.to_create(),
        CreateUser::validate,
        move |request: CreateUser| async move { api::users::create(session, &request).await },
        |user: &User| {
            (
                format!("{} was created.", user.email),
                format!("/users/{}", user.id),
            )
        },
    );
    view! {
        <Breadcrumbs parent="Users" href="/users" current="New user" />
        <div class="page-header">
            <h1>"New user"</h1>
        </div>
        <UserForm
            draft
            form=create.form
            client_errors=create.client_errors
            with_password=true
            pending=create.pending
            submit_label="Create user"
            pending_label="Creating…"
            on_submit=create.submit
            cancel="/users"
        />
    }
}
