//! Bulk actions on the users list: act on the rows chosen on the page, or on every user
//! the filter matches (the count is stated first). The server runs the action; the
//! dialog first asks it what would happen (a dry run), then runs it, then shows what
//! happened to whom.

use std::collections::BTreeSet;

use crate::components::link::A;
use crate::components::shown::Shown;
use crate::reactive::{effect, Fetched, Task};
use gatehouse_api::bulk::{
    BulkAction, BulkOutcome, BulkRequest, BulkResult, BulkSelection, MAX_BULK_USERS,
};
use gatehouse_api::groups::GroupRef;
use gatehouse_api::users::UserListQuery;
use gatehouse_api::{Pagination, Permission};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::dialog::Dialog;
use crate::components::field::{SelectField, TextField};
use crate::components::lazy::LazyDialog;
use crate::components::pager::about;
use crate::components::pickers::GroupPicker;
use crate::session::use_session;

/// The actions offered, with the permission each needs.
const ACTIONS: [(&str, &str, Permission); 9] = [
    ("disable", "Disable", Permission::UsersWrite),
    ("enable", "Enable", Permission::UsersWrite),
    ("lock", "Lock", Permission::UsersWrite),
    ("unlock", "Unlock", Permission::UsersWrite),
    ("add_to_group", "Add to group", Permission::GroupsWrite),
    (
        "remove_from_group",
        "Remove from group",
        Permission::GroupsWrite,
    ),
    ("assign_role", "Give a role", Permission::RolesWrite),
    ("remove_role", "Take a role away", Permission::RolesWrite),
    ("delete", "Delete", Permission::UsersDelete),
];

/// What the dialog's fields hold.
#[derive(Clone, Copy)]
struct Choices {
    kind: RwSignal<String>,
    reason: RwSignal<String>,
    group: RwSignal<Option<GroupRef>>,
    role: RwSignal<String>,
    typed_count: RwSignal<String>,
}

impl Choices {
    /// The action, once everything it needs is chosen.
    fn action(&self) -> Result<BulkAction, String> {
        let reason = Some(self.reason.get_untracked()).filter(|r| !r.trim().is_empty());
        let group = || {
            self.group
                .get_untracked()
                .map(|g| g.id)
                .ok_or("Choose a group.".to_owned())
        };
        let role = || {
            self.role
                .get_untracked()
                .parse::<Uuid>()
                .map_err(|_| "Choose a role.".to_owned())
        };
        Ok(match self.kind.get_untracked().as_str() {
            "disable" => BulkAction::Disable { reason },
            "enable" => BulkAction::Enable,
            "lock" => BulkAction::Lock { reason },
            "unlock" => BulkAction::Unlock,
            "add_to_group" => BulkAction::AddToGroup { group_id: group()? },
            "remove_from_group" => BulkAction::RemoveFromGroup { group_id: group()? },
            "assign_role" => BulkAction::AssignRole { role_id: role()? },
            "remove_role" => BulkAction::RemoveRole { role_id: role()? },
            "delete" => BulkAction::Delete {
                confirm_count: self
                    .typed_count
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| "Type the number of users to delete.".to_owned())?,
            },
            _ => return Err("Choose an action.".into()),
        })
    }
}

/// "Disabled 98 users; 1 skipped; 1 refused." (or "Would disable…" for a dry run).
pub fn bulk_summary(result: &BulkResult, verb: &str) -> String {
    let people = |n: u64| {
        if n == 1 {
            "1 user".to_owned()
        } else {
            format!("{n} users")
        }
    };
    let lead = if result.dry_run {
        format!("Would {verb} {}", people(result.done))
    } else {
        format!("Done for {}", people(result.done))
    };
    let mut parts = vec![lead];
    if result.skipped > 0 {
        parts.push(format!("{} skipped", result.skipped));
    }
    if result.refused > 0 {
        parts.push(format!("{} refused", result.refused));
    }
    format!("{}.", parts.join("; "))
}

/// What the users list hands its bulk bar, by context: the bar is loaded the first time
/// it shows, once rows are chosen or the list narrowed (a loaded part takes no props).
#[derive(Clone, Copy)]
pub struct BulkScope {
    pub selected: RwSignal<BTreeSet<Uuid>>,
    pub query: Signal<UserListQuery>,
    /// How many users the filter matches (the list's pagination), once known.
    pub matching: Signal<Option<Pagination>>,
    /// Whether a search or filter narrows the list.
    pub narrowed: Signal<bool>,
    pub on_done: Callback<()>,
}

