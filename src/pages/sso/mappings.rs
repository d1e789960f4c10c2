//! `/sso/:id/mappings`: which Gatehouse groups and roles each IdP group brings. Saved
//! with the rest of the connection (one PUT, If-Match); the server refuses a role that
//! carries permissions the administrator lacks, and says so.

use std::collections::{BTreeMap, BTreeSet};

use gatehouse_api::groups::GroupRef;
use gatehouse_api::sso::SsoConnection;
use gatehouse_api::FieldError;
use leptos::prelude::*;
use uuid::Uuid;

use super::detail::{read_only, CurrentConnection};
use super::draft::MappingsDraft;
use crate::api;
use crate::components::chips::GroupChip;
use crate::components::form_frame::FormFrame;
use crate::components::pickers::GroupPicker;
use crate::components::role_checklist::RoleChecklist;
use crate::components::shown::Shown;
use crate::forms::{edit_session, focus_later, FormState, StaleBanner};
use crate::reactive::{effect, Fetched};
use crate::session::use_session;

#[component]
pub fn SsoMappingsTab() -> impl IntoView {
    let session = use_session();
    let CurrentConnection { connection, reload } = expect_context::<CurrentConnection>();
    let draft = MappingsDraft::default();
    let edit = edit_session(
        connection,
        draft,
        reload,
        "Mappings saved.",
        move |saved: SsoConnection, change| async move {
            api::sso::update(session, saved.id, saved.version, &change.input).await
        },
    );
    let read_only = read_only();
    let stale = edit.stale;
    // Role names for the rows' summaries: the tenant's roles where they may be read,
    // else those the saved mappings name.
    let roles = Fetched::new(move || api::roles::all(session));
    let role_names = Memo::new(move |_| {
        let mut names: BTreeMap<Uuid, String> = connection.with(|c| {
            c.iter()
                .flat_map(|c| c.mappings.iter().flat_map(|m| m.roles.iter()))
                .map(|r| (r.id, r.name.clone()))
                .collect()
        });
        if let Some(Ok(all)) = roles.get() {
            names.extend(all.into_iter().map(|r| (r.id, r.name)));
        }
        names
    });
    let (form, client_errors) = (edit.form, edit.client_errors);
    // Rows added here open with their pickers; those loaded start folded.
    let opened = RwSignal::new(BTreeSet::<u32>::new());
    let add = move |_| {
        let key = draft.add();
        opened.update(|o| {
            o.insert(key);
        });
        focus_later(format!("mapping-{key}-idp-group"));
    };
    view! {
        <section class="tab-panel" aria-label="Mappings">
            <p class="muted">"Each IdP group brings the Gatehouse groups and roles chosen for it, at every sign-in through this connection. IdP groups without a mapping bring nothing."</p>
            <Shown when=move || read_only.get()>
                <p class="banner banner-info">"You can view these mappings but not change them: that needs the sso:write permission."</p>
            </Shown>
            <Shown when=move || stale.get()>
                <StaleBanner what="connection" on_reload=edit.reload_theirs />
            </Shown>
            <FormFrame form pending=edit.pending read_only submit_label="Save mappings" on_submit=edit.submit>
                <fieldset class="fieldset-plain" disabled=move || read_only.get()>
                    <Shown when=move || draft.rows.with(Vec::is_empty)>
                        <p class="empty-inline" id="mappings-empty">"No mappings yet: people signing in get only what their account already has."</p>
                    </Shown>
                    <ol class="mapping-rows">
                        <For each=move || draft.rows.with(|rows| rows.iter().map(|r| r.key).collect::<Vec<_>>())
                            key=|key| *key let:key>
                            <MappingRowView draft key form client_errors role_names opened />
                        </For>
                    </ol>
                    <button type="button" class="button" id="add-mapping" on:click=add>"Add mapping"</button>
                </fieldset>
            </FormFrame>
        </section>
    }
}

