//! What can be done to a user beyond editing: status changes, a new password, turning
//! off MFA, deletion. Each asks first and says what will happen.

use gatehouse_api::endpoints;
use gatehouse_api::users::{
    ChangeStatus, PasswordResetMethod, ResetPassword, User, UserKind, UserStatus,
};
use gatehouse_api::validation::{self, normalize_email};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::detail::CurrentUser;
use crate::api::{self, ApiError};
use crate::components::banner::ErrorBanner;
use crate::components::confirm::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::field::{CheckboxField, ConfirmField, TextArea, TextField};
use crate::components::guarded::GuardedButton;
use crate::components::shown::Shown;
use crate::components::toast::use_toasts;
use crate::reactive::{effect, Task};
use crate::session::use_session;

/// A status change offered for a user in a given state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StatusAction {
    label: &'static str,
    target: UserStatus,
    explanation: &'static str,
}

fn status_actions(current: UserStatus) -> Vec<StatusAction> {
    let enable = |label| StatusAction {
        label,
        target: UserStatus::Active,
        explanation: "They will be able to sign in again.",
    };
    match current {
        UserStatus::Active => vec![
            StatusAction { label: "Disable", target: UserStatus::Disabled, explanation: "They are signed out everywhere at once and cannot sign in until the account is enabled again." },
            StatusAction { label: "Lock", target: UserStatus::Locked, explanation: "Use this for an account that may be compromised. They are signed out everywhere at once and cannot sign in until it is unlocked." },
        ],
        UserStatus::Disabled => vec![enable("Enable")],
        UserStatus::Locked => vec![enable("Unlock")],
        UserStatus::PendingApproval | UserStatus::PendingEmailVerification => vec![enable("Activate")],
    }
}

#[component]
pub fn UserActions() -> impl IntoView {
    let CurrentUser {
        user, protection, ..
    } = expect_context::<CurrentUser>();
    let status_action = RwSignal::new(None::<StatusAction>);
    let status_open = RwSignal::new(false);
    let password_open = RwSignal::new(false);
    let link_open = RwSignal::new(false);
    let mfa_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    let current = move || user.get();
    let session = use_session();
    // One's own password and second factor change on the account page, which asks for
    // the current password; the server refuses them here.
    let own_or_protected = Signal::derive(move || {
        let own = user.with(|u| u.as_ref().map(|u| u.id)) == session.me().map(|m| m.user.id);
        if own {
            Some("For your own account, use My account (your name at the top).".to_owned())
        } else {
            protection.get()
        }
    });

    view! {
        <div class="actions" role="group" aria-label="User actions">
            {move || current().map(|u| {
                status_actions(u.status).into_iter().map(|action| view! {
                    <GuardedButton label=action.label endpoint=endpoints::USERS_SET_STATUS blocked=protection on_click=Callback::new(move |()| {
                        status_action.set(Some(action));
                        status_open.set(true);
                    }) />
                }).collect_view()
            })}
            // A service account has no password or second factor: it acts through API keys.
            <Shown when=move || current().is_some_and(|u| u.kind != UserKind::Service)>
                <GuardedButton label="Set password" endpoint=endpoints::USERS_RESET_PASSWORD blocked=own_or_protected on_click=Callback::new(move |()| password_open.set(true)) />
                <GuardedButton label="Send reset link" endpoint=endpoints::USERS_RESET_PASSWORD blocked=own_or_protected on_click=Callback::new(move |()| link_open.set(true)) />
                <Shown when=move || current().is_some_and(|u| u.mfa_enabled)>
                    <GuardedButton label="Turn off MFA" endpoint=endpoints::USERS_DISABLE_MFA blocked=own_or_protected on_click=Callback::new(move |()| mfa_open.set(true)) />
                </Shown>
            </Shown>
            <GuardedButton label="Delete" class="button-danger" endpoint=endpoints::USERS_DELETE blocked=protection on_click=Callback::new(move |()| delete_open.set(true)) />
        </div>
        <StatusDialog open=status_open action=status_action />
        <PasswordDialog open=password_open />
        <ResetLinkDialog open=link_open />
        <MfaDialog open=mfa_open />
        <DeleteDialog open=delete_open />
    }
}

