//! Signing in (a password, then a second factor when the account has one) and out, the
//! signed-in identity, the permission catalogue and tenants.
//!
//! Every failed attempt counts against the client's address and against the email
//! address tried (known or not); too many in a row block that key for a while, with a
//! 429 that says when to try again. Nothing locks an account for good, and an account
//! that cannot sign in (disabled, locked, pending) gets the same answer as a wrong
//! password, so answers never confirm a password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use gatehouse_api::audit::{AuditAction, TargetType};
use gatehouse_api::auth::{
    LoginMfaRequest, LoginRequest, LoginResponse, LoginStep, Me, MfaChallenge, PermissionInfo,
    Requirement,
};
use gatehouse_api::tenants::Tenant;
use gatehouse_api::users::{UserKind, UserStatus};
use gatehouse_api::validation::normalize_email;
use gatehouse_api::{Permission, Problem, Single, DEFAULT_TENANT};
use uuid::Uuid;

use super::single;
use crate::audit::{self, Event, Who};
use crate::auth::{mfa as totp, token, Principal};
use crate::error::{AppError, AppResult};
use crate::extract::{ClientAddr, JsonBody};
use crate::store::Conn;
use crate::store::{self, mfa, sessions, tenants, throttle, users};
use crate::AppState;

/// Longest password sign-in will even try to verify.
const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest second-factor code worth looking at.
const MAX_CODE_CHARS: usize = 64;
/// How long the second step of a sign-in may take.
const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes one challenge takes before sign-in starts over.
const CHALLENGE_ATTEMPTS: i64 = 5;

fn wrong() -> AppError {
    AppError::Unauthenticated("The email or password is not right.".into())
}

/// What a failed sign-in is about, for the audit log.
pub struct Failure<'a> {
    pub tenant: &'a str,
    pub email: &'a str,
    pub user: Option<&'a gatehouse_api::users::User>,
    pub why: &'a str,
}

/// The throttle keys of one sign-in attempt: the client's address and the email tried.
pub struct Attempt {
    client: String,
    account: String,
}

impl Attempt {
    pub fn new(client: &str, tenant: &str, email: &str) -> Self {
        Self {
            client: throttle::client_key(client),
            account: throttle::account_key(tenant, email),
        }
    }

    /// 429 with `Retry-After` while either key is blocked.
    pub async fn refuse_if_blocked(&self, state: &AppState) -> AppResult<()> {
        refuse_if_blocked(
            state,
            &[self.client.as_str(), self.account.as_str()],
            "Too many failed sign-in attempts",
        )
        .await
    }

