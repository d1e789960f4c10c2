//! `/users/new`.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::form::{UserDraft, UserForm};
use crate::api;
use crate::components::toast::use_toasts;
use crate::forms::{focus_first_invalid, FormState};
use crate::session::use_session;

#[component]
pub fn NewUserPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let draft = UserDraft::default();
    let form = FormState::default();
    let client_errors =
        Signal::derive(move || draft.to_create().validate().err().unwrap_or_default());

    let create = Action::new_local(move |_: &()| {
        let request = draft.to_create();
        let navigate = navigate.clone();
        async move {
            match api::users::create(session, &request).await {
                Ok(user) => {
                    form.reset();
                    toasts.success(format!("{} was created.", user.email));
                    navigate(&format!("/users/{}", user.id), Default::default());
                }
                Err(error) => {
                    form.fail(&error);
                    focus_first_invalid();
                }
            }
        }
    });
    let on_submit = Callback::new(move |()| {
        form.begin();
        if client_errors.with(Vec::is_empty) {
            create.dispatch(());
        } else {
            focus_first_invalid();
        }
    });

    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/users">"Users"</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"New user"</span>
        </nav>
        <div class="page-header">
            <h1>"New user"</h1>
        </div>
        <UserForm
            draft
            form
            client_errors
            with_password=true
            pending=create.pending()
            submit_label="Create user"
            pending_label="Creating…"
            on_submit
        >
            <A href="/users" attr:class="button button-quiet">"Cancel"</A>
        </UserForm>
    }
}