/// One mapping: the IdP group's name, what it brings (folded: a summary), and the
/// pickers to change that.
#[component]
fn MappingRowView(
    draft: MappingsDraft,
    key: u32,
    form: FormState,
    client_errors: Signal<Vec<FieldError>>,
    role_names: Memo<BTreeMap<Uuid, String>>,
    opened: RwSignal<BTreeSet<u32>>,
) -> impl IntoView {
    let row = move || {
        draft
            .rows
            .with(|rows| rows.iter().find(|r| r.key == key).cloned())
    };
    let position = move || draft.position(key).unwrap_or_default();
    let number = move || position() + 1;
    let idp_group = RwSignal::new(row().map(|r| r.idp_group).unwrap_or_default());
    let roles = RwSignal::new(row().map(|r| r.role_ids).unwrap_or_default());
    // What is typed and ticked here goes into the draft.
    effect(move |_| {
        let (text, chosen) = (idp_group.get(), roles.get());
        draft.change(key, |r| {
            r.idp_group = text;
            r.role_ids = chosen;
        });
    });
    let error = form.row_error(
        move || format!("mappings[{}].idp_group", position()),
        client_errors,
    );
    let groups = move || row().map(|r| r.groups).unwrap_or_default();
    let pick = Callback::new(move |group: GroupRef| {
        draft.change(key, |r| {
            if !r.groups.iter().any(|g| g.id == group.id) {
                r.groups.push(group);
            }
        })
    });
    let open = move || opened.with(|o| o.contains(&key));
    let input_id = format!("mapping-{key}-idp-group");
    let error_id = format!("mapping-{key}-idp-group-error");
    let pickers_id = format!("mapping-{key}-pickers");
    let role_summary = move || {
        let names = role_names.get();
        roles
            .get()
            .iter()
            .map(|id| names.get(id).cloned().unwrap_or_else(|| "…".to_owned()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <li class="mapping-row" data-key=key>
            <div class="mapping-row-head">
                <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                    <label for=input_id.clone()>{move || format!("IdP group (mapping {})", number())}</label>
                    <input id=input_id.clone() type="text" autocomplete="off" spellcheck="false"
                        aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby=error_id.clone()
                        prop:value=move || idp_group.get() on:input:target=move |ev| idp_group.set(ev.target().value()) />
                    <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
                </div>
                <button type="button" class="button" aria-expanded=move || open().to_string() aria-controls=pickers_id.clone()
                    on:click=move |_| opened.update(|o| if !o.remove(&key) { o.insert(key); })>
                    {move || if open() { "Done choosing" } else { "Choose groups and roles" }}
                </button>
                <button type="button" class="button button-quiet" aria-label=move || format!("Remove mapping {}", number())
                    on:click=move |_| draft.remove(key)>"Remove"</button>
            </div>
            <div class="mapping-brings">
                <span class="muted">"Brings: "</span>
                <ul class="chip-list" aria-label=move || format!("Groups of mapping {}", number())>
                    {move || groups().into_iter().map(|g| {
                        let (id, name) = (g.id, g.name.clone());
                        view! {
                            <li>
                                <GroupChip name=g.name color=g.color />
                                <button type="button" class="icon-button" aria-label=format!("Remove the group {name} from this mapping")
                                    on:click=move |_| draft.change(key, |r| r.groups.retain(|x| x.id != id))>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <span class="mapping-roles">{move || {
                    let names = role_summary();
                    if names.is_empty() { "no roles".to_owned() } else { format!("roles: {names}") }
                }}</span>
            </div>
            <Shown when=open>
                <div class="split mapping-pickers" id=pickers_id.clone()>
                    <div>
                        <h3>"Groups"</h3>
                        <GroupPicker on_pick=pick />
                    </div>
                    <div>
                        <h3>"Roles"</h3>
                        <RoleChecklist selected=roles read_only=false id_prefix=format!("mapping-{key}-role") />
                    </div>
                </div>
            </Shown>
        </li>
    }
}