    /// Counts a failed attempt against the client and the address (a confirmation of
    /// identity, a second-factor code on the account page).
    pub async fn failed(&self, state: &AppState) -> AppResult<()> {
        let mut tx = store::begin_write(&state.db).await?;
        self.count(state, &mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count(&self, state: &AppState, conn: &mut Conn) -> AppResult<()> {
        let settings = &state.settings;
        throttle::account_failed(
            &mut *conn,
            &self.account,
            settings.max_failed_logins,
            settings.sign_in_block.num_milliseconds(),
        )
        .await?;
        throttle::client_failed(conn, &self.client, settings.max_failed_logins_per_client).await?;
        Ok(())
    }

    /// A failed sign-in: counted (unless `counts` is false: the right password for an
    /// account that cannot sign in), and recorded in the tenant's audit log with the
    /// lockout it caused, if it did, all in one write.
    pub async fn failed_sign_in(
        &self,
        state: &AppState,
        failure: Failure<'_>,
        counts: bool,
    ) -> AppResult<()> {
        let known_tenant =
            failure.user.is_some() || tenants::get(&state.db, failure.tenant).await?.is_some();
        let mut tx = store::begin_write(&state.db).await?;
        if counts {
            self.count(state, &mut tx).await?;
        }
        if known_tenant {
            let (who, target) = match failure.user {
                Some(user) => (Who::User(user.id), audit::user_target(user)),
                None => (
                    Who::Anonymous,
                    audit::target(TargetType::User, "", failure.email),
                ),
            };
            let failed = Event::new(who, AuditAction::SignInFailed, target.clone())
                .reason(Some(failure.why));
            audit::record(&mut tx, failure.tenant, failed).await?;
            let now_blocked = counts
                && throttle::blocked_until(&mut tx, &[self.account.as_str()])
                    .await?
                    .is_some();
            if now_blocked {
                let blocked = Event::new(who, AuditAction::LockedOut, target)
                    .reason(Some("Too many failed sign-ins in a row"));
                audit::record(&mut tx, failure.tenant, blocked).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn succeeded(&self, state: &AppState) -> AppResult<()> {
        throttle::clear(&state.db, &self.account).await?;
        Ok(())
    }
}

/// 429 with `Retry-After` while any of `keys` is blocked; `what` says what there was
/// too much of.
pub async fn refuse_if_blocked(state: &AppState, keys: &[&str], what: &str) -> AppResult<()> {
    match throttle::blocked_until(&mut state.db.acquire().await?, keys).await? {
        None => Ok(()),
        Some(until) => {
            let seconds = u64::try_from((until - store::now_ms() + 999) / 1000).unwrap_or(1);
            let minutes = seconds.div_ceil(60);
            Err(AppError::TooManyRequests {
                detail: format!(
                    "{what}. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ),
                retry_after: seconds,
            })
        }
    }
}

/// Opens a session for a user who just proved who they are. If the tenant requires a
/// second factor of them and they have none, the session can only set one up.
pub async fn start_session(
    state: &AppState,
    user: gatehouse_api::users::User,
) -> AppResult<LoginResponse> {
    let mfa_enrolment_required =
        !user.mfa_enabled && tenants::mfa_required_for(&state.db, &user.tenant_id, user.id).await?;
    let token = token::generate(token::SESSION_PREFIX);
    let expires_at = Utc::now() + state.settings.session_ttl;
    let mut tx = store::begin_write(&state.db).await?;
    sessions::create(
        &mut *tx,
        &token::hash(&token),
        user.id,
        expires_at.timestamp_millis(),
        mfa_enrolment_required,
    )
    .await?;
    let event = Event::new(
        Who::User(user.id),
        AuditAction::SignedIn,
        audit::user_target(&user),
    );
    audit::record(&mut tx, &user.tenant_id, event).await?;
    tx.commit().await?;
    let permissions = sessions::effective_permissions(&state.db, user.id).await?;
    let requirement = if user.require_password_change {
        Some(Requirement::PasswordChange)
    } else if mfa_enrolment_required {
        Some(Requirement::MfaEnrolment)
    } else {
        None
    };
    Ok(LoginResponse {
        token,
        expires_at,
        user,
        permissions,
        requirement,
    })
}

/// Records the sign-in and opens the session, if the account may still sign in.
async fn complete_sign_in(state: &AppState, user: Uuid) -> AppResult<LoginResponse> {
    let user = users::record_login(&state.db, user)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or_else(wrong)?;
    start_session(state, user).await
}

/// Whether `code` is a current TOTP code (not used before) or an unused recovery code
/// of the user; either is used up by this call.
pub async fn verify_second_factor(state: &AppState, user: Uuid, code: &str) -> AppResult<bool> {
    if code.chars().count() > MAX_CODE_CHARS {
        return Ok(false);
    }
    if totp::is_totp_code(code) {
        let Some(current) = mfa::totp(&state.db, user).await? else {
            return Ok(false);
        };
        return match totp::verify(&current.secret, code, current.last_step) {
            Some(step) => Ok(mfa::take_step(&state.db, user, step).await?),
            None => Ok(false),
        };
    }
    Ok(mfa::take_recovery_code(&state.db, user, &totp::recovery_hash(code)).await?)
}

/// Sign in with email and password. Wrong email, wrong password and an account that
/// cannot sign in all get the same answer. An account with a second factor gets a
/// challenge to answer at `/auth/login/mfa`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = Single<LoginStep>),
        (status = 401, description = "Wrong credentials, or the account cannot sign in", body = Problem),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem),
        (status = 503, description = "Too many sign-ins at once; see Retry-After", body = Problem),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<LoginRequest>,
) -> AppResult<Json<Single<LoginStep>>> {
    let tenant = request.tenant_id.as_deref().unwrap_or(DEFAULT_TENANT);
    let email = normalize_email(&request.email);
    let attempt = Attempt::new(&client, tenant, &email);
    attempt.refuse_if_blocked(&state).await?;
    let failure = |user, why| Failure {
        tenant,
        email: &email,
        user,
        why,
    };
    if request.password.len() > MAX_PASSWORD_BYTES {
        attempt
            .failed_sign_in(&state, failure(None, "Password too long"), true)
            .await?;
        return Err(wrong());
    }
    let (user, stored_hash) = match users::find_credentials(&state.db, tenant, &email).await? {
        Some(found) => (Some(found.user), found.password_hash),
        None => (None, None),
    };
    let matches = state.hasher.verify(request.password, stored_hash).await?;
    if !matches {
        let why = if user.is_some() {
            "Wrong password"
        } else {
            "No account with this address"
        };
        attempt
            .failed_sign_in(&state, failure(user.as_ref(), why), true)
            .await?;
        return Err(wrong());
    }
    let Some(user) = user else {
        return Err(wrong());
    };
    // Service accounts have no password; this only guards against one ever being set.
    if user.status != UserStatus::Active || user.kind == UserKind::Service {
        tracing::info!(user = %user.id, status = user.status.as_str(), "right password, but the account cannot sign in");
        let why = format!("The account is {}", user.status.label().to_lowercase());
        attempt
            .failed_sign_in(&state, failure(Some(&user), &why), false)
            .await?;
        return Err(wrong());
    }
    if mfa::totp(&state.db, user.id).await?.is_some() {
        let challenge = token::generate(token::CHALLENGE_PREFIX);
        let expires_at = Utc::now() + chrono::Duration::minutes(CHALLENGE_MINUTES);
        mfa::create_challenge(
            &state.db,
            &token::hash(&challenge),
            user.id,
            expires_at.timestamp_millis(),
        )
        .await?;
        return Ok(single(LoginStep::MfaRequired(MfaChallenge {
            challenge,
            expires_at,
        })));
    }
    attempt.succeeded(&state).await?;
    Ok(single(LoginStep::SignedIn(Box::new(
        complete_sign_in(&state, user.id).await?,
    ))))
}

/// The second step of signing in: a code from the authenticator app, or a recovery code.
#[utoipa::path(post, path = "/api/v1/auth/login/mfa", tag = "auth", request_body = LoginMfaRequest,
    responses(
        (status = 200, body = Single<LoginResponse>),
        (status = 401, description = "Wrong code, or the challenge expired", body = Problem),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem),
    ))]
pub async fn login_mfa(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<LoginMfaRequest>,
) -> AppResult<Json<Single<LoginResponse>>> {
    let expired = || {
        AppError::Unauthenticated(
            "This sign-in has expired or was already completed. Start again with your password."
                .into(),
        )
    };
    let challenge = token::hash(request.challenge.trim());
    let owner = mfa::challenge_owner(&state.db, &challenge)
        .await?
        .ok_or_else(expired)?;
    let attempt = Attempt::new(&client, &owner.tenant_id, &owner.email);
    attempt.refuse_if_blocked(&state).await?;
    if !verify_second_factor(&state, owner.user_id, &request.code).await? {
        mfa::challenge_failed(&state.db, &challenge, CHALLENGE_ATTEMPTS).await?;
        let user = users::get(&state.db, &owner.tenant_id, owner.user_id).await?;
        let failure = Failure {
            tenant: &owner.tenant_id,
            email: &owner.email,
            user: user.as_ref(),
            why: "Wrong second-factor code",
        };
        attempt.failed_sign_in(&state, failure, true).await?;
        return Err(AppError::Unauthenticated(
            "That code is not right. Check the time on your device, or use a recovery code.".into(),
        ));
    }
    if !mfa::take_challenge(&state.db, &challenge).await? {
        return Err(expired());
    }
    attempt.succeeded(&state).await?;
    Ok(single(complete_sign_in(&state, owner.user_id).await?))
}

/// Ends the caller's session (the token stops working at once).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, principal: Principal) -> AppResult<StatusCode> {
    let mut tx = store::begin_write(&state.db).await?;
    sessions::revoke(&mut *tx, &principal.token_hash).await?;
    audit::record_own(
        &mut tx,
        &principal.tenant_id,
        Who::Caller(&principal),
        principal.user_id,
        AuditAction::SignedOut,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user and their effective permissions.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Single<Me>), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<Me>>> {
    Ok(single(me_of(&state, principal).await?))
}

/// The signed-in user as `GET /auth/me` describes them.
pub async fn me_of(state: &AppState, principal: Principal) -> AppResult<Me> {
    let user = users::get(&state.db, &principal.tenant_id, principal.user_id)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("Sign in again.".into()))?;
    let mfa_required =
        tenants::mfa_required_for(&state.db, &principal.tenant_id, principal.user_id).await?;
    Ok(Me {
        user,
        permissions: principal.permissions,
        requirement: principal.requirement,
        mfa_required,
    })
}

/// The permission catalogue, with what each permission allows.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Single<Vec<PermissionInfo>>), (status = 401, body = Problem)))]
pub async fn permissions() -> Json<Single<Vec<PermissionInfo>>> {
    single(
        Permission::ALL
            .into_iter()
            .map(PermissionInfo::from)
            .collect(),
    )
}

/// The tenants the caller belongs to.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = Single<Vec<Tenant>>), (status = 401, body = Problem)))]
pub async fn tenants(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Single<Vec<Tenant>>>> {
    let tenants = tenants::get(&state.db, &principal.tenant_id)
        .await?
        .into_iter()
        .collect();
    Ok(single(tenants))
}
