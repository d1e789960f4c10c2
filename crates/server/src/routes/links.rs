//! Links with a secret in them (an invite, a password link), and the mail that carries
//! them. The secret rides in the URL fragment, which browsers never send to a server or
//! put in a Referer; the console reads it and sends it in a request body.

use chrono::{TimeZone, Utc};
use gatehouse_api::invites::MailKind;
use gatehouse_api::users::User;

use crate::auth::token;
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::store::Conn;
use crate::store::{self, outbox, resets, tenants};
use crate::AppState;

/// Prefix of invite codes.
pub const INVITE_PREFIX: &str = "ghinv_";
/// Prefix of password links.
pub const PASSWORD_PREFIX: &str = "ghpw_";

/// `<console>/<page>#<key>=<secret>`.
pub fn link(state: &AppState, page: &str, key: &str, secret: &str) -> String {
    format!("{}/{page}#{key}={secret}", state.console_url)
}

/// A time as mail says it: "25 November 2026, 10:14 UTC".
pub fn human_time(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The tenant's name, for mail.
pub async fn tenant_name(state: &AppState, tenant: &str) -> AppResult<String> {
    Ok(tenants::get(&state.db, tenant)
        .await?
        .map_or_else(|| tenant.to_owned(), |t| t.name))
}

/// 409 when a request needs mail and the server has none.
pub fn require_mail(state: &AppState, field: &str) -> AppResult<()> {
    if state.mailer.configured() {
        Ok(())
    } else {
        Err(AppError::conflict_on(
            field,
            "This server does not send email (no SMTP server is configured), so no link can be mailed. Set a password instead, or ask the operator to configure mail.",
        ))
    }
}

/// Issues a single-use password link for `user`, valid `hours`, and queues the message
/// that carries it (a reset, or a welcome). Earlier links of theirs stop working.
pub async fn mail_password_link(
    conn: &mut Conn,
    state: &AppState,
    user: &User,
    kind: MailKind,
    hours: i64,
) -> AppResult<()> {
    let secret = token::generate(PASSWORD_PREFIX);
    let expires_at = store::now_ms() + hours * 3600 * 1000;
    resets::create(conn, &token::hash(&secret), user.id, expires_at).await?;
    let tenant = tenant_name(state, &user.tenant_id).await?;
    let url = link(state, "reset-password", "token", &secret);
    let expires = human_time(expires_at);
    let content = match kind {
        MailKind::Welcome => mail::welcome(&tenant, &url, &expires),
        _ => mail::password_reset(&tenant, &url, &expires),
    };
    outbox::enqueue(
        conn,
        &outbox::NewMail {
            tenant: &user.tenant_id,
            kind,
            to: &user.email,
            subject: &content.subject,
            text: &content.text,
            html: &content.html,
            user: Some(user.id),
        },
    )
    .await?;
    Ok(())
}

/// What the secret of a link opens (an invite, a password link), looked up by its hash.
/// A blocked client is refused first, and an unknown secret counts against the client
/// like a failed sign-in (so links cannot be guessed), answering `gone()`.
pub async fn open_link<T, Fut>(
    state: &AppState,
    client: &str,
    secret: &str,
    lookup: impl FnOnce(Vec<u8>) -> Fut,
    gone: fn() -> AppError,
) -> AppResult<T>
where
    Fut: std::future::Future<Output = sqlx::Result<Option<T>>>,
{
    use crate::store::throttle;
    let client_key = throttle::client_key(client);
    super::auth::refuse_if_blocked(
        state,
        &[client_key.as_str()],
        "Too many invalid links from this address",
    )
    .await?;
    match lookup(token::hash(secret.trim())).await? {
        Some(found) => Ok(found),
        None => {
            throttle::client_failed(
                &mut state.db.acquire().await?,
                &client_key,
                state.settings.max_failed_logins_per_client,
            )
            .await?;
            Err(gone())
        }
    }
}