/// The bar above the users table: what is chosen, and the way to act on it.
#[component]
pub fn BulkBar() -> impl IntoView {
    let BulkScope {
        selected,
        query,
        matching,
        narrowed,
        on_done,
    } = expect_context::<BulkScope>();
    let everyone = RwSignal::new(false);
    let open = RwSignal::new(false);
    // A new filter is a new set of people: "all matching" must be chosen again.
    effect(move |_| {
        query.track();
        everyone.set(false);
    });
    let matching_count = move || matching.get().map(|p| p.total_items);
    let count = move || {
        if everyone.get() {
            matching_count().unwrap_or_default()
        } else {
            selected.with(|s| s.len() as u64)
        }
    };
    let too_many = move || matching_count().is_some_and(|n| n > MAX_BULK_USERS as u64);
    provide_context(BulkTarget {
        open,
        selected,
        everyone,
        query,
        count: Signal::derive(count),
        on_done,
    });
    view! {
        <div class="bulk-bar toolbar" role="region" aria-label="Act on many users">
            <span class="bulk-count" aria-live="polite">
                {move || format!("{} selected", selected.with(|s| s.len()))}
            </span>
            <Shown when=move || narrowed.get() && matching_count().is_some_and(|n| n > 0)>
                <label class="checkbox">
                    <input type="checkbox" id="bulk-everyone" prop:checked=move || everyone.get()
                        disabled=too_many
                        on:change:target=move |ev| everyone.set(ev.target().checked()) />
                    {move || format!("All {} users matching this filter", matching.get().map(|p| if p.total_is_estimate { about(p.total_items) } else { p.total_items.to_string() }).unwrap_or_default())}
                </label>
                <Shown when=too_many>
                    <span class="muted">{format!("(at most {MAX_BULK_USERS} at once: narrow the filter)")}</span>
                </Shown>
            </Shown>
            <button type="button" class="button" id="bulk-open" disabled=move || count() == 0
                on:click=move |_| open.set(true)>
                {move || format!("Act on {}…", if count() == 1 { "1 user".to_owned() } else { format!("{} users", count()) })}
            </button>
            <Shown when=move || selected.with(|s| !s.is_empty())>
                <button type="button" class="button button-quiet" on:click=move |_| selected.set(BTreeSet::new())>
                    "Clear selection"
                </button>
            </Shown>
        </div>
        <LazyDialog open load=crate::chunks::bulk_dialog title="Act on users" />
    }
}

/// What the bulk dialog acts on, handed to it by context: it is loaded on demand.
#[derive(Clone, Copy)]
pub struct BulkTarget {
    open: RwSignal<bool>,
    selected: RwSignal<BTreeSet<Uuid>>,
    everyone: RwSignal<bool>,
    query: Signal<UserListQuery>,
    count: Signal<u64>,
    on_done: Callback<()>,
}

