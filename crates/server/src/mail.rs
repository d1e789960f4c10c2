//! Mail: what the messages say, and the worker that delivers the outbox through SMTP.
//!
//! Every message goes through the outbox (see [`crate::store::outbox`]): handlers queue
//! it in the transaction of their change, and the worker sends it, retrying with backoff.
//! Without an SMTP server configured nothing is queued; the console shows the links.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::markup::escape;
use crate::store::{outbox, Db};

/// How the server sends mail.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, for a local relay), `smtp://...?tls=required`
    /// (STARTTLS) or `smtps://...` (TLS); user and password in the URL. None: no mail.
    pub smtp_url: Option<String>,
    /// The sender, such as `Gatehouse <gatehouse@example.com>`.
    pub from: String,
    /// The first retry comes this long after a failure, doubling each time.
    pub retry_base: Duration,
    /// Attempts before a message is given up.
    pub max_attempts: u32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Gatehouse <gatehouse@localhost>".into(),
            retry_base: Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}

/// The server's mail: configured or not, and the nudge that wakes the worker.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
    settings: MailSettings,
    /// Wakes the worker when something was queued.
    pub queued: Notify,
}

impl Mailer {
    pub fn new(settings: MailSettings) -> anyhow::Result<Self> {
        let (transport, from) = match &settings.smtp_url {
            Some(url) => (
                Some(
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                        .map_err(|e| anyhow::anyhow!("invalid SMTP URL: {e}"))?
                        .timeout(Some(Duration::from_secs(20)))
                        .build(),
                ),
                Some(
                    settings
                        .from
                        .parse::<Mailbox>()
                        .map_err(|e| anyhow::anyhow!("invalid sender {:?}: {e}", settings.from))?,
                ),
            ),
            None => (None, None),
        };
        Ok(Self {
            transport,
            from,
            settings,
            queued: Notify::new(),
        })
    }

    pub fn configured(&self) -> bool {
        self.transport.is_some()
    }

    /// The sender, when mail is configured.
    pub fn from(&self) -> Option<String> {
        self.from.as_ref().map(ToString::to_string)
    }

