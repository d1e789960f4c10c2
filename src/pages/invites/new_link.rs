//! After "Resend": with mail, that the new invitation is on its way; without, the new
//! link, once, with a button to copy it (links are stored only as hashes).

use leptos::prelude::*;

use crate::components::clipboard::copy;
use crate::components::dialog::Dialog;
use crate::reactive::effect;

/// An invite just sent again to `email`; the link only when the server does not mail.
#[derive(Clone, Debug, PartialEq)]
pub struct FreshLink {
    pub email: String,
    pub link: Option<String>,
}

/// A read-only field holding a link, with "Copy link" beside it.
#[component]
pub fn CopyableLink(link: String, email: String) -> impl IntoView {
    let label = format!("Invite link for {email}");
    let copy_label = format!("Copy the link for {email}");
    let text = link.clone();
    view! {
        <span class="copy-link">
            <input type="text" readonly prop:value=link aria-label=label
                on:focus:target=move |ev| ev.target().select() />
            <button type="button" class="button" aria-label=copy_label
                on:click=move |_| copy(text.clone(), "Link")>"Copy link"</button>
        </span>
    }
}

#[component]
pub fn NewLinkDialog(link: RwSignal<Option<FreshLink>>) -> impl IntoView {
    let open = RwSignal::new(false);
    effect(move |_| open.set(link.with(Option::is_some)));
    let dismiss = Callback::new(move |()| link.set(None));
    view! {
        <Dialog open title="Invitation sent again" on_dismiss=dismiss>
            {move || link.get().map(|fresh| view! {
                <p>
                    {match fresh.link {
                        None => format!("A new invitation is on its way to {}. ", fresh.email),
                        Some(_) => format!("Email is not configured on this server: send this link to {} yourself. ", fresh.email),
                    }}
                    "Earlier links for this invite no longer work."
                </p>
                {fresh.link.map(|link| view! { <CopyableLink link email=fresh.email /> })}
            })}
            <div class="dialog-actions">
                <button type="button" class="button button-primary" on:click=move |_| link.set(None)>"Done"</button>
            </div>
        </Dialog>
    }
}
