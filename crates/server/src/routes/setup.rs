//! First-run setup: the first administrator, created with the one-time link the server
//! printed (or from `GATEHOUSE_ADMIN_EMAIL` / `GATEHOUSE_ADMIN_PASSWORD`). Closed for good
//! once done.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gatehouse_api::auth::{LoginResponse, SetupRequest, SetupStatus};
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::users::{CreateUser, User};
use gatehouse_api::{Problem, Single, DEFAULT_TENANT};

use super::auth::start_session;
use super::single;
use super::users::insert_user;
use crate::auth::password::Hasher;
use crate::auth::token;
use crate::error::{AppError, AppResult};
use crate::extract::JsonBody;
use crate::store::{self, roles, setup, Db};
use crate::AppState;

fn invalid_link() -> AppError {
    AppError::Forbidden {
        detail: "This setup link is not valid or has expired (links last 24 hours). Use the link the server printed most recently when it started; restarting the server prints a new one.".into(),
        permission: None,
    }
}

fn already_done() -> AppError {
    AppError::conflict("Setup is already complete: an administrator exists. Sign in instead.")
}

/// Whether the installation still needs its first administrator.
#[utoipa::path(get, path = "/api/v1/setup", tag = "setup", responses((status = 200, body = Single<SetupStatus>)))]
pub async fn status(State(state): State<AppState>) -> AppResult<Json<Single<SetupStatus>>> {
    Ok(single(SetupStatus {
        required: !setup::is_completed(&state.db).await?,
    }))
}

/// Creates the first administrator and signs them in.
#[utoipa::path(post, path = "/api/v1/setup", tag = "setup", request_body = SetupRequest,
    responses(
        (status = 201, body = Single<LoginResponse>),
        (status = 403, description = "The setup token is not valid", body = Problem),
        (status = 409, description = "Setup was already completed", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn complete(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SetupRequest>,
) -> AppResult<(StatusCode, Json<Single<LoginResponse>>)> {
    if setup::is_completed(&state.db).await? {
        return Err(already_done());
    }
    request.validate().map_err(AppError::Validation)?;
    let admin = CreateUser {
        email: request.email,
        display_name: request.display_name,
        password: Some(request.password),
        email_verified: true,
        ..Default::default()
    };
    let user =
        create_first_admin(&state.db, &state.hasher, admin, Some(request.token.trim())).await?;
    Ok((
        StatusCode::CREATED,
        single(start_session(&state, user).await?),
    ))
}

/// Creates the first administrator of the default tenant and closes setup, all in one
/// transaction. With a token, the token must be one the server issued.
pub async fn create_first_admin(
    db: &Db,
    hasher: &Hasher,
    admin: CreateUser,
    setup_token: Option<&str>,
) -> AppResult<User> {
    admin.validate().map_err(AppError::Validation)?;
    // The token is checked before the expensive hash, so a stranger cannot make the
    // server hash passwords for nothing.
    if let Some(setup_token) = setup_token {
        if !setup::token_is_valid(db, &token::hash(setup_token)).await? {
            return Err(invalid_link());
        }
    }
    let password_hash = match admin.password.clone() {
        Some(p) => Some(hasher.hash(p).await?),
        None => None,
    };
    let mut tx = store::begin_write(db).await?;
    if let Some(setup_token) = setup_token {
        if !setup::take_token(&mut tx, &token::hash(setup_token)).await? {
            return Err(invalid_link());
        }
    }
    let user = insert_user(
        &mut tx,
        DEFAULT_TENANT,
        &admin,
        password_hash.as_deref(),
        None,
    )
    .await?;
    let admin_role = roles::builtin_id(&mut tx, DEFAULT_TENANT, BuiltinRole::ADMIN).await?;
    roles::grant(&mut tx, user.id, admin_role).await?;
    let mut changes = crate::audit::created(&user);
    changes.extend(crate::audit::change("roles", (), ["Admin"]));
    let event = crate::audit::Event::new(
        crate::audit::Who::System,
        gatehouse_api::audit::AuditAction::UserCreated,
        crate::audit::user_target(&user),
    )
    .changes(changes)
    .reason(Some("First administrator, at setup"));
    crate::audit::record(&mut tx, DEFAULT_TENANT, event).await?;
    setup::mark_completed(&mut tx).await.map_err(|e| {
        if store::is_unique_violation(&e, "settings") {
            already_done()
        } else {
            e.into()
        }
    })?;
    tx.commit().await?;
    tracing::info!(user = %user.id, "first administrator created; setup is closed");
    Ok(user)
}

/// At start: what to do while no administrator exists. Returns the one-time setup token
/// to print, or `None` when setup is done (or done now, from the environment).
pub async fn prepare(
    db: &Db,
    admin_from_env: Option<(String, String)>,
) -> anyhow::Result<Option<String>> {
    if setup::is_completed(db).await? {
        return Ok(None);
    }
    if let Some((email, password)) = admin_from_env {
        let admin = CreateUser {
            email,
            password: Some(password),
            email_verified: true,
            ..Default::default()
        };
        match create_first_admin(db, &Hasher::default(), admin, None).await {
            Ok(_) => return Ok(None),
            Err(AppError::Validation(errors)) => {
                let reasons: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                anyhow::bail!(
                    "GATEHOUSE_ADMIN_EMAIL / GATEHOUSE_ADMIN_PASSWORD rejected: {}",
                    reasons.join("; ")
                );
            }
            Err(other) => {
                anyhow::bail!("could not create the administrator from the environment: {other}")
            }
        }
    }
    let setup_token = token::generate(token::SETUP_PREFIX);
    setup::replace_token(db, &token::hash(&setup_token)).await?;
    Ok(Some(setup_token))
}
