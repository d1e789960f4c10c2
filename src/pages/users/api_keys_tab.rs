//! `/users/:id/api-keys`: the user's keys; new ones for those who may make them (the
//! user themself, or holders of api_keys:write), limited to what the user holds.

use gatehouse_api::Permission;
use leptos::prelude::*;

use super::detail::CurrentUser;
use crate::components::icons::{Icon, Svg};
use crate::components::shown::Shown;
use crate::pages::api_keys::{KeyList, KeysOf, NewApiKeyDialog};
use crate::session::use_session;

#[component]
pub fn UserApiKeysTab() -> impl IntoView {
    let session = use_session();
    let CurrentUser {
        user,
        roles,
        protection,
        ..
    } = expect_context::<CurrentUser>();
    let Some(user_id) = user.with_untracked(|u| u.as_ref().map(|u| u.id)) else {
        return ().into_any();
    };
    let own = move || session.me().is_some_and(|m| m.user.id == user_id);
    let may_create = move || own() || session.can(Permission::ApiKeysWrite);
    let open = RwSignal::new(false);
    let refresh = Trigger::new();
    // A key can have at most its owner's permissions: theirs, as loaded with the page.
    let held = Signal::derive(move || roles.with(|r| r.as_ref().map(|r| r.permissions.clone())));
    view! {
        <section class="tab-panel" aria-label="API keys">
            <div class="toolbar">
                <Shown when=may_create>
                    <button type="button" class="button button-primary" title=move || protection.get()
                        disabled=move || !own() && protection.get().is_some()
                        on:click=move |_| open.set(true)>
                        <Svg icon=Icon::Plus /> "New API key"
                    </button>
                </Shown>
            </div>
            <KeyList of=KeysOf::User(user_id) refresh />
            <NewApiKeyDialog open owner=user_id held on_created=Callback::new(move |()| refresh.notify()) />
        </section>
    }
    .into_any()
}
