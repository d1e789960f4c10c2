//! `/sso/:id`: a connection's settings, mappings, the values its provider needs, and a
//! dry run of the mappings; deleting it.

use gatehouse_api::endpoints;
use gatehouse_api::sso::SsoConnection;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use super::draft::SettingsDraft;
use super::form::ConnectionFields;
use crate::api;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::confirm::ConfirmDialog;
use crate::components::form_frame::FormFrame;
use crate::components::guarded::GuardedButton;
use crate::components::shown::Shown;
use crate::components::status::Badge;
use crate::components::tabs::Tabs;
use crate::components::toast::use_toasts;
use crate::forms::{edit_session, StaleBanner};
use crate::pages::{load_by_id, not_ready_view, LoadState};
use crate::reactive::Task;
use crate::session::use_session;

/// The connection on screen, shared with the tabs.
#[derive(Clone, Copy)]
pub struct CurrentConnection {
    pub connection: RwSignal<Option<SsoConnection>>,
    pub reload: Callback<()>,
}

#[component]
pub fn SsoDetailPage() -> impl IntoView {
    let session = use_session();
    let page = load_by_id(
        move |id| api::sso::get(session, id),
        |c: &SsoConnection| c.id,
    );
    let connection = page.current;
    provide_context(CurrentConnection {
        connection,
        reload: page.reload,
    });
    let body = move || match page.state.get() {
        LoadState::Ready => view! { <ConnectionHeader /> <Outlet /> }.into_any(),
        other => not_ready_view(other, "Connection", "/sso", page.reload),
    };
    view! {
        <Breadcrumbs parent="SSO" href="/sso" current=Signal::derive(move || connection.get().map(|c| c.title).unwrap_or_default()) />
        {body}
    }
}

/// "Enabled" or "Disabled", with the one colour language of states.
#[component]
pub fn EnabledBadge(enabled: bool) -> impl IntoView {
    if enabled {
        view! { <Badge tone="ok" label="Enabled" state="ENABLED" /> }
    } else {
        view! { <Badge tone="off" label="Disabled" state="DISABLED" /> }
    }
}

#[component]
fn ConnectionHeader() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let CurrentConnection { connection, .. } = expect_context::<CurrentConnection>();
    let base = connection
        .with_untracked(|c| c.as_ref().map(|c| format!("/sso/{}", c.id)))
        .unwrap_or_default();
    let delete_open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let delete = Task::new(move |_: &()| {
        let target = connection.get_untracked();
        let navigate = navigate.clone();
        async move {
            let Some(target) = target else { return };
            match api::sso::delete(session, target.id).await {
                Ok(()) => {
                    delete_open.set(false);
                    toasts.success(format!("The connection {} was deleted.", target.title));
                    navigate("/sso", Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    let consequence = Signal::derive(move || {
        connection
            .get()
            .map(|c| {
                format!(
                    "Nobody can sign in through {} any more. The {} people who signed in through it keep their accounts, groups and roles. This cannot be undone.",
                    c.title, c.user_count
                )
            })
            .unwrap_or_default()
    });
    let summary = move || {
        connection.get().map(|c| {
            view! {
                <h1>{c.title.clone()}" "<EnabledBadge enabled=c.enabled /></h1>
                <p class="muted">
                    {format!("{} · {} · {} people signed in through it.", c.protocol.label(), c.preset.label(), c.user_count)}
                </p>
            }
        })
    };
    view! {
        <div class="page-header">
            <div>{summary}</div>
            <GuardedButton label="Delete connection" class="button-danger" endpoint=endpoints::SSO_DELETE
                on_click=Callback::new(move |()| delete_open.set(true)) />
        </div>
        <Tabs label="Connection sections" tabs=crate::pages::audit::with_activity(vec![
            ("Settings", base.clone()),
            ("Mappings", format!("{base}/mappings")),
            ("Service provider details", format!("{base}/service-provider")),
            ("Test", format!("{base}/test")),
        ], &base) />
        <ConfirmDialog open=delete_open title="Delete connection" message=consequence confirm_label="Delete connection" action=delete error />
    }
}

/// Whether the signed-in administrator may only look (reactive).
pub fn read_only() -> Signal<bool> {
    let session = use_session();
    Signal::derive(move || session.missing_for(&endpoints::SSO_UPDATE).is_some())
}

/// The settings, saved against the version on screen; secrets only when replaced.
#[component]
pub fn SsoSettingsTab() -> impl IntoView {
    let session = use_session();
    let CurrentConnection { connection, reload } = expect_context::<CurrentConnection>();
    let draft = SettingsDraft::default();
    let edit = edit_session(
        connection,
        draft,
        reload,
        "Connection saved.",
        move |saved: SsoConnection, change| async move {
            api::sso::update(session, saved.id, saved.version, &change.input).await
        },
    );
    let read_only = read_only();
    let stale = edit.stale;
    view! {
        <section class="tab-panel" aria-label="Settings">
            <Shown when=move || read_only.get()>
                <p class="banner banner-info">"You can view this connection but not change it: that needs the sso:write permission."</p>
            </Shown>
            <Shown when=move || stale.get()>
                <StaleBanner what="connection" on_reload=edit.reload_theirs />
            </Shown>
            <FormFrame form=edit.form pending=edit.pending read_only submit_label="Save connection" on_submit=edit.submit>
                <fieldset class="fieldset-plain" disabled=move || read_only.get()>
                    <ConnectionFields draft form=edit.form client_errors=edit.client_errors saved=connection />
                </fieldset>
            </FormFrame>
        </section>
    }
}
