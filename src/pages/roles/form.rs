//! The role form, shared by "new role" and a role's settings tab.

use std::collections::BTreeSet;

use gatehouse_api::roles::{CreateRole, Role, UpdateRole};
use gatehouse_api::{FieldError, Permission};
use leptos::prelude::*;

use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::field::TextField;
use crate::components::form_frame::FormFrame;
use crate::components::permission_picker::PermissionPicker;
use crate::forms::{create_session, Draft, FormState};
use crate::session::use_session;

/// What the administrator has typed and ticked.
#[derive(Clone, Copy)]
pub struct RoleDraft {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub permissions: RwSignal<BTreeSet<Permission>>,
}

impl Default for RoleDraft {
    fn default() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            permissions: RwSignal::new(BTreeSet::new()),
        }
    }
}

impl RoleDraft {
    pub fn to_create(self) -> CreateRole {
        CreateRole {
            name: self.name.get(),
            description: self.description.get(),
            permissions: self.permissions.get(),
        }
    }

    /// Only what differs from `saved`.
    pub fn to_patch(self, saved: &Role) -> UpdateRole {
        UpdateRole {
            name: Some(self.name.get()).filter(|n| n.trim() != saved.name),
            description: Some(self.description.get()).filter(|d| d.trim() != saved.description),
            permissions: Some(self.permissions.get()).filter(|p| *p != saved.permissions),
        }
    }
}

impl Draft<Role> for RoleDraft {
    type Patch = UpdateRole;

    fn patch(&self, saved: &Role) -> UpdateRole {
        self.to_patch(saved)
    }

    fn load(&self, saved: &Role) {
        self.name.set(saved.name.clone());
        self.description.set(saved.description.clone());
        self.permissions.set(saved.permissions.clone());
    }
}

#[component]
pub fn RoleForm(
    draft: RoleDraft,
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
                <legend>"Role"</legend>
                <TextField id="name" label="Name" value=draft.name required=true
                    error=form.error("name", draft.name, client_errors) reveal=form.submitted disabled=read_only />
                <TextField id="description" label="Description" value=draft.description
                    hint="What the role is for, in a sentence."
                    error=form.error("description", draft.description, client_errors) reveal=form.submitted disabled=read_only />
            </fieldset>
            <fieldset>
                <legend>{move || format!("Permissions ({} chosen)", draft.permissions.with(BTreeSet::len))}</legend>
                <PermissionPicker selected=draft.permissions read_only />
            </fieldset>
        </FormFrame>
    }
}

/// `/roles/new`.
#[component]
pub fn NewRolePage() -> impl IntoView {
    let session = use_session();
    let draft = RoleDraft::default();
    let create = create_session(
        move || draft.to_create(),
        CreateRole::validate,
        move |request: CreateRole| async move { api::roles::create(session, &request).await },
        |role: &Role| {
            (
                format!("The role {} was created.", role.name),
                format!("/roles/{}", role.id),
            )
        },
    );
    view! {
        <Breadcrumbs parent="Roles" href="/roles" current="New role" />
        <div class="page-header"><h1>"New role"</h1></div>
        <RoleForm draft form=create.form client_errors=create.client_errors read_only=false pending=create.pending
            submit_label="Create role" on_submit=create.submit cancel="/roles" />
    }
}
