//! `/groups/:id`: a group's settings and members.

use gatehouse_api::endpoints;
use gatehouse_api::groups::Group;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use super::form::{GroupDraft, GroupForm};
use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::chips::GroupChip;
use crate::components::confirm::ConfirmDialog;
use crate::components::guarded::GuardedButton;
use crate::components::shown::Shown;
use crate::components::tabs::Tabs;
use crate::components::toast::use_toasts;
use crate::forms::{edit_session, StaleBanner};
use crate::pages::{load_by_id, not_ready_view, LoadState};
use crate::reactive::Task;
use crate::session::use_session;

/// The group on screen, shared with the tabs.
#[derive(Clone, Copy)]
pub struct CurrentGroup {
    pub group: RwSignal<Option<Group>>,
    pub reload: Callback<()>,
}

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let session = use_session();
    let page = load_by_id(move |id| api::groups::get(session, id), |g: &Group| g.id);
    let group = page.current;
    provide_context(CurrentGroup {
        group,
        reload: page.reload,
    });
    let body = move || match page.state.get() {
        LoadState::Ready => view! { <GroupHeader /> <Outlet /> }.into_any(),
        other => not_ready_view(other, "Group", "/groups", page.reload),
    };
    view! {
        <Breadcrumbs parent="Groups" href="/groups" current=Signal::derive(move || group.get().map(|g| g.name).unwrap_or_default()) />
        {body}
    }
}

#[component]
fn GroupHeader() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let CurrentGroup { group, .. } = expect_context::<CurrentGroup>();
    let base = group
        .with_untracked(|g| g.as_ref().map(|g| format!("/groups/{}", g.id)))
        .unwrap_or_default();
    let delete_open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let delete = Task::new(move |_: &()| {
        let target = group.get_untracked();
        let navigate = navigate.clone();
        async move {
            let Some(target) = target else { return };
            match api::groups::delete(session, target.id).await {
                Ok(()) => {
                    delete_open.set(false);
                    toasts.success(format!("The group {} was deleted.", target.name));
                    navigate("/groups", Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let consequence = Signal::derive(move || {
        group
            .get()
            .map(|g| {
                format!(
                    "{} members leave {} and lose the roles it grants. The people themselves stay. This cannot be undone.",
                    g.member_count, g.name
                )
            })
            .unwrap_or_default()
    });
    let summary = move || {
        group.get().map(|g| {
            let roles = g.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
            view! {
                <h1><GroupChip name=g.name.clone() color=g.color.clone() /></h1>
                <p class="muted">
                    {format!("{} members. ", g.member_count)}
                    {if roles.is_empty() { "Grants no roles.".to_owned() } else { format!("Grants {roles}.") }}
                    {g.is_default.then_some(" New users join it.")}
                </p>
            }
        })
    };
    view! {
        <div class="page-header">
            <div>{summary}</div>
            <GuardedButton label="Delete group" class="button-danger" endpoint=endpoints::GROUPS_DELETE
                on_click=Callback::new(move |()| delete_open.set(true)) />
        </div>
        <Tabs label="Group sections" tabs=crate::pages::audit::with_activity(vec![("Members", format!("{base}/members")), ("Settings", base.clone())], &base) />
        <ConfirmDialog open=delete_open title="Delete group" message=consequence confirm_label="Delete group" action=delete error />
    }
}

/// Name, description, colour, default flag and roles.
#[component]
pub fn GroupSettingsTab() -> impl IntoView {
    let session = use_session();
    let CurrentGroup { group, reload } = expect_context::<CurrentGroup>();
    let draft = GroupDraft::default();
    let edit = edit_session(
        group,
        draft,
        reload,
        "Group saved.",
        move |saved: Group, patch| async move {
            api::groups::update(session, saved.id, saved.version, &patch).await
        },
    );
    let read_only =
        Signal::derive(move || session.missing_for(&endpoints::GROUPS_UPDATE).is_some());
    let stale = edit.stale;
    view! {
        <section class="tab-panel" aria-label="Settings">
            <Shown when=move || read_only.get()>
                <p class="banner banner-info">"You can view this group but not change it: that needs the groups:write permission."</p>
            </Shown>
            <Shown when=move || stale.get()>
                <StaleBanner what="group" on_reload=edit.reload_theirs />
            </Shown>
            <GroupForm draft form=edit.form client_errors=edit.client_errors read_only pending=edit.pending
                submit_label="Save group" on_submit=edit.submit />
        </section>
    }
}
