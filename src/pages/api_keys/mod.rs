//! API keys: the tenant's list, one's own keys (from the account menu), and the pieces
//! a user's page shares: the keys list and the "New API key" dialog.

mod list;
mod new_key;
mod rename;
mod table;

use leptos::prelude::*;

pub use list::{key_revoke_summary, KeyList, KeysOf};
pub use new_key::{
    curl_example, expiry_choices, expiry_sentence, CreatedKeyPanel, ExpiryPicker, KeyLimit,
    NewApiKeyDialog,
};

use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::icons::{Icon, Svg};
use crate::session::use_session;

/// `/api-keys`: every key of the tenant, whoever owns it.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>"API keys"</h1>
        </div>
        <p class="muted page-intro">"Every key of this organisation. A key acts as its owner, with the owner's permissions or fewer."</p>
        <KeyList of=KeysOf::Tenant />
    }
}

/// `/account/api-keys`: the signed-in user's own keys.
#[component]
pub fn MyApiKeysPage() -> impl IntoView {
    let session = use_session();
    let open = RwSignal::new(false);
    let refresh = Trigger::new();
    let held = Signal::derive(move || session.me().map(|m| m.permissions));
    view! {
        <Breadcrumbs parent="My account" href="/account" current="My API keys" />
        <div class="page-header">
            <h1>"My API keys"</h1>
            <button type="button" class="button button-primary" on:click=move |_| open.set(true)>
                <Svg icon=Icon::Plus /> "New API key"
            </button>
        </div>
        <p class="muted page-intro">"Keys for your scripts and CI jobs. Each acts as you, with your permissions or fewer."</p>
        <KeyList of=KeysOf::Me refresh />
        <NewApiKeyDialog open held on_created=Callback::new(move |()| refresh.notify()) />
    }
}