    /// Sends one message now; the error in words an administrator can act on.
    pub async fn send(&self, to: &str, content: &Content) -> Result<(), String> {
        let (Some(transport), Some(from)) = (&self.transport, &self.from) else {
            return Err("Email is not configured on this server.".into());
        };
        let to: Mailbox = to.parse().map_err(|e| format!("invalid address: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&content.subject)
            .multipart(MultiPart::alternative_plain_html(
                content.text.clone(),
                content.html.clone(),
            ))
            .map_err(|e| format!("could not build the message: {e}"))?;
        transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| format!("the SMTP server refused or could not be reached: {e}"))
    }

    /// When a message that failed `attempts` times is tried again, or `None` to give up.
    fn retry_at(&self, attempts: u32, now_ms: i64) -> Option<i64> {
        (attempts < self.settings.max_attempts).then(|| {
            let delay = self
                .settings
                .retry_base
                .saturating_mul(1 << attempts.saturating_sub(1).min(12));
            now_ms + i64::try_from(delay.min(Duration::from_secs(3600)).as_millis()).unwrap_or(0)
        })
    }
}

/// A message's subject and bodies.
pub struct Content {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A message with one paragraph of text, an optional quoted note and a button.
fn compose(
    subject: String,
    lines: &[String],
    note: Option<&str>,
    link: &str,
    button: &str,
) -> Content {
    let mut text = lines.join("\n\n");
    if let Some(note) = note {
        text.push_str(&format!("\n\nTheir note:\n{note}"));
    }
    text.push_str(&format!("\n\n{button}: {link}\n"));
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #14171c\">",
    );
    for line in lines {
        html.push_str(&format!("<p>{}</p>", escape(line)));
    }
    if let Some(note) = note {
        html.push_str(&format!(
            "<blockquote style=\"border-left: 3px solid #c9ced6; margin: 0; padding-left: 12px\">{}</blockquote>",
            escape(note).replace('\n', "<br>")
        ));
    }
    html.push_str(&format!(
        "<p><a href=\"{0}\" style=\"display: inline-block; padding: 8px 16px; background: #2f5bd3; color: #ffffff; border-radius: 6px; text-decoration: none\">{1}</a></p>\
         <p style=\"color: #4f5763; font-size: 13px\">Or open this address: {0}</p></body></html>",
        escape(link),
        escape(button)
    ));
    Content {
        subject,
        text,
        html,
    }
}

/// "Ada invited you to Acme".
pub fn invite(
    tenant: &str,
    inviter: Option<&str>,
    link: &str,
    note: Option<&str>,
    expires: &str,
) -> Content {
    let who = inviter.unwrap_or("An administrator");
    compose(
        format!("{who} invited you to {tenant}"),
        &[
            format!("{who} invited you to join {tenant} on Gatehouse."),
            format!("Choose a password to accept. The invitation works until {expires}, once."),
        ],
        note,
        link,
        "Accept the invitation",
    )
}

/// A link to choose a new password.
pub fn password_reset(tenant: &str, link: &str, expires: &str) -> Content {
    compose(
        format!("Choose a new password for {tenant}"),
        &[
            format!("Someone asked to reset the password of your {tenant} account. If it was you, choose a new one with the link below; it works until {expires}, once."),
            "If it was not you, ignore this message: your password stays as it is.".into(),
        ],
        None,
        link,
        "Choose a new password",
    )
}

/// The welcome of a new account, with a link to choose its password.
pub fn welcome(tenant: &str, link: &str, expires: &str) -> Content {
    compose(
        format!("Welcome to {tenant}"),
        &[
            format!("An account was created for you on {tenant}."),
            format!("Choose your password to start; the link works until {expires}, once."),
        ],
        None,
        link,
        "Choose your password",
    )
}

/// Delivers the outbox: takes due messages, sends them, records what happened, and
/// sleeps until the next one is due or something is queued.
pub fn spawn_worker(db: Db, mailer: Arc<Mailer>) {
    if !mailer.configured() {
        return;
    }
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&db, &mailer).await {
                tracing::warn!(%error, "outbox: delivery round failed");
            }
            let wait = match outbox::next_due(&db).await {
                Ok(Some(due)) => {
                    let ms = (due - crate::store::now_ms()).clamp(50, 60_000);
                    Duration::from_millis(u64::try_from(ms).unwrap_or(1000))
                }
                _ => Duration::from_secs(60),
            };
            tokio::select! {
                () = mailer.queued.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Messages in flight at once (each on its own pooled SMTP connection).
const SENDING_AT_ONCE: usize = 8;

/// One round: every due message, a few at a time, each outcome recorded as it comes.
async fn deliver_due(db: &Db, mailer: &Mailer) -> sqlx::Result<()> {
    loop {
        // The lease outlasts a round even when every send waits out its timeout.
        let due = outbox::claim_due(db, 64, 300_000).await?;
        if due.is_empty() {
            return Ok(());
        }
        let mut sending = stream::iter(due)
            .map(|message| async move {
                let content = Content {
                    subject: message.subject,
                    text: message.text,
                    html: message.html,
                };
                let result = mailer.send(&message.to, &content).await;
                (message.id, message.attempts, result)
            })
            .buffer_unordered(SENDING_AT_ONCE);
        while let Some((id, attempts, result)) = sending.next().await {
            match result {
                Ok(()) => outbox::mark_sent(db, id).await?,
                Err(error) => {
                    let retry = mailer.retry_at(attempts, crate::store::now_ms());
                    tracing::warn!(mail = %id, attempts, %error, "outbox: delivery failed");
                    outbox::mark_failed(db, id, &error, retry).await?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_escape_what_people_typed() {
        let content = invite(
            "Acme <Labs>",
            Some("Ada & co"),
            "https://gh.example.com/invite#code=abc",
            Some("<script>alert(1)</script>\nsee you"),
            "1 December 2026",
        );
        assert_eq!(content.subject, "Ada & co invited you to Acme <Labs>");
        assert!(content.html.contains("Acme &lt;Labs&gt;"));
        assert!(content.html.contains("&lt;script&gt;"));
        assert!(!content.html.contains("<script>"));
        assert!(content
            .text
            .contains("https://gh.example.com/invite#code=abc"));
    }

    #[test]
    fn retries_back_off_and_end() {
        let mailer = Mailer::new(MailSettings {
            retry_base: Duration::from_secs(10),
            max_attempts: 3,
            ..MailSettings::default()
        })
        .unwrap();
        assert_eq!(mailer.retry_at(1, 0), Some(10_000));
        assert_eq!(mailer.retry_at(2, 0), Some(20_000));
        assert_eq!(mailer.retry_at(3, 0), None);
    }
}
