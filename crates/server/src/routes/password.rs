//! Choosing a password with a link: "Forgot password?" asks for one (answered the same
//! whatever the address, and rate-limited), the link's page looks it up and uses it.
//! Using a link ends every session of its user.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gatehouse_api::invites::{
    ForgotPassword, ForgotPasswordAnswer, MailKind, ResetLookup, ResetToken, ResetWithToken,
};
use gatehouse_api::users::{User, UserKind, UserStatus};
use gatehouse_api::validation::{normalize_email, password as password_rule};
use gatehouse_api::{FieldError, Problem, Single, DEFAULT_TENANT};

use super::auth::refuse_if_blocked;
use super::links::{mail_password_link, require_mail};
use super::single;
use crate::auth::token;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientAddr, JsonBody};
use crate::store::{self, resets, sessions, throttle, users};
use crate::AppState;

/// Requests for one address per hour, and from one client per ten minutes.
const PER_ADDRESS: u32 = 5;
const PER_CLIENT: u32 = 20;
/// How long an emailed reset link works.
const LINK_HOURS: i64 = 1;

fn gone() -> AppError {
    AppError::Gone(
        "This link is not valid any more: it was used, a newer one was sent, or it expired. Ask for a new one from the sign-in page.".into(),
    )
}

/// Mails a link to choose a new password to the account with this address, if there is
/// one that may sign in with a password. The answer is the same either way.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotPassword,
    responses(
        (status = 202, body = Single<ForgotPasswordAnswer>),
        (status = 409, description = "This server does not send email", body = Problem),
    ))]
pub async fn forgot(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<ForgotPassword>,
) -> AppResult<(StatusCode, Json<Single<ForgotPasswordAnswer>>)> {
    require_mail(&state, "email")?;
    let tenant = request.tenant_id.as_deref().unwrap_or(DEFAULT_TENANT);
    let email = normalize_email(&request.email);
    let address_key = format!("reset:{tenant}:{email}");
    let client_key = format!("reset-client:{client}");
    refuse_if_blocked(
        &state,
        &[address_key.as_str(), client_key.as_str()],
        "Too many password reset requests",
    )
    .await?;
    let mut conn = state.db.acquire().await?;
    throttle::count_in_window(&mut conn, &address_key, PER_ADDRESS, 60 * 60 * 1000).await?;
    throttle::count_in_window(
        &mut conn,
        &client_key,
        PER_CLIENT,
        throttle::CLIENT_WINDOW_MS,
    )
    .await?;
    drop(conn);
    if let Some(user) = users::find_by_email(&state.db, tenant, &email).await? {
        if user.status == UserStatus::Active && user.kind == UserKind::Person {
            // Issued after answering, so an existing address takes no longer to answer
            // than an unknown one.
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(error) = issue_link(&state, &user).await {
                    tracing::warn!(user = %user.id, %error, "password reset link not issued");
                }
            });
        } else {
            tracing::info!(user = %user.id, status = user.status.as_str(), "password reset asked for an account that cannot sign in; no mail");
        }
    }
    Ok((
        StatusCode::ACCEPTED,
        single(ForgotPasswordAnswer {
            message: "If an account uses this address, a link to choose a new password is on its way. It works for an hour, once.".into(),
        }),
    ))
}

async fn issue_link(state: &AppState, user: &User) -> AppResult<()> {
    let mut tx = store::begin_write(&state.db).await?;
    mail_password_link(&mut tx, state, user, MailKind::PasswordReset, LINK_HOURS).await?;
    tx.commit().await?;
    state.mailer.queued.notify_one();
    Ok(())
}

/// Whose link this is, for the page that uses it.
#[utoipa::path(post, path = "/api/v1/auth/password/reset/lookup", tag = "auth", request_body = ResetToken,
    responses(
        (status = 200, body = Single<ResetLookup>),
        (status = 410, description = "Used, replaced or expired", body = Problem),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<ResetToken>,
) -> AppResult<Json<Single<ResetLookup>>> {
    let owner = owner_of(&state, &client, &request.token).await?;
    Ok(single(ResetLookup {
        email: owner.email,
        expires_at: store::to_time(owner.expires_at),
    }))
}

/// The live link's owner; a wrong token counts against the client.
async fn owner_of(state: &AppState, client: &str, token: &str) -> AppResult<resets::ResetOwner> {
    super::links::open_link(
        state,
        client,
        token,
        |hash| async move { resets::owner(&state.db, &hash).await },
        gone,
    )
    .await
}

/// Sets the new password chosen with a link, once; every session of the user ends.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetWithToken,
    responses(
        (status = 204, description = "Changed; sign in with the new password"),
        (status = 410, description = "Used, replaced or expired", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<ResetWithToken>,
) -> AppResult<StatusCode> {
    let owner = owner_of(&state, &client, &request.token).await?;
    if let Err(message) = password_rule(&request.new_password, &owner.email) {
        return Err(AppError::Validation(vec![FieldError::new(
            "new_password",
            message,
        )]));
    }
    let hash = state.hasher.hash(request.new_password).await?;
    let mut tx = store::begin_write(&state.db).await?;
    if !resets::take(&mut tx, &token::hash(request.token.trim())).await? {
        return Err(gone());
    }
    users::set_password(&mut tx, &owner.tenant_id, owner.user_id, hash, false).await?;
    sessions::revoke_all(&mut *tx, owner.user_id).await?;
    crate::audit::record_own(
        &mut tx,
        &owner.tenant_id,
        crate::audit::Who::User(owner.user_id),
        owner.user_id,
        gatehouse_api::audit::AuditAction::PasswordReset,
    )
    .await?;
    tx.commit().await?;
    throttle::clear(
        &state.db,
        &throttle::account_key(&owner.tenant_id, &owner.email),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
