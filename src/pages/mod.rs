//! One folder (or file) per area of the console.

mod accept_invite;
pub mod account;
pub mod api_keys;
pub mod audit;
pub mod groups;
pub mod invites;
mod links;
mod login;
mod not_found;
mod password_link;
pub mod roles;
mod settings;
mod setup;
mod shell;
pub mod sso;
pub mod users;

pub use accept_invite::AcceptInvitePage;
pub use account::AccountPage;
pub use api_keys::{ApiKeysPage, MyApiKeysPage};
pub use invites::InvitesPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use password_link::{ForgotPasswordPage, ResetPasswordPage};
pub use settings::SettingsPage;
pub use setup::SetupPage;
pub use shell::{ConfirmIdentityDialog, Shell, SignInAgainDialog};
pub use sso::{NewConnectionPage, SsoDetailPage, SsoDonePage, SsoPage};

/// A same-site path to return to after signing in (never another origin, never the
/// sign-in page itself).
pub fn safe_return_path(next: Option<String>) -> String {
    next.filter(|n| gatehouse_api::validation::is_same_site_path(n) && !n.starts_with("/login"))
        .unwrap_or_else(|| "/users".to_owned())
}

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};
use uuid::Uuid;

use crate::api::ApiError;
use crate::components::banner::ErrorBanner;
use crate::components::link::A;
use crate::reactive::{effect, Fetched};

/// The current route's path with its query (no path prefix, no fragment), untracked: for
/// redirects that must not follow the location they change.
pub fn current_path() -> String {
    let location = use_location();
    let (path, search) = (
        crate::config::route_path(&location.pathname.get_untracked()),
        location.search.get_untracked(),
    );
    let search = search.trim_start_matches('?');
    if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    }
}

/// Where a page that shows one object (a user, a role, a group) is.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    Loading,
    Ready,
    NotFound(String),
    Failed(String),
}

/// An object page's data: the id in the route, the object on screen (as last loaded or
/// saved), and the page's state.
pub struct Loaded<T: Send + Sync + 'static> {
    pub current: RwSignal<Option<T>>,
    pub state: Memo<LoadState>,
    /// Loads the object again.
    pub reload: Callback<()>,
}

/// Loads the object named by the route's `:id` with `fetch`, and follows id changes.
/// The state depends on the object's presence only, not its fields: a save must not
/// rebuild the page (and lose what is typed in its tabs).
pub fn load_by_id<T, Fut>(fetch: impl Fn(Uuid) -> Fut + 'static, id_of: fn(&T) -> Uuid) -> Loaded<T>
where
    T: Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<Uuid>().ok())
    });
    let loaded = Fetched::new(move || {
        let request = id.get().map(&fetch);
        async move {
            match request {
                Some(request) => request.await.map(Some),
                None => Ok(None),
            }
        }
    });
    let current = RwSignal::new(None::<T>);
    effect(move |_| {
        if let Some(Ok(found)) = loaded.get() {
            current.set(found);
        }
    });
    let shown = move || {
        current
            .with(|c| c.as_ref().map(id_of))
            .is_some_and(|shown| Some(shown) == id.get())
    };
    let state = Memo::new(move |_| match loaded.get() {
        _ if shown() => LoadState::Ready,
        Some(Ok(None)) => {
            LoadState::NotFound("It does not exist, or the link is incomplete.".into())
        }
        Some(Err(e)) if e.status() == Some(404) => LoadState::NotFound(e.message()),
        Some(Err(e)) => LoadState::Failed(e.message()),
        _ => LoadState::Loading,
    });
    Loaded {
        current,
        state,
        reload: Callback::new(move |()| loaded.refetch()),
    }
}

/// What an object page shows when it is not ready.
pub fn not_ready_view(
    state: LoadState,
    what: &'static str,
    back: &'static str,
    retry: Callback<()>,
) -> AnyView {
    match state {
        LoadState::NotFound(message) => view! {
            <div class="empty">
                <h1>{format!("{what} not found")}</h1>
                <p>{message}</p>
                <A href=back attr:class="button">"Back to the list"</A>
            </div>
        }
        .into_any(),
        LoadState::Failed(message) => {
            view! { <ErrorBanner message=message on_retry=retry /> }.into_any()
        }
        _ => view! { <p class="muted" aria-busy="true">"Loading…"</p> }.into_any(),
    }
}
