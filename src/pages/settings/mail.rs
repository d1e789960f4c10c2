//! The mail part of `/settings`: whether the server sends mail and from which address,
//! and a test message that says whether it left.

use gatehouse_api::endpoints;
use gatehouse_api::invites::TestMailResult;
use gatehouse_api::validation;
use leptos::prelude::*;

use crate::api;
use crate::components::banner::ErrorBanner;
use crate::components::field::TextField;
use crate::components::guarded::GuardedButton;
use crate::reactive::{Fetched, Task};
use crate::session::use_session;

#[component]
pub fn MailSection() -> impl IntoView {
    let session = use_session();
    let settings = Fetched::new(move || api::settings::mail(session));
    let to = RwSignal::new(session.me().map(|me| me.user.email).unwrap_or_default());
    let result = RwSignal::new(None::<Result<TestMailResult, String>>);
    let to_error = Signal::derive(move || validation::email(&to.get()).err());
    let test = Task::new(move |_: &()| {
        let to = to.get_untracked();
        async move {
            result.set(None);
            let outcome = api::settings::test_mail(session, &to)
                .await
                .map_err(|e| e.first_message());
            result.set(Some(outcome));
        }
    });
    let status = move || {
        match settings.get() {
        None => view! { <p class="muted" aria-busy="true">"Loading…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBanner message=e.message() on_retry=Callback::new(move |()| settings.refetch()) /> }.into_any(),
        Some(Ok(mail)) if !mail.configured => view! {
            <p class="banner banner-info" role="note">
                "This server does not send email: it was started without an SMTP server (--smtp-url or GATEHOUSE_SMTP_URL). Invites still work: the console shows each link to copy. Password links and welcome emails need mail."
            </p>
        }
        .into_any(),
        Some(Ok(mail)) => view! {
            <p>"Email goes out through the server's SMTP server, from " <strong>{mail.from.unwrap_or_default()}</strong> "."</p>
            <div class="inline-form">
                <TextField id="test_mail_to" label="Send a test message to" value=to input_type="email" error=to_error />
                <GuardedButton label="Send test message" endpoint=endpoints::MAIL_TEST
                    disabled=Signal::derive(move || test.pending().get() || to_error.get().is_some())
                    on_click=Callback::new(move |()| { test.dispatch(()); }) />
            </div>
            <p aria-live="polite">
                {move || test.pending().get().then_some("Sending…")}
                {move || result.get().map(|outcome| match outcome {
                    Ok(r) if r.delivered => view! { <span class="outcome-ok">"The SMTP server accepted the message."</span> }.into_any(),
                    Ok(r) => view! { <span class="field-error">{format!("The message did not leave: {}", r.error.unwrap_or_default())}</span> }.into_any(),
                    Err(message) => view! { <span class="field-error">{message}</span> }.into_any(),
                })}
            </p>
        }
        .into_any(),
    }
    };
    view! {
        <section class="panel" aria-labelledby="mail-heading">
            <h2 id="mail-heading">"Email"</h2>
            {status}
        </section>
    }
}
