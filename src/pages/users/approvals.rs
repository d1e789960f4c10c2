//! People awaiting approval (those an SSO connection created pending): approve or deny
//! each, or all those chosen. Approving makes the account active; denying disables it
//! with a reason, so it shows why and can still be approved later. One request per
//! person, each judged alone; one sentence says what happened.

use std::collections::BTreeSet;

use gatehouse_api::endpoints;
use gatehouse_api::users::{ChangeStatus, User, UserStatus};
use leptos::prelude::*;
use uuid::Uuid;

use super::list::UsersListScope;
use super::table::UsersTable;
use crate::api;
use crate::components::confirm::ConfirmDialog;
use crate::components::guarded::GuardedButton;
use crate::components::list::ListResults;
use crate::components::table::Selection;
use crate::components::toast::{tally, use_toasts};
use crate::reactive::Task;
use crate::session::use_session;

/// The reason recorded on a denied request.
pub const DENIED_REASON: &str = "Access request denied";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    fn change(self) -> ChangeStatus {
        match self {
            Decision::Approve => ChangeStatus {
                status: UserStatus::Active,
                reason: None,
                terminate_sessions: false,
            },
            Decision::Deny => ChangeStatus {
                status: UserStatus::Disabled,
                reason: Some(DENIED_REASON.to_owned()),
                terminate_sessions: false,
            },
        }
    }
}

/// What became of one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Gone,
    Refused,
}

/// "2 users approved; 1 no longer exists."
pub fn decision_summary(decision: Decision, outcomes: &[Outcome]) -> String {
    let done = match decision {
        Decision::Approve => (Outcome::Done, "1 user approved", "{n} users approved"),
        Decision::Deny => (Outcome::Done, "1 request denied", "{n} requests denied"),
    };
    tally(
        outcomes,
        &[
            done,
            (Outcome::Gone, "1 no longer exists", "{n} no longer exist"),
            (
                Outcome::Refused,
                "1 could not be changed by you",
                "{n} could not be changed by you",
            ),
        ],
    )
}

/// Deciding on access requests, shared by the rows' buttons and the toolbar; provided
/// by [`provide_approvals`].
#[derive(Clone, Copy)]
struct Approvals {
    decide: Callback<(Decision, Vec<User>)>,
    selected: RwSignal<BTreeSet<Uuid>>,
    shown: RwSignal<Vec<User>>,
    busy: Signal<bool>,
    deny_open: RwSignal<bool>,
    denying: RwSignal<Vec<User>>,
    deny: Task<()>,
}

/// A pending row's Approve and Deny buttons (the Actions column).
fn approval_cell(user: &User) -> AnyView {
    let user = user.clone();
    view! { <ApprovalButtons user /> }.into_any()
}

#[component]
fn ApprovalButtons(user: User) -> impl IntoView {
    let decide = expect_context::<Approvals>().decide;
    let (approve_label, deny_label) = (
        format!("Approve {}", user.email),
        format!("Deny {}", user.email),
    );
    let other = user.clone();
    view! {
        <span class="row-actions">
            <GuardedButton label="Approve" class="button-primary" endpoint=endpoints::USERS_SET_STATUS aria_label=approve_label
                on_click=Callback::new(move |()| decide.run((Decision::Approve, vec![user.clone()]))) />
            <GuardedButton label="Deny" endpoint=endpoints::USERS_SET_STATUS aria_label=deny_label
                on_click=Callback::new(move |()| decide.run((Decision::Deny, vec![other.clone()]))) />
        </span>
    }
}

/// The users list's view of those awaiting approval: its toolbar and the rows with
/// Approve and Deny (see [`UsersListScope`]).
#[component]
pub fn PendingApprovalsList() -> impl IntoView {
    let UsersListScope {
        list,
        users,
        sort,
        on_sort,
        selected,
        on_decided,
    } = expect_context();
    let shown = RwSignal::new(Vec::<User>::new());
    provide_approvals(selected, shown, on_decided);
    let rows = Callback::new(move |page: Vec<User>| {
        shown.set(page.clone());
        let selection = Selection {
            chosen: selected,
            id: |u: &User| u.id,
            name: |u: &User| u.email.clone(),
        };
        view! { <UsersTable caption="Awaiting approval" users=page sort on_sort selection actions=approval_cell /> }
            .into_any()
    });
    view! {
        <PendingApprovals />
        <ListResults state=list items=users noun="users" columns=7 rows empty=|| view! {
            <div class="empty"><h2>"No one is waiting for approval"</h2></div>
        } />
    }
}

