//! `/api/v1/auth/me/...`: the signed-in user's own account. Changing the password,
//! ending other sessions, setting up and turning off a second factor, and confirming
//! who one is before a dangerous action.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gatehouse_api::audit::AuditAction;
use gatehouse_api::auth::{
    ChangePassword, ConfirmIdentity, ConfirmTotp, Confirmed, Me, RecoveryCodes, SessionsEnded,
    TotpEnrolment,
};
use gatehouse_api::endpoints::RECENT_AUTH_SECONDS;
use gatehouse_api::users::User;
use gatehouse_api::{Problem, Single};

use super::auth::{me_of, verify_second_factor, Attempt};
use super::single;
use crate::audit::{self, Who};
use crate::auth::{mfa as totp, session_principal, Principal};
use crate::error::{AppError, AppResult};
use crate::extract::{ClientAddr, JsonBody};
use crate::store::Conn;
use crate::store::{begin_write, mfa, sessions, tenants, to_time, users};
use crate::AppState;

/// The name authenticator apps show next to the codes.
const ISSUER: &str = "Gatehouse";

async fn current_user(state: &AppState, principal: &Principal) -> AppResult<User> {
    users::get(&state.db, &principal.tenant_id, principal.user_id)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("Sign in again.".into()))
}

/// Checks the caller's password, counting a wrong one like a failed sign-in.
async fn check_password(
    state: &AppState,
    attempt: &Attempt,
    user: &User,
    password: String,
    field: &str,
) -> AppResult<()> {
    attempt.refuse_if_blocked(state).await?;
    let stored = users::password_hash(&state.db, user.id).await?;
    if state.hasher.verify(password, stored).await? {
        return Ok(());
    }
    attempt.failed(state).await?;
    Err(AppError::field(field, "This is not your current password."))
}

/// Changes the caller's own password. Their other sessions end; this one goes on, and
/// no longer owes a password change.
#[utoipa::path(post, path = "/api/v1/auth/me/password", tag = "account", security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, body = Single<Me>),
        (status = 422, description = "Current password wrong, or the new one against the policy", body = Problem),
        (status = 429, body = Problem),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    principal: Principal,
    JsonBody(request): JsonBody<ChangePassword>,
) -> AppResult<Json<Single<Me>>> {
    let user = current_user(&state, &principal).await?;
    request
        .validate(&user.email)
        .map_err(AppError::Validation)?;
    let attempt = Attempt::new(&client, &user.tenant_id, &user.email);
    check_password(
        &state,
        &attempt,
        &user,
        request.current_password,
        "current_password",
    )
    .await?;
    let hash = state.hasher.hash(request.new_password).await?;
    let mut tx = begin_write(&state.db).await?;
    users::set_password(&mut tx, &user.tenant_id, user.id, hash, false).await?;
    sessions::revoke_others(&mut *tx, user.id, &principal.token_hash).await?;
    own(&mut tx, &principal, AuditAction::PasswordChanged).await?;
    tx.commit().await?;
    let principal = session_principal(&state, principal.token_hash).await?;
    Ok(single(me_of(&state, principal).await?))
}

/// Signs the caller out everywhere else.
#[utoipa::path(post, path = "/api/v1/auth/me/sessions/end-others", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Single<SessionsEnded>), (status = 401, body = Problem)))]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<SessionsEnded>>> {
    let mut tx = begin_write(&state.db).await?;
    let ended = sessions::revoke_others(&mut *tx, principal.user_id, &principal.token_hash).await?;
    own(&mut tx, &principal, AuditAction::OtherSessionsEnded).await?;
    tx.commit().await?;
    Ok(single(SessionsEnded { ended }))
}

/// Confirms who is at the keyboard, with the password or an authenticator code, so that
/// dangerous actions go ahead for the next few minutes.
#[utoipa::path(post, path = "/api/v1/auth/me/confirm", tag = "account", security(("bearer" = [])),
    request_body = ConfirmIdentity,
    responses(
        (status = 200, body = Single<Confirmed>),
        (status = 422, description = "Wrong password or code", body = Problem),
        (status = 429, body = Problem),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    principal: Principal,
    JsonBody(request): JsonBody<ConfirmIdentity>,
) -> AppResult<Json<Single<Confirmed>>> {
    let user = current_user(&state, &principal).await?;
    let attempt = Attempt::new(&client, &user.tenant_id, &user.email);
    match (request.password, request.code) {
        (Some(password), _) if !password.is_empty() => {
            check_password(&state, &attempt, &user, password, "password").await?;
        }
        (_, Some(code)) if !code.trim().is_empty() => {
            attempt.refuse_if_blocked(&state).await?;
            if !verify_second_factor(&state, user.id, &code).await? {
                attempt.failed(&state).await?;
                return Err(AppError::field(
                    "code",
                    "That code is not right. Check the time on your device.",
                ));
            }
        }
        _ => {
            return Err(AppError::field(
                "password",
                "Enter your password to confirm it is you.",
            ))
        }
    }
    let confirmed_at = sessions::confirm(&state.db, &principal.token_hash).await?;
    Ok(single(Confirmed {
        valid_until: to_time(confirmed_at + RECENT_AUTH_SECONDS * 1000),
    }))
}