/// Runs a request that returns the updated user: on success the page shows the new
/// user, the dialog closes and a toast confirms; on failure the dialog stays open with
/// the message, and everything typed in it stays.
fn user_change<Input, Fut>(
    open: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    success: impl Fn(&User) -> String + Copy + 'static,
    request: impl Fn(Uuid, Input) -> Fut + Copy + 'static,
) -> Task<Input>
where
    Input: Clone + 'static,
    Fut: std::future::Future<Output = Result<User, ApiError>> + 'static,
{
    let CurrentUser { user, .. } = expect_context::<CurrentUser>();
    let toasts = use_toasts();
    Task::new(move |input: &Input| {
        let target = user.get_untracked().map(|u| u.id);
        let input = input.clone();
        async move {
            let Some(id) = target else { return };
            match request(id, input).await {
                Ok(updated) => {
                    error.set(None);
                    open.set(false);
                    toasts.success(success(&updated));
                    user.set(Some(updated));
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    })
}

#[component]
fn StatusDialog(open: RwSignal<bool>, action: RwSignal<Option<StatusAction>>) -> impl IntoView {
    let session = use_session();
    let CurrentUser { user, .. } = expect_context::<CurrentUser>();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let change = user_change(
        open,
        error,
        |u| format!("{} is now {}.", u.email, u.status.label().to_lowercase()),
        move |id, change: ChangeStatus| async move {
            api::users::set_status(session, id, &change).await
        },
    );
    // Each opening starts blank: a reason written for one change never rides along
    // with the next.
    effect(move |_| {
        if !open.get() {
            reason.set(String::new());
            error.set(None);
        }
    });
    let reason_error = Signal::derive(move || validation::reason(&reason.get()).err());
    let name = move || user.get().map(|u| u.name()).unwrap_or_default();
    let title = Signal::derive(move || {
        action
            .get()
            .map(|a| format!("{} {}", a.label, name()))
            .unwrap_or_default()
    });
    let restricting = move || action.get().is_some_and(|a| a.target != UserStatus::Active);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(action) = action.get_untracked() else {
            return;
        };
        if reason_error.get_untracked().is_some() {
            return;
        }
        change.dispatch(ChangeStatus {
            status: action.target,
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
            terminate_sessions: false,
        });
    };
    view! {
        <Dialog open title>
            <form on:submit=submit novalidate>
                <p>{move || action.get().map(|a| a.explanation)}</p>
                {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                <TextArea id="status-reason" label="Reason (optional)" value=reason error=reason_error
                    hint="Recorded with the change and shown on the user's page." />
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="button" class:button-danger=restricting class:button-primary=move || !restricting()
                        disabled=move || change.pending().get()>
                        {move || action.get().map(|a| a.label)}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
fn PasswordDialog(open: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let CurrentUser { user, .. } = expect_context::<CurrentUser>();
    let password = RwSignal::new(String::new());
    let require_change = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let submitted = RwSignal::new(false);
    let reset = user_change(
        open,
        error,
        |u| {
            format!(
                "The password of {} was changed; they were signed out everywhere.",
                u.email
            )
        },
        move |id, reset: ResetPassword| async move {
            api::users::reset_password(session, id, &reset).await
        },
    );
    let email = move || user.get().map(|u| u.email).unwrap_or_default();
    let password_error =
        Signal::derive(move || validation::password(&password.get(), &email()).err());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if password_error.get_untracked().is_none() {
            reset.dispatch(ResetPassword {
                method: PasswordResetMethod::Set,
                new_password: Some(password.get_untracked()),
                require_password_change: require_change.get_untracked(),
            });
        }
    };
    effect(move |_| {
        if !open.get() {
            password.set(String::new());
            submitted.set(false);
        }
    });
    view! {
        <Dialog open title="Set a new password">
            <form on:submit=submit novalidate>
                <p>"The user's current password stops working and they are signed out everywhere."</p>
                {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                <TextField id="new_password" label="New password" value=password input_type="password" autocomplete="new-password"
                    hint="At least 12 characters." error=password_error reveal=submitted required=true />
                <CheckboxField id="require_password_change" label="Ask them to choose their own at next sign-in" checked=require_change />
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || reset.pending().get()>"Set password"</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
fn ResetLinkDialog(open: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let CurrentUser { user, .. } = expect_context::<CurrentUser>();
    let error = RwSignal::new(None::<String>);
    let send = user_change(
        open,
        error,
        |u| format!("A password reset link is on its way to {}.", u.email),
        move |id, ()| async move { api::users::send_reset_link(session, id).await },
    );
    let message = Signal::derive(move || {
        let email = user.get().map(|u| u.email).unwrap_or_default();
        format!("{email} gets an email with a link to choose a new password. Their current password keeps working until they use it; then they are signed out everywhere. The link works once, within 24 hours.")
    });
    view! {
        <ConfirmDialog open title="Send a password reset link" message confirm_label="Send link" action=send error />
    }
}

#[component]
fn MfaDialog(open: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<String>);
    let disable = user_change(
        open,
        error,
        |u| format!("Multi-factor authentication is off for {}.", u.email),
        move |id, ()| async move { api::users::disable_mfa(session, id).await },
    );
    view! {
        <ConfirmDialog
            open
            title="Turn off multi-factor authentication"
            message="Do this for someone who lost their second factor. Until they set it up again, their password alone signs them in."
            confirm_label="Turn off MFA"
            action=disable
            error
        />
    }
}

#[component]
fn DeleteDialog(open: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let CurrentUser { user, .. } = expect_context::<CurrentUser>();
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let email = move || user.get().map(|u| u.email).unwrap_or_default();
    let confirmed = move || normalize_email(&typed.get()) == email();
    let delete = Task::new(move |_: &()| {
        let target = user.get_untracked();
        let typed = typed.get_untracked();
        let navigate = navigate.clone();
        async move {
            let Some(target) = target else { return };
            match api::users::delete(session, target.id, &typed).await {
                Ok(()) => {
                    open.set(false);
                    toasts.success(format!("{} was deleted.", target.email));
                    navigate("/users", Default::default());
                }
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if confirmed() {
            delete.dispatch(());
        }
    };
    view! {
        <Dialog open title="Delete user">
            <form on:submit=submit novalidate>
                <p>
                    "Deleting " <strong>{email}</strong>
                    " removes them from every list and ends their sessions; they will no longer be able to sign in. This cannot be undone here."
                </p>
                {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
                <ConfirmField id="confirm_email" expected=Signal::derive(email) value=typed what="deleting this user" />
                <div class="dialog-actions">
                    <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="button button-danger" disabled=move || !confirmed() || delete.pending().get()>
                        "Delete user"
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
