//! The group form, shared by "new group" and a group's settings tab.

use std::collections::BTreeSet;

use gatehouse_api::groups::{CreateGroup, Group, UpdateGroup, DEFAULT_COLOR};
use gatehouse_api::FieldError;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::field::{CheckboxField, ColorField, TextField};
use crate::components::form_frame::FormFrame;
use crate::components::role_checklist::RoleChecklist;
use crate::forms::{create_session, Draft, FormState};
use crate::session::use_session;

#[derive(Clone, Copy)]
pub struct GroupDraft {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub color: RwSignal<String>,
    pub is_default: RwSignal<bool>,
    pub roles: RwSignal<BTreeSet<Uuid>>,
}

impl Default for GroupDraft {
    fn default() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            color: RwSignal::new(DEFAULT_COLOR.to_owned()),
            is_default: RwSignal::new(false),
            roles: RwSignal::new(BTreeSet::new()),
        }
    }
}

fn role_ids(group: &Group) -> BTreeSet<Uuid> {
    group.roles.iter().map(|r| r.id).collect()
}

impl GroupDraft {
    pub fn to_create(self) -> CreateGroup {
        CreateGroup {
            name: self.name.get(),
            description: self.description.get(),
            color: self.color.get(),
            is_default: self.is_default.get(),
            role_ids: self.roles.get().into_iter().collect(),
        }
    }

    pub fn to_patch(self, saved: &Group) -> UpdateGroup {
        UpdateGroup {
            name: Some(self.name.get()).filter(|n| n.trim() != saved.name),
            description: Some(self.description.get()).filter(|d| d.trim() != saved.description),
            color: Some(self.color.get()).filter(|c| !c.eq_ignore_ascii_case(&saved.color)),
            is_default: Some(self.is_default.get()).filter(|d| *d != saved.is_default),
            role_ids: Some(self.roles.get())
                .filter(|r| *r != role_ids(saved))
                .map(|r| r.into_iter().collect()),
        }
    }
}

impl Draft<Group> for GroupDraft {
    type Patch = UpdateGroup;

    fn patch(&self, saved: &Group) -> UpdateGroup {
        self.to_patch(saved)
    }

    fn load(&self, saved: &Group) {
        self.name.set(saved.name.clone());
        self.description.set(saved.description.clone());
        self.color.set(saved.color.clone());
        self.is_default.set(saved.is_default);
        self.roles.set(role_ids(saved));
    }
}

#[component]
pub fn GroupForm(
    draft: GroupDraft,
    form: FormState,
    #[prop(into)] client_errors: Signal<Vec<FieldError>>,
    #[prop(into)] read_only: Signal<bool>,
    #[prop(into)] pending: Signal<bool>,
    submit_label: &'static str,
    on_submit: Callback<()>,
    /// Where "Cancel" leads (create pages).
    #[prop(optional)]
    cancel: Option<&'static str>,
) -> impl IntoView {
    view! {
        <FormFrame form pending read_only submit_label on_submit cancel>
            <fieldset disabled=move || read_only.get()>
                <legend>"Group"</legend>
                <TextField id="name" label="Name" value=draft.name required=true
                    error=form.error("name", draft.name, client_errors) reveal=form.submitted />
                <TextField id="description" label="Description" value=draft.description
                    error=form.error("description", draft.description, client_errors) reveal=form.submitted />
                <ColorField id="color" label="Colour" value=draft.color
                    error=form.error("color", draft.color, client_errors) />
                <CheckboxField id="is_default" label="New users join this group" checked=draft.is_default
                    hint="Everyone created from now on becomes a member (and holds its roles)." />
            </fieldset>
            <fieldset>
                <legend>"Roles its members hold"</legend>
                <RoleChecklist selected=draft.roles read_only />
            </fieldset>
        </FormFrame>
    }
}

/// `/groups/new`.
#[component]
pub fn NewGroupPage() -> impl IntoView {
    let session = use_session();
    let draft = GroupDraft::default();
    let create = create_session(
        move || draft.to_create(),
        CreateGroup::validate,
        move |request: CreateGroup| async move { api::groups::create(session, &request).await },
        // A new group is empty: go straight to adding its members.
        |group: &Group| {
            (
                format!("The group {} was created.", group.name),
                format!("/groups/{}/members", group.id),
            )
        },
    );
    view! {
        <Breadcrumbs parent="Groups" href="/groups" current="New group" />
        <div class="page-header"><h1>"New group"</h1></div>
        <GroupForm draft form=create.form client_errors=create.client_errors read_only=false pending=create.pending
            submit_label="Create group" on_submit=create.submit cancel="/groups" />
    }
}
