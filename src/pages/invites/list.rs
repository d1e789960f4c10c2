//! `/invites`: every invite of the tenant, filtered by status, searched by address,
//! sorted and paged, all in the URL. Resend and revoke one, or revoke many at once.

use std::collections::BTreeSet;

use gatehouse_api::endpoints;
use gatehouse_api::invites::{
    Invite, InviteListQuery, InviteStatus, RevokeInvites, RevokeOutcome, RevokeResults,
};
use gatehouse_api::Permission;
use leptos::prelude::*;
use uuid::Uuid;

use super::invite_dialog::InviteDialog;
use super::new_link::{FreshLink, NewLinkDialog};
use super::table::{invite_columns, RowActions};
use crate::api;
use crate::components::confirm::ConfirmDialog;
use crate::components::field::SelectField;
use crate::components::guarded::GuardedButton;
use crate::components::list::{ListResults, ListState, SearchBox};
use crate::components::shown::Shown;
use crate::components::table::{DataTable, Selection, Sorting};
use crate::components::toast::{tally, use_toasts};
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

/// "3 invites revoked; 1 was no longer pending."
pub fn revoke_summary(results: &RevokeResults) -> String {
    let outcomes: Vec<_> = results.results.iter().map(|r| r.outcome).collect();
    tally(
        &outcomes,
        &[
            (
                RevokeOutcome::Revoked,
                "1 invite revoked",
                "{n} invites revoked",
            ),
            (
                RevokeOutcome::NotPending,
                "1 was no longer pending",
                "{n} were no longer pending",
            ),
            (
                RevokeOutcome::NotFound,
                "1 no longer exists",
                "{n} no longer exist",
            ),
        ],
    )
}

