//! The signed-in administrator: token, identity and permissions, shared as context.

use futures::channel::oneshot;
use gatehouse_api::auth::{LoginResponse, Me, Requirement};
use gatehouse_api::endpoints::Endpoint;
use gatehouse_api::{Permission, DEFAULT_TENANT};
use leptos::prelude::*;

const TOKEN_KEY: &str = "gatehouse.token";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Requests paused until the administrator answers a dialog (sign in again, confirm
/// the password), and whether that dialog is open.
#[derive(Clone, Copy)]
pub struct Pause {
    waiting: StoredValue<Vec<oneshot::Sender<bool>>>,
    pub open: RwSignal<bool>,
}

impl Pause {
    fn new() -> Self {
        Self {
            waiting: StoredValue::new(Vec::new()),
            open: RwSignal::new(false),
        }
    }

    /// Opens the dialog and waits for its outcome: `true` to go ahead.
    async fn wait(&self) -> bool {
        let (sender, receiver) = oneshot::channel();
        self.waiting.update_value(|w| w.push(sender));
        self.open.set(true);
        receiver.await.unwrap_or(false)
    }

    /// Closes the dialog and resumes every paused request with `go_ahead`.
    pub fn resume(&self, go_ahead: bool) {
        self.open.set(false);
        for waiter in self
            .waiting
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            let _ = waiter.send(go_ahead);
        }
    }
}

/// Who is signed in. Cheap to copy; every copy is the same session.
#[derive(Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
    me: RwSignal<Option<Me>>,
    /// Requests waiting for the administrator to sign in again.
    pub sign_in_again: Pause,
    /// Requests waiting for the administrator to confirm their password.
    pub confirmation: Pause,
}

impl Session {
    /// A session restored from the browser's storage (token only; `me` is fetched).
    pub fn restore() -> Self {
        let token = storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
        Self::with(token, None)
    }

    /// A session with the given state, for tests and previews.
    pub fn with(token: Option<String>, me: Option<Me>) -> Self {
        Self {
            token: RwSignal::new(token),
            me: RwSignal::new(me),
            sign_in_again: Pause::new(),
            confirmation: Pause::new(),
        }
    }

    pub fn token(&self) -> Option<String> {
        self.token.get_untracked()
    }

    pub fn has_token(&self) -> bool {
        self.token.with(Option::is_some)
    }

    pub fn me(&self) -> Option<Me> {
        self.me.get()
    }

    /// Whether the signed-in identity is known (reactive).
    pub fn has_me(&self) -> bool {
        self.me.with(Option::is_some)
    }

    /// What the session must do before anything else (reactive).
    pub fn requirement(&self) -> Option<Requirement> {
        self.me.with(|me| me.as_ref().and_then(|m| m.requirement))
    }

    pub fn set_me(&self, me: Me) {
        self.me.set(Some(me));
    }

    /// The tenant every request is scoped to.
    pub fn tenant(&self) -> String {
        self.me
            .with_untracked(|me| me.as_ref().map(|m| m.user.tenant_id.clone()))
            .unwrap_or_else(|| DEFAULT_TENANT.to_owned())
    }

    /// Whether the signed-in administrator holds `permission` (reactive).
    pub fn can(&self, permission: Permission) -> bool {
        self.me
            .with(|me| me.as_ref().is_some_and(|m| m.can(permission)))
    }

    /// The permission an endpoint needs that the administrator lacks, if any (reactive).
    pub fn missing_for(&self, endpoint: &Endpoint) -> Option<Permission> {
        endpoint.permission().filter(|p| !self.can(*p))
    }

    /// Records a successful sign-in and resumes requests waiting for one.
    pub fn signed_in(&self, login: LoginResponse) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(TOKEN_KEY, &login.token);
        }
        self.token.set(Some(login.token.clone()));
        self.me.set(Some(login.into()));
        self.sign_in_again.resume(true);
    }

    /// Forgets the token (after sign-out, or when it is no longer valid).
    pub fn clear(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(TOKEN_KEY);
        }
        self.token.set(None);
        self.me.set(None);
        self.sign_in_again.resume(false);
        self.confirmation.resume(false);
    }

    /// Pauses the caller until the administrator signs in again (`true`) or gives up
    /// (`false`). Opens the sign-in dialog; whatever is on screen stays as it is.
    pub async fn wait_for_sign_in(&self) -> bool {
        self.sign_in_again.wait().await
    }

    /// Pauses the caller until the administrator confirms their password (`true`) or
    /// cancels (`false`), for an action the server only allows soon after a sign-in.
    pub async fn wait_for_confirmation(&self) -> bool {
        self.confirmation.wait().await
    }
}

/// The session provided by the app.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