/// Starts setting up an authenticator app: a new secret, shown as a QR code and as
/// text. Nothing changes until a first code confirms it.
#[utoipa::path(post, path = "/api/v1/auth/me/mfa/totp", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, body = Single<TotpEnrolment>),
        (status = 409, description = "A second factor is already set up", body = Problem),
    ))]
pub async fn start_totp(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<TotpEnrolment>>> {
    let user = current_user(&state, &principal).await?;
    if mfa::totp(&state.db, user.id).await?.is_some() {
        return Err(AppError::conflict(
            "Two-step sign-in is already on. Turn it off first to move to another authenticator.",
        ));
    }
    let secret = totp::new_secret();
    mfa::set_pending(&state.db, user.id, &secret).await?;
    let otpauth_uri = totp::otpauth_uri(ISSUER, &user.email, &secret);
    let qr = totp::qr(&otpauth_uri)?;
    Ok(single(TotpEnrolment {
        secret,
        otpauth_uri,
        qr,
    }))
}

/// Finishes setting up: the first code proves the app has the secret. Turns two-step
/// sign-in on and answers with ten recovery codes, shown this once.
#[utoipa::path(post, path = "/api/v1/auth/me/mfa/totp/confirm", tag = "account", security(("bearer" = [])),
    request_body = ConfirmTotp,
    responses(
        (status = 200, body = Single<RecoveryCodes>),
        (status = 409, description = "No set-up in progress", body = Problem),
        (status = 422, description = "Wrong code", body = Problem),
    ))]
pub async fn confirm_totp(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(request): JsonBody<ConfirmTotp>,
) -> AppResult<Json<Single<RecoveryCodes>>> {
    let Some(secret) = mfa::pending(&state.db, principal.user_id).await? else {
        return Err(AppError::conflict(
            "There is no authenticator being set up. Start again.",
        ));
    };
    let Some(step) = totp::verify(&secret, &request.code, 0) else {
        return Err(AppError::field(
            "code",
            "That code is not right. Check that the app shows Gatehouse and that the time on your device is correct.",
        ));
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let mut tx = begin_write(&state.db).await?;
    mfa::activate(&mut tx, principal.user_id, step, &hashes).await?;
    own(&mut tx, &principal, AuditAction::MfaEnabled).await?;
    tx.commit().await?;
    Ok(single(RecoveryCodes { codes }))
}

/// Turns off the caller's own second factor, unless their tenant requires one.
#[utoipa::path(delete, path = "/api/v1/auth/me/mfa", tag = "account", security(("bearer" = [])),
    responses(
        (status = 204, description = "Two-step sign-in is off"),
        (status = 403, description = "Confirm your identity first", body = Problem),
        (status = 409, description = "The tenant requires a second factor", body = Problem),
    ))]
pub async fn disable_mfa(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<StatusCode> {
    if tenants::mfa_required_for(&state.db, &principal.tenant_id, principal.user_id).await? {
        return Err(AppError::conflict(
            "Your organisation requires two-step sign-in for your account, so it cannot be turned off.",
        ));
    }
    let mut tx = begin_write(&state.db).await?;
    users::disable_mfa(&mut tx, &principal.tenant_id, principal.user_id).await?;
    own(&mut tx, &principal, AuditAction::MfaTurnedOff).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the caller's recovery codes with ten new ones; the old ones stop working.
#[utoipa::path(post, path = "/api/v1/auth/me/mfa/recovery-codes", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, body = Single<RecoveryCodes>),
        (status = 403, description = "Confirm your identity first", body = Problem),
        (status = 409, description = "Two-step sign-in is off", body = Problem),
    ))]
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<RecoveryCodes>>> {
    if mfa::totp(&state.db, principal.user_id).await?.is_none() {
        return Err(AppError::conflict(
            "Two-step sign-in is off: there are no recovery codes to replace.",
        ));
    }
    let codes = totp::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let mut tx = begin_write(&state.db).await?;
    mfa::replace_recovery_codes(&mut tx, principal.user_id, &hashes).await?;
    own(&mut tx, &principal, AuditAction::RecoveryCodesReplaced).await?;
    tx.commit().await?;
    Ok(single(RecoveryCodes { codes }))
}

/// Records a change the caller made to their own account.
async fn own(conn: &mut Conn, principal: &Principal, action: AuditAction) -> sqlx::Result<()> {
    audit::record_own(
        conn,
        &principal.tenant_id,
        Who::Caller(principal),
        principal.user_id,
        action,
    )
    .await
}
