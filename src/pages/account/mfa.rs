//! Two-step sign-in for one's own account: setting up an authenticator app (QR code or
//! key, then a first code), recovery codes shown once, turning it off.

use gatehouse_api::auth::{QrModules, RecoveryCodes, TotpEnrolment};
use leptos::prelude::*;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::clipboard;
use crate::components::field::TextField;
use crate::reactive::Task;
use crate::session::use_session;

/// A QR code drawn as one SVG path, dark on light whatever the theme (scanners need it).
#[component]
pub fn QrCode(qr: QrModules) -> impl IntoView {
    let quiet = 4;
    let side = qr.size + 2 * quiet;
    let mut path = String::new();
    for (y, row) in qr.rows.iter().enumerate() {
        for (x, module) in row.chars().enumerate() {
            if module == '1' {
                path.push_str(&format!(
                    "M{} {}h1v1h-1z",
                    x as u32 + quiet,
                    y as u32 + quiet
                ));
            }
        }
    }
    view! {
        <svg class="qr" viewBox=format!("0 0 {side} {side}") role="img"
            aria-label="QR code holding the key for your authenticator app" shape-rendering="crispEdges">
            <rect width=side height=side fill="#ffffff" />
            <path d=path fill="#000000" />
        </svg>
    }
}

/// The recovery codes, shown once, with a way to copy them.
#[component]
pub fn RecoveryCodesList(codes: RecoveryCodes, on_done: Callback<()>) -> impl IntoView {
    let all = codes.codes.join("\n");
    let copy = move |_| clipboard::copy(all.clone(), "Recovery codes");
    view! {
        <div class="recovery">
            <div class="banner banner-warning" role="alert">
                <p>"Save these recovery codes somewhere safe now: they will not be shown again. Each one signs you in once if you lose your authenticator."</p>
            </div>
            <ol class="recovery-codes" aria-label="Recovery codes">
                {codes.codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <div class="form-actions">
                <button type="button" class="button" on:click=copy>"Copy all"</button>
                <button type="button" class="button button-primary" on:click=move |_| on_done.run(())>"I have saved them"</button>
            </div>
        </div>
    }
}

/// Where a set-up is.
#[derive(Clone, Debug, PartialEq)]
enum Setup {
    Scan(TotpEnrolment),
    Saved(RecoveryCodes),
}

/// Setting up an authenticator: starts at once, shows the QR code and the key, takes a
/// first code, then shows the recovery codes. `on_done` runs once they are saved.
#[component]
pub fn TotpSetup(on_done: Callback<()>) -> impl IntoView {
    let session = use_session();
    let setup = RwSignal::new(None::<Setup>);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let start = Task::new(move |_: &()| async move {
        match api::account::start_totp(session).await {
            Ok(enrolment) => setup.set(Some(Setup::Scan(enrolment))),
            Err(e) => error.set(Some(e.message())),
        }
    });
    start.dispatch(());
    let confirm = Task::new(move |code: &String| {
        let code = code.clone();
        async move {
            match api::account::confirm_totp(session, code).await {
                Ok(codes) => {
                    error.set(None);
                    setup.set(Some(Setup::Saved(codes)));
                }
                Err(e) => error.set(Some(e.first_message())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        confirm.dispatch(code.get_untracked());
    };
    let scan = move |enrolment: TotpEnrolment| {
        view! {
            <ol class="steps">
                <li>
                    <p>"Scan this QR code with an authenticator app (such as 1Password, Google Authenticator or Microsoft Authenticator)."</p>
                    <QrCode qr=enrolment.qr />
                    <p class="muted">"Cannot scan it? Enter this key in the app instead:"</p>
                    <p><code id="totp-secret" class="secret">{enrolment.secret}</code></p>
                </li>
                <li>
                    <form on:submit=submit novalidate>
                        <TextField id="totp-code" label="Enter the six-digit code the app shows" value=code
                            inputmode="numeric" autocomplete="one-time-code" required=true />
                        <button type="submit" class="button button-primary" disabled=move || confirm.pending().get()>
                            {move || if confirm.pending().get() { "Checking…" } else { "Turn on two-step sign-in" }}
                        </button>
                    </form>
                </li>
            </ol>
        }
    };
    view! {
        <div class="totp-setup">
            {move || error.get().map(|message| view! { <ErrorBanner message=message /> })}
            {move || match setup.get() {
                None => view! { <p class="muted" aria-busy="true">"Preparing a new key…"</p> }.into_any(),
                Some(Setup::Scan(enrolment)) => scan(enrolment).into_any(),
                Some(Setup::Saved(codes)) => view! { <RecoveryCodesList codes on_done /> }.into_any(),
            }}
        </div>
    }
}