/// Sets up deciding for a list: `selected` are the chosen rows, `shown` the rows on
/// screen, `on_done` reloads after a decision.
fn provide_approvals(
    selected: RwSignal<BTreeSet<Uuid>>,
    shown: RwSignal<Vec<User>>,
    on_done: Callback<()>,
) {
    let session = use_session();
    let toasts = use_toasts();
    let denying = RwSignal::new(Vec::<User>::new());
    let deny_open = RwSignal::new(false);
    let apply = move |decision: Decision, users: Vec<User>| async move {
        let change = decision.change();
        let mut outcomes = Vec::with_capacity(users.len());
        for user in &users {
            outcomes.push(
                match api::users::set_status(session, user.id, &change).await {
                    Ok(_) => Outcome::Done,
                    Err(e) if e.status() == Some(404) => Outcome::Gone,
                    Err(_) => Outcome::Refused,
                },
            );
        }
        let message = match (users.as_slice(), outcomes.as_slice()) {
            ([user], [Outcome::Done]) if decision == Decision::Approve => {
                format!("{} was approved.", user.email)
            }
            ([user], [Outcome::Done]) => format!("{}'s request was denied.", user.email),
            _ => decision_summary(decision, &outcomes),
        };
        deny_open.set(false);
        if outcomes.iter().all(|o| *o == Outcome::Done) {
            toasts.success(message);
        } else {
            toasts.error(message);
        }
        selected.set(BTreeSet::new());
        on_done.run(());
    };
    let approve = Task::new(move |users: &Vec<User>| apply(Decision::Approve, users.clone()));
    let deny_action = Task::new(move |_: &()| apply(Decision::Deny, denying.get_untracked()));
    provide_context(Approvals {
        decide: Callback::new(
            move |(decision, users): (Decision, Vec<User>)| match decision {
                Decision::Approve => {
                    approve.dispatch(users);
                }
                Decision::Deny => {
                    denying.set(users);
                    deny_open.set(true);
                }
            },
        ),
        selected,
        shown,
        busy: Signal::derive(move || approve.pending().get() || deny_action.pending().get()),
        deny_open,
        denying,
        deny: deny_action,
    });
}

/// The pending view's toolbar ("Approve selected", "Deny selected") and the question
/// before denying.
#[component]
fn PendingApprovals() -> impl IntoView {
    let Approvals {
        decide,
        selected,
        shown,
        busy,
        deny_open,
        denying,
        deny,
    } = expect_context::<Approvals>();
    // Failures are told per person in the toast; the dialog has none of its own.
    let error = RwSignal::new(None::<String>);
    let chosen = move || {
        let ids = selected.get_untracked();
        shown.with_untracked(|rows| {
            rows.iter()
                .filter(|u| ids.contains(&u.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let none_chosen = Signal::derive(move || selected.with(BTreeSet::is_empty) || busy.get());
    let title = Signal::derive(move || match denying.with(Vec::len) {
        1 => "Deny access request".to_owned(),
        n => format!("Deny {n} access requests"),
    });
    let message = Signal::derive(move || {
        denying.with(|users| match users.as_slice() {
            [user] => format!("{} will not be able to sign in. The account is disabled with the reason \u{201c}{DENIED_REASON}\u{201d}; you can still approve it later.", user.email),
            _ => format!("They will not be able to sign in. Their accounts are disabled with the reason \u{201c}{DENIED_REASON}\u{201d}; you can still approve them later."),
        })
    });
    view! {
        <div class="toolbar" role="group" aria-label="Access requests">
            <GuardedButton label="Approve selected" class="button-primary" endpoint=endpoints::USERS_SET_STATUS disabled=none_chosen
                on_click=Callback::new(move |()| decide.run((Decision::Approve, chosen()))) />
            <GuardedButton label="Deny selected" endpoint=endpoints::USERS_SET_STATUS disabled=none_chosen
                on_click=Callback::new(move |()| decide.run((Decision::Deny, chosen()))) />
            <span class="muted" aria-live="polite">{move || {
                let n = selected.with(BTreeSet::len);
                (n > 0).then(|| format!("{n} selected"))
            }}</span>
        </div>
        <ConfirmDialog open=deny_open title message confirm_label="Deny access" action=deny error />
    }
}