/// Choose the action, see what it would do, run it, see what it did.
#[component]
pub fn BulkDialog() -> impl IntoView {
    let BulkTarget {
        open,
        selected,
        everyone,
        query,
        count,
        on_done,
    } = expect_context();
    let session = use_session();
    let choices = Choices {
        kind: RwSignal::new(String::new()),
        reason: RwSignal::new(String::new()),
        group: RwSignal::new(None),
        role: RwSignal::new(String::new()),
        typed_count: RwSignal::new(String::new()),
    };
    let preview = RwSignal::new(None::<BulkResult>);
    let finished = RwSignal::new(None::<(BulkResult, String)>);
    let error = RwSignal::new(None::<String>);
    // Any change to what would run makes the preview stale.
    effect(move |_| {
        choices.kind.track();
        choices.group.track();
        choices.role.track();
        choices.typed_count.track();
        count.track();
        preview.set(None);
    });
    let roles = Fetched::new(move || async move {
        if session.can(Permission::RolesRead) {
            api::roles::names(session).await.unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    let verb = move || {
        let kind = choices.kind.get();
        ACTIONS
            .iter()
            .find(|(key, ..)| *key == kind)
            .map(|(_, label, _)| label.to_lowercase())
            .unwrap_or_default()
    };
    let send = Task::new(move |dry_run: &bool| {
        let dry_run = *dry_run;
        let selection = if everyone.get_untracked() {
            BulkSelection::Filter(query.get_untracked())
        } else {
            BulkSelection::Ids(selected.get_untracked().into_iter().collect())
        };
        let action = choices.action();
        async move {
            let action = match action {
                Ok(action) => action,
                Err(message) => {
                    error.set(Some(message));
                    return;
                }
            };
            let request = BulkRequest {
                action,
                selection,
                dry_run,
            };
            match api::users::bulk(session, &request).await {
                Ok((result, _)) if dry_run => {
                    error.set(None);
                    preview.set(Some(result));
                }
                Ok(done) => {
                    error.set(None);
                    preview.set(None);
                    finished.set(Some(done));
                }
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let close = Callback::new(move |()| {
        if finished.get_untracked().is_some() {
            finished.set(None);
            selected.set(BTreeSet::new());
            everyone.set(false);
            choices.kind.set(String::new());
            on_done.run(());
        }
        open.set(false);
    });
    let options = move || {
        std::iter::once((String::new(), "Choose…".to_owned()))
            .chain(
                ACTIONS
                    .iter()
                    .filter(|(_, _, permission)| session.can(*permission))
                    .map(|(key, label, _)| ((*key).to_owned(), (*label).to_owned())),
            )
            .collect::<Vec<_>>()
    };
    let kind_is = move |kinds: &'static [&'static str]| {
        Signal::derive(move || kinds.contains(&choices.kind.get().as_str()))
    };
    let needs_reason = kind_is(&["disable", "lock"]);
    let needs_group = kind_is(&["add_to_group", "remove_from_group"]);
    let needs_role = kind_is(&["assign_role", "remove_role"]);
    let deleting = kind_is(&["delete"]);
    let role_options = Signal::derive(move || {
        std::iter::once((String::new(), "Choose…".to_owned()))
            .chain(
                roles
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r.id.to_string(), r.name)),
            )
            .collect::<Vec<_>>()
    });
    let busy = send.pending();
    let result_list = |result: BulkResult| {
        let exceptions: Vec<_> = result
            .results
            .iter()
            .filter(|r| r.outcome != BulkOutcome::Done)
            .cloned()
            .collect();
        (!exceptions.is_empty()).then(|| {
            view! {
                <ul class="bulk-exceptions">
                    {exceptions.into_iter().map(|r| {
                        let who = if r.email.is_empty() { r.user_id.to_string() } else { r.email };
                        let outcome = if r.outcome == BulkOutcome::Refused { "Refused" } else { "Skipped" };
                        view! { <li><strong>{who}</strong> " — " {outcome} ": " {r.reason.unwrap_or_default()}</li> }
                    }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <Dialog open title=Signal::derive(move || format!("Act on {} users", count.get())) on_dismiss=close>
            {move || match finished.get() {
                Some((result, request_id)) => view! {
                    <div role="status" class="bulk-summary">
                        <p><strong>{bulk_summary(&result, "")}</strong></p>
                        {result_list(result.clone())}
                        {(result.done > 0 && session.can(Permission::AuditRead)).then(|| view! {
                            <p><A href=format!("/audit?request_id={request_id}") attr:id="bulk-audit-link">
                                {format!("See the {} changes in the audit log", result.done)}
                            </A></p>
                        })}
                    </div>
                    <div class="dialog-actions">
                        <button type="button" class="button button-primary" on:click=move |_| close.run(())>"Done"</button>
                    </div>
                }.into_any(),
                None => view! {
                    <form class="form" on:submit=move |ev| { ev.prevent_default(); send.dispatch(preview.get_untracked().is_none()); }>
                        <SelectField id="bulk-action" label="Action" options=Signal::derive(options)
                            value=choices.kind on_change=Callback::new(move |v| choices.kind.set(v)) />
                        <Shown when=move || needs_reason.get()>
                            <TextField id="bulk-reason" label="Reason (optional)" value=choices.reason
                                hint="Recorded with each change and shown on the user's page. They are signed out everywhere." />
                        </Shown>
                        <Shown when=move || needs_group.get()>
                            <div class="field">
                                <span>"Group: " {move || choices.group.get().map(|g| g.name).unwrap_or_else(|| "none chosen".into())}</span>
                                <GroupPicker on_pick=Callback::new(move |g| choices.group.set(Some(g))) />
                            </div>
                        </Shown>
                        <Shown when=move || needs_role.get()>
                            <SelectField id="bulk-role" label="Role" options=role_options
                                value=choices.role on_change=Callback::new(move |v| choices.role.set(v)) />
                        </Shown>
                        <Shown when=move || deleting.get()>
                            <TextField id="bulk-confirm-count" label="Type the number of users to delete" value=choices.typed_count
                                inputmode="numeric" hint="Deleted users disappear from lists and cannot sign in." />
                        </Shown>
                        {move || error.get().map(|message| view! { <ErrorBanner message /> })}
                        {move || preview.get().map(|result| view! {
                            <div role="status" class="bulk-summary">
                                <p><strong>{bulk_summary(&result, &verb())}</strong></p>
                                {result_list(result)}
                            </div>
                        })}
                        <Shown when=move || busy.get()>
                            <p class="muted" aria-busy="true"><progress></progress> " Working on it…"</p>
                        </Shown>
                        <div class="dialog-actions">
                            <button type="button" class="button" on:click=move |_| close.run(())>"Cancel"</button>
                            <button type="submit" class="button button-primary" id="bulk-submit"
                                disabled=move || busy.get() || preview.with(|p| p.as_ref().is_some_and(|r| r.done == 0))>
                                {move || match preview.get() {
                                    None => "Check what would happen".to_owned(),
                                    Some(result) => format!("{} {} users", capitalised(&verb()), result.done),
                                }}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Dialog>
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