#[component]
pub fn InvitesPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let list = ListState::<InviteListQuery>::from_url();
    let query = list.query;
    let invites = Fetched::new(move || {
        let query = query.get();
        async move { api::invites::list(session, &query).await }
    });
    // Whether mail goes out; those who cannot see it are not told either way.
    let mail = Fetched::new(move || {
        let allowed = session.can(Permission::UsersRead);
        async move {
            if allowed {
                api::settings::mail(session).await.ok()
            } else {
                None
            }
        }
    });
    let mail_off = move || {
        mail.get()
            .flatten()
            .is_some_and(|settings| !settings.configured)
    };

    let Sorting {
        state: sort,
        on_sort,
    } = list.url_sorting();
    let status = Signal::derive(move || {
        query.with(|q| q.status.map(|s| s.as_str().to_owned()).unwrap_or_default())
    });
    let on_status =
        Callback::new(move |value: String| list.refine(|q| q.status = InviteStatus::parse(&value)));
    let status_options = std::iter::once((String::new(), "Any".to_owned()))
        .chain(
            InviteStatus::ALL
                .into_iter()
                .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
        )
        .collect::<Vec<_>>();

    let selected = RwSignal::new(BTreeSet::<Uuid>::new());
    let fresh_link = RwSignal::new(None::<FreshLink>);
    let changed = move || {
        selected.set(BTreeSet::new());
        invites.refetch();
    };

    let resend = Task::new(move |invite: &Invite| {
        let invite = invite.clone();
        async move {
            match api::invites::resend(session, invite.id).await {
                Ok(resent) => {
                    fresh_link.set(Some(FreshLink {
                        email: resent.invite.email,
                        link: resent.link,
                    }));
                    changed();
                }
                Err(e) => toasts.error(e.first_message()),
            }
        }
    });

    let revoking = RwSignal::new(None::<Invite>);
    let revoke_open = RwSignal::new(false);
    let revoke_error = RwSignal::new(None::<String>);
    let revoke = Task::new(move |_: &()| {
        let invite = revoking.get_untracked();
        async move {
            let Some(invite) = invite else { return };
            match api::invites::revoke(session, invite.id).await {
                Ok(_) => {
                    revoke_open.set(false);
                    toasts.success(format!("The invite to {} was revoked.", invite.email));
                    changed();
                }
                Err(e) => revoke_error.set(Some(e.first_message())),
            }
        }
    });
    provide_context(RowActions {
        resend: Callback::new(move |invite| {
            resend.dispatch(invite);
        }),
        revoke: Callback::new(move |invite| {
            revoking.set(Some(invite));
            revoke_error.set(None);
            revoke_open.set(true);
        }),
    });

    let bulk = move |all_pending: bool| {
        let open = RwSignal::new(false);
        let error = RwSignal::new(None::<String>);
        let action = Task::new(move |_: &()| {
            let request = RevokeInvites {
                ids: if all_pending {
                    Vec::new()
                } else {
                    selected.get_untracked().into_iter().collect()
                },
                all_pending,
            };
            async move {
                match api::invites::revoke_many(session, &request).await {
                    Ok(results) => {
                        open.set(false);
                        error.set(None);
                        toasts.success(revoke_summary(&results));
                        changed();
                    }
                    Err(e) => error.set(Some(e.first_message())),
                }
            }
        });
        (open, error, action)
    };
    let (selected_open, selected_error, revoke_selected) = bulk(false);
    let (all_open, all_error, revoke_all) = bulk(true);
    let selected_message = Signal::derive(move || {
        let n = selected.with(BTreeSet::len);
        format!("The links of the {n} selected invites stop working at once. Invites already accepted are left as they are.")
    });

    let invite_open = RwSignal::new(false);
    let rows = Callback::new(move |page: Vec<Invite>| {
        let selection = Selection {
            chosen: selected,
            id: |i: &Invite| i.id,
            name: |i: &Invite| i.email.clone(),
        };
        let sorting = Sorting {
            state: sort,
            on_sort,
        };
        view! { <DataTable caption="Invites" columns=invite_columns() rows=page sorting selection /> }
            .into_any()
    });
    let clear = list.clear();
    let invite_button = move || {
        view! {
            <GuardedButton label="Invite people" class="button-primary" endpoint=endpoints::INVITES_CREATE
                on_click=Callback::new(move |()| invite_open.set(true)) />
        }
    };

    view! {
        <div class="page-header">
            <h1>"Invites"</h1>
            {invite_button}
        </div>
        <Shown when=mail_off>
            <p class="banner banner-info" role="note">
                "Email is not configured on this server. Invites are still created: copy each link and send it yourself."
            </p>
        </Shown>
        <div class="toolbar" role="search">
            <SearchBox state=list label="Search invites" placeholder="Search by email" />
            <SelectField id="filter-invite-status" label="Status" inline=true value=status on_change=on_status
                options=status_options />
            <Shown when=move || list.narrowed()>
                <button type="button" class="button button-quiet" on:click=move |_| clear.run(())>"Clear filters"</button>
            </Shown>
        </div>
        <div class="toolbar">
            <GuardedButton label="Revoke selected" endpoint=endpoints::INVITES_REVOKE_MANY
                disabled=Signal::derive(move || selected.with(BTreeSet::is_empty))
                on_click=Callback::new(move |()| selected_open.set(true)) />
            <GuardedButton label="Revoke all pending" endpoint=endpoints::INVITES_REVOKE_MANY
                on_click=Callback::new(move |()| all_open.set(true)) />
            <span class="muted" aria-live="polite">{move || {
                let n = selected.with(BTreeSet::len);
                (n > 0).then(|| format!("{n} selected"))
            }}</span>
        </div>
        <ListResults state=list items=invites noun="invites" columns=9 rows empty=move || view! {
            <div class="empty">
                <h2>"No invites yet"</h2>
                <p>"Invite people by email: they choose their own password and start with the roles and groups you pick."</p>
                {invite_button}
            </div>
        } />
        <InviteDialog open=invite_open on_sent=Callback::new(move |()| changed()) />
        <NewLinkDialog link=fresh_link />
        <ConfirmDialog open=revoke_open title="Revoke invite"
            message=Signal::derive(move || revoking.get().map(|i| format!("The link sent to {} stops working at once.", i.email)).unwrap_or_default())
            confirm_label="Revoke" action=revoke error=revoke_error />
        <ConfirmDialog open=selected_open title="Revoke selected invites" message=selected_message
            confirm_label="Revoke" action=revoke_selected error=selected_error />
        <ConfirmDialog open=all_open title="Revoke all pending invites"
            message="Every pending invite of this organisation is revoked and its link stops working at once."
            confirm_label="Revoke all pending" action=revoke_all error=all_error />
    }
}
