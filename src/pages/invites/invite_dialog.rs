//! "Invite people": paste any number of addresses, pick what they get, choose how long
//! the invites last; then a summary saying what became of each address.

use std::collections::{BTreeMap, BTreeSet};

use gatehouse_api::groups::GroupRef;
use gatehouse_api::invites::{
    parse_addresses, CreateInvites, InviteOutcome, InviteResult, InvitesResult,
    DEFAULT_INVITE_DAYS, MAX_INVITES_PER_REQUEST,
};
use gatehouse_api::{FieldError, Permission};
use leptos::prelude::*;
use uuid::Uuid;

use super::new_link::CopyableLink;
use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::chips::GroupChip;
use crate::components::dialog::Dialog;
use crate::components::field::{SelectField, TextArea, TextField};
use crate::components::pickers::GroupPicker;
use crate::components::role_checklist::RoleChecklist;
use crate::components::shown::Shown;
use crate::components::time::{end_of, now};
use crate::forms::{focus_first_invalid, FormState};
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

/// The expiry presets, and "a date".
const EXPIRY_CHOICES: [(&str, &str); 4] = [
    ("1", "1 day"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("date", "Until a date…"),
];

fn expiry_options() -> Vec<(String, String)> {
    EXPIRY_CHOICES
        .iter()
        .map(|(value, label)| (value.to_string(), label.to_string()))
        .collect()
}

/// What the administrator has typed and picked.
#[derive(Clone, Copy)]
struct InviteDraft {
    addresses: RwSignal<String>,
    roles: RwSignal<BTreeSet<Uuid>>,
    groups: RwSignal<Vec<GroupRef>>,
    expiry: RwSignal<String>,
    until: RwSignal<String>,
    message: RwSignal<String>,
}

impl InviteDraft {
    fn new() -> Self {
        Self {
            addresses: RwSignal::new(String::new()),
            roles: RwSignal::new(BTreeSet::new()),
            groups: RwSignal::new(Vec::new()),
            expiry: RwSignal::new(DEFAULT_INVITE_DAYS.to_string()),
            until: RwSignal::new(String::new()),
            message: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        self.addresses.set(String::new());
        self.roles.set(BTreeSet::new());
        self.groups.set(Vec::new());
        self.expiry.set(DEFAULT_INVITE_DAYS.to_string());
        self.until.set(String::new());
        self.message.set(String::new());
    }

    /// The request: every entry as typed (an address, or what could not be read as
    /// one), so the answer accounts for each.
    fn request(&self) -> CreateInvites {
        let emails = parse_addresses(&self.addresses.get())
            .into_iter()
            .map(|p| p.email.unwrap_or(p.raw))
            .collect();
        let expiry = self.expiry.get();
        CreateInvites {
            emails,
            role_ids: self.roles.get().into_iter().collect(),
            group_ids: self.groups.get().iter().map(|g| g.id).collect(),
            expires_in_days: expiry.parse().ok(),
            expires_at: (expiry == "date")
                .then(|| end_of(&self.until.get()))
                .flatten(),
            message: Some(self.message.get()).filter(|m| !m.trim().is_empty()),
        }
    }
}

#[component]
pub fn InviteDialog(open: RwSignal<bool>, on_sent: Callback<()>) -> impl IntoView {
    let session = use_session();
    let draft = InviteDraft::new();
    let form = FormState::default();
    let outcome = RwSignal::new(None::<InvitesResult>);
    let parsed = Memo::new(move |_| parse_addresses(&draft.addresses.get()));
    let client_errors = Signal::derive(move || {
        let mut errors = draft.request().validate(now()).err().unwrap_or_default();
        if draft.expiry.get() == "date" && end_of(&draft.until.get()).is_none() {
            errors.push(FieldError::new("expires_at", "Choose a date."));
        }
        errors
    });
    let send = Task::new(move |request: &CreateInvites| {
        let request = request.clone();
        async move {
            if let Some(result) = form.settle(api::invites::create(session, &request).await) {
                outcome.set(Some(result));
                on_sent.run(());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.begin();
        if client_errors.with(Vec::is_empty) {
            send.dispatch(draft.request());
        } else {
            focus_first_invalid();
        }
    };
    // Closing after a summary starts the next invite afresh; closing mid-way keeps
    // what was typed.
    let dismiss = Callback::new(move |()| {
        if outcome.get_untracked().is_some() {
            outcome.set(None);
            draft.clear();
        }
    });
    let invite_more = Callback::new(move |retry: String| {
        outcome.set(None);
        draft.addresses.set(retry);
    });
    view! {
        <Dialog open title="Invite people" on_dismiss=dismiss>
            {move || match outcome.get() {
                Some(result) => view! { <InviteSummary result on_more=invite_more on_done=Callback::new(move |()| { open.set(false); dismiss.run(()); }) /> }.into_any(),
                None => view! {
                    <form on:submit=submit novalidate class="invite-form">
                        {move || form.banner.get().map(|message| view! { <ErrorBanner message=message /> })}
                        <TextArea id="emails" label="Email addresses" value=draft.addresses rows=4
                            hint="Separate them with commas, spaces or new lines. Name <address> works too."
                            error=form.error("emails", draft.addresses, client_errors) />
                        <AddressCheck parsed=parsed />
                        <InviteGrants draft />
                        <SelectField id="expiry" label="Invites expire after" value=draft.expiry
                            on_change=Callback::new(move |v| draft.expiry.set(v))
                            options=expiry_options() />
                        <Shown when=move || draft.expiry.get() == "date">
                            <TextField id="expires_at" label="Last day" value=draft.until input_type="date"
                                hint="The invites end at the end of this day (UTC), at most 90 days from now."
                                error=form.error("expires_at", draft.until, client_errors) reveal=form.submitted />
                        </Shown>
                        <TextArea id="message" label="Personal note (optional)" value=draft.message
                            hint="Included in the email." error=form.error("message", draft.message, client_errors) />
                        <div class="dialog-actions">
                            <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                            <button type="submit" class="button button-primary" disabled=move || send.pending().get()>
                                {move || if send.pending().get() {
                                    "Sending invites…".to_owned()
                                } else {
                                    match parsed.with(|p| p.iter().filter(|a| a.email.is_some() && !a.duplicate).count()) {
                                        1 => "Invite 1 person".to_owned(),
                                        n => format!("Invite {n} people"),
                                    }
                                }}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Dialog>
    }
}

/// The addresses as read so far: how many, and each one that is not an address or is
/// repeated, with why.
#[component]
fn AddressCheck(parsed: Memo<Vec<gatehouse_api::invites::ParsedAddress>>) -> impl IntoView {
    let summary = move || {
        parsed.with(|all| {
            let valid = all
                .iter()
                .filter(|a| a.email.is_some() && !a.duplicate)
                .count();
            let invalid = all.iter().filter(|a| a.error.is_some()).count();
            let repeated = all.iter().filter(|a| a.duplicate).count();
            let mut text = format!("{valid} to invite");
            if invalid > 0 {
                text.push_str(&format!(", {invalid} not valid"));
            }
            if repeated > 0 {
                text.push_str(&format!(", {repeated} repeated"));
            }
            if valid > MAX_INVITES_PER_REQUEST {
                text.push_str(&format!(" (at most {MAX_INVITES_PER_REQUEST} at once)"));
            }
            (!all.is_empty()).then_some(text)
        })
    };
    let problems = move || {
        parsed.with(|all| {
            all.iter()
                .filter(|a| a.error.is_some() || a.duplicate)
                .map(|a| {
                    let why = a
                        .error
                        .clone()
                        .unwrap_or_else(|| "Repeated: it is invited once.".into());
                    view! { <li><code>{a.raw.clone()}</code>" — "{why}</li> }
                })
                .collect_view()
        })
    };
    view! {
        <div class="address-check" aria-live="polite">
            <p class="muted">{summary}</p>
            <ul class="address-problems">{problems}</ul>
        </div>
    }
}

/// The roles and groups the invites grant: offered to those who may put people in roles
/// (roles:write) and groups (groups:write), and only those they may grant.
#[component]
fn InviteGrants(draft: InviteDraft) -> impl IntoView {
    let session = use_session();
    let roles = Fetched::new(move || {
        let allowed = session.can(Permission::RolesRead);
        async move {
            if allowed {
                api::roles::all(session).await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    // A group can be chosen when the administrator holds every permission of its roles.
    let refuse = Callback::new(move |role_ids: Vec<Uuid>| {
        let permissions: BTreeMap<Uuid, _> = roles
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.id, r.permissions))
            .collect();
        let lacking: BTreeSet<String> = role_ids
            .iter()
            .filter_map(|id| permissions.get(id))
            .flatten()
            .filter(|p| !session.can(**p))
            .map(|p| p.to_string())
            .collect();
        (!lacking.is_empty()).then(|| {
            format!(
                "Its roles carry permissions you do not hold ({}).",
                lacking.into_iter().collect::<Vec<_>>().join(", ")
            )
        })
    });
    let pick = Callback::new(move |group: GroupRef| {
        draft.groups.update(|chosen| {
            if !chosen.iter().any(|g| g.id == group.id) {
                chosen.push(group);
            }
        })
    });
    view! {
        <Shown when=move || session.can(Permission::RolesRead) && session.can(Permission::RolesWrite)>
            <fieldset>
                <legend>"Roles they get"</legend>
                <RoleChecklist selected=draft.roles read_only=false />
            </fieldset>
        </Shown>
        <Shown when=move || session.can(Permission::GroupsRead) && session.can(Permission::GroupsWrite)>
            <fieldset>
                <legend>"Groups they join"</legend>
                <ul class="chosen-groups">
                    {move || draft.groups.get().into_iter().map(|group| {
                        let id = group.id;
                        let label = format!("Remove {}", group.name);
                        view! {
                            <li>
                                <GroupChip name=group.name color=group.color />
                                <button type="button" class="button button-quiet" aria-label=label
                                    on:click=move |_| draft.groups.update(|g| g.retain(|g| g.id != id))>"Remove"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <GroupPicker on_pick=pick refuse />
            </fieldset>
        </Shown>
    }
}

/// What an outcome says to the administrator.
fn outcome_text(result: &InviteResult) -> String {
    match result.outcome {
        InviteOutcome::Invited => "Invited".into(),
        InviteOutcome::AlreadyAUser => "Already has an account".into(),
        InviteOutcome::AlreadyInvited => "Already invited (left as it was)".into(),
        InviteOutcome::Invalid => format!(
            "Not an address: {}",
            result.reason.clone().unwrap_or_default()
        ),
        InviteOutcome::Duplicate => "Repeated in the list".into(),
    }
}

/// After sending: one line per address, the links (to copy when mail is off), and a
/// way back to fix the ones that did not go.
#[component]
fn InviteSummary(
    result: InvitesResult,
    on_more: Callback<String>,
    on_done: Callback<()>,
) -> impl IntoView {
    let invited = result
        .results
        .iter()
        .filter(|r| r.outcome == InviteOutcome::Invited)
        .count();
    let retry: Vec<String> = result
        .results
        .iter()
        .filter(|r| r.outcome == InviteOutcome::Invalid)
        .map(|r| r.email.clone())
        .collect();
    let headline = match (invited, result.mail_configured) {
        (0, _) => "Nobody new was invited.".to_owned(),
        (n, true) => format!("{n} invited. Their emails are on the way; the links go to them alone."),
        (n, false) => format!("{n} invited. Email is not configured on this server: copy each link and send it yourself."),
    };
    let rows = result
        .results
        .into_iter()
        .map(|r| {
            let text = outcome_text(&r);
            let ok = r.outcome == InviteOutcome::Invited;
            let link = r
                .link
                .clone()
                .map(|link| view! { <CopyableLink link email=r.email.clone() /> });
            view! {
                <tr>
                    <td class="cell-email">{r.email}</td>
                    <td><span class:outcome-ok=ok class:outcome-skipped=!ok>{text}</span></td>
                    <td>{link}</td>
                </tr>
            }
        })
        .collect_view();
    let retry_text = retry.join("\n");
    let retry_count = retry.len();
    view! {
        <div class="invite-summary">
            <p role="status">{headline}</p>
            <div class="table-wrap">
                <table class="table">
                    <caption class="sr-only">"What became of each address"</caption>
                    <thead><tr><th scope="col">"Address"</th><th scope="col">"Result"</th><th scope="col">"Link"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="dialog-actions">
                {(retry_count > 0).then(|| view! {
                    <button type="button" class="button" on:click=move |_| on_more.run(retry_text.clone())>
                        {format!("Fix the {retry_count} that were not addresses")}
                    </button>
                })}
                <button type="button" class="button" on:click=move |_| on_more.run(String::new())>"Invite more"</button>
                <button type="button" class="button button-primary" on:click=move |_| on_done.run(())>"Done"</button>
            </div>
        </div>
    }
}
