//! Signing in through an SSO connection: `start` sends the browser to the provider,
//! `callback` (OIDC) or `saml_acs` (SAML) takes it back, checks everything, provisions or updates the user, brings
//! their mapped memberships in line, and sends the browser on to the console with a
//! single-use code that `exchange` turns into a session. Failures go back to the sign-in
//! page with a message in the fragment; no session token ever rides in a URL.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use chrono::Utc;
use gatehouse_api::auth::LoginResponse;
use gatehouse_api::endpoints::API_V1;
use gatehouse_api::query::encode;
use gatehouse_api::sso::{FirstSignIn, SimulationInput, SsoExchange, SsoProtocol, StartQuery};
use gatehouse_api::users::{CreateUser, IdentitySource, UserStatus};
use gatehouse_api::validation::{email as email_rule, normalize_email};
use gatehouse_api::{Problem, Single};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{refuse_if_blocked, start_session};
use super::single;
use super::users::insert_user;
use crate::auth::token;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientAddr, JsonBody, Path, Query};
use crate::sso::Identity;
use crate::store::{self, sso as store_sso, throttle, users};
use crate::{oidc, saml, sso, AppState};

/// SSO sign-ins one client address may start in a throttle window (ten minutes); an
/// office behind one address signing in at nine stays well under it.
const STARTS_PER_CLIENT: u32 = 120;
/// How long the browser may take at the provider.
const LOGIN_MINUTES: i64 = 10;
/// How long the console has to exchange its code.
const CODE_SECONDS: i64 = 60;

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// Back to the sign-in page, saying what went wrong.
fn fail(state: &AppState, message: &str) -> Response {
    redirect(&format!(
        "{}/login#sso_error={}",
        state.console_url,
        encode(message)
    ))
}

fn callback_uri(state: &AppState) -> String {
    format!("{}{API_V1}/sso/oidc/callback", state.public_url)
}

/// A console path to land on (anything else means the users list).
fn safe_path(path: Option<String>) -> String {
    path.filter(|p| gatehouse_api::validation::is_same_site_path(p))
        .unwrap_or_else(|| "/users".to_owned())
}

/// Sends the browser to the connection's identity provider.
#[utoipa::path(get, path = "/api/v1/sso/{connection_id}/start", tag = "sso",
    params(("connection_id" = Uuid, Path), StartQuery),
    responses((status = 303, description = "To the identity provider (or back to the sign-in page with a message)")))]
pub async fn start(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ClientAddr(client): ClientAddr,
    Query(query): Query<StartQuery>,
) -> AppResult<Response> {
    // Each start stores a sign-in under way (and, for OIDC, asks the provider for its
    // configuration): a stranger may not do it without bound.
    let client_key = format!("sso-start:{client}");
    match refuse_if_blocked(
        &state,
        &[&client_key],
        "Too many sign-ins started from here",
    )
    .await
    {
        Err(AppError::TooManyRequests { detail, .. }) => return Ok(fail(&state, &detail)),
        other => other?,
    }
    throttle::count_in_window(
        &mut state.db.acquire().await?,
        &client_key,
        STARTS_PER_CLIENT,
        throttle::CLIENT_WINDOW_MS,
    )
    .await?;
    let Some(connection) = store_sso::stored(&state.db, None, id)
        .await?
        .filter(|c| c.enabled)
    else {
        return Ok(fail(
            &state,
            "This sign-in option is not available any more.",
        ));
    };
    let (url, pending, state_token) = match connection.protocol {
        SsoProtocol::Oidc => {
            let started =
                match oidc::start(&oidc::http_client(), &connection, &callback_uri(&state)).await {
                    Ok(started) => started,
                    Err(message) => return Ok(fail(&state, &message)),
                };
            let pending = store_sso::PendingLogin {
                connection_id: id,
                nonce: started.nonce,
                pkce_verifier: started.pkce_verifier,
                return_to: safe_path(query.return_to),
            };
            (started.url, pending, started.state)
        }
        SsoProtocol::Saml2 => {
            let relay_state = token::generate(token::SSO_STATE_PREFIX);
            let addresses = saml::addresses(&state.public_url, id);
            let started = match saml::start(&connection, &addresses, &relay_state) {
                Ok(started) => started,
                Err(message) => return Ok(fail(&state, &message)),
            };
            let pending = store_sso::PendingLogin {
                connection_id: id,
                nonce: started.request_id,
                pkce_verifier: String::new(),
                return_to: safe_path(query.return_to),
            };
            (started.url, pending, relay_state)
        }
    };
    let expires_at = (Utc::now() + chrono::Duration::minutes(LOGIN_MINUTES)).timestamp_millis();
    store_sso::start_login(&state.db, &token::hash(&state_token), &pending, expires_at).await?;
    Ok(redirect(&url))
}

/// What the provider sends back (`iss` too, which the ID token's check covers).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub session_state: Option<String>,
}

/// The provider's answer: checked, the user provisioned or updated, and the browser sent
/// to the console with a single-use code.
#[utoipa::path(get, path = "/api/v1/sso/oidc/callback", tag = "sso",
    params(CallbackQuery),
    responses((status = 303, description = "To the console's /sso/done with a code, or to the sign-in page with a message")))]
pub async fn callback(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
) -> AppResult<Response> {
    let Some(login) = (match &query.state {
        Some(s) => store_sso::take_login(&state.db, &token::hash(s)).await?,
        None => None,
    }) else {
        return Ok(fail(
            &state,
            "This sign-in was not started here, was already finished, or took too long. Start again.",
        ));
    };
    if let Some(error) = &query.error {
        let said: String = query
            .error_description
            .as_deref()
            .unwrap_or(error)
            .chars()
            .take(200)
            .collect();
        return Ok(fail(&state, &format!("The identity provider said: {said}")));
    }
    let Some(connection) = store_sso::stored(&state.db, None, login.connection_id)
        .await?
        .filter(|c| c.enabled)
    else {
        return Ok(fail(
            &state,
            "This sign-in option is not available any more.",
        ));
    };
    let Some(code) = query.code else {
        return Ok(fail(&state, "The identity provider sent no code."));
    };
    let identity = match oidc::finish(
        &oidc::http_client(),
        &connection,
        &callback_uri(&state),
        code,
        login.nonce,
        login.pkce_verifier,
    )
    .await
    {
        Ok(identity) => identity,
        Err(message) => return Ok(fail(&state, &message)),
    };
    signed_in(&state, &connection, identity, &login.return_to).await
}

/// The form the IdP's page posts to the assertion consumer service (HTTP-POST binding).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    pub saml_response: String,
    #[serde(rename = "RelayState")]
    pub relay_state: Option<String>,
}

/// The SAML IdP's answer (HTTP-POST binding): verified against the connection's
/// certificate, refused if its assertion was used before, then handled like an OIDC
/// sign-in.
#[utoipa::path(post, path = "/api/v1/sso/saml/{connection_id}/acs", tag = "sso",
    params(("connection_id" = Uuid, Path)),
    request_body(content = AcsForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "To the console's /sso/done with a code, or to the sign-in page with a message")))]
pub async fn saml_acs(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    form: Result<Form<AcsForm>, FormRejection>,
) -> AppResult<Response> {
    let Ok(Form(form)) = form else {
        return Ok(fail(
            &state,
            "The identity provider's answer was not a SAML response.",
        ));
    };
    let login = match &form.relay_state {
        Some(relay_state) => store_sso::take_login(&state.db, &token::hash(relay_state)).await?,
        None => None,
    };
    let Some(login) = login.filter(|l| l.connection_id == id) else {
        return Ok(fail(
            &state,
            "This sign-in was not started here, was already finished, or took too long. Start again from the sign-in page.",
        ));
    };
    let Some(connection) = store_sso::stored(&state.db, None, id)
        .await?
        .filter(|c| c.enabled && c.protocol == SsoProtocol::Saml2)
    else {
        return Ok(fail(
            &state,
            "This sign-in option is not available any more.",
        ));
    };
    let addresses = saml::addresses(&state.public_url, id);
    let verified = match saml::finish(&connection, &addresses, &form.saml_response, &login.nonce) {
        Ok(verified) => verified,
        Err(message) => return Ok(fail(&state, &message)),
    };
    let first_use = store_sso::remember_assertion(
        &state.db,
        id,
        &verified.assertion_id,
        verified.remember_until.timestamp_millis(),
    )
    .await?;
    if !first_use {
        tracing::warn!(connection = %id, assertion = %verified.assertion_id, "SAML assertion replayed");
        return Ok(fail(
            &state,
            "This answer from the identity provider was already used. Start again from the sign-in page.",
        ));
    }
    signed_in(&state, &connection, verified.identity, &login.return_to).await
}

/// This server's SAML service provider metadata for a connection, to give the IdP.
#[utoipa::path(get, path = "/api/v1/sso/saml/{connection_id}/metadata", tag = "sso",
    params(("connection_id" = Uuid, Path)),
    responses(
        (status = 200, description = "SAML 2.0 SP metadata", content_type = "application/samlmetadata+xml", body = String),
        (status = 404, description = "No SAML connection with this id", body = Problem),
    ))]
pub async fn saml_metadata(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    store_sso::stored(&state.db, None, id)
        .await?
        .filter(|c| c.protocol == SsoProtocol::Saml2)
        .ok_or_else(|| AppError::NotFound("There is no SAML connection with this id.".into()))?;
    let xml = saml::metadata(&saml::addresses(&state.public_url, id))
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(([(CONTENT_TYPE, "application/samlmetadata+xml")], xml).into_response())
}

/// Admits the person the provider vouched for and sends the browser on to the console
/// with a single-use code, or back to the sign-in page saying why not.
async fn signed_in(
    state: &AppState,
    connection: &store_sso::Stored,
    identity: Identity,
    return_to: &str,
) -> AppResult<Response> {
    match admit(state, connection, identity).await? {
        Ok(user) => {
            let code = token::generate(token::SSO_CODE_PREFIX);
            let expires_at =
                (Utc::now() + chrono::Duration::seconds(CODE_SECONDS)).timestamp_millis();
            let mut tx = store::begin_write(&state.db).await?;
            store_sso::issue_code(&mut tx, &token::hash(&code), user, expires_at).await?;
            tx.commit().await?;
            Ok(redirect(&format!(
                "{}/sso/done#code={}&next={}",
                state.console_url,
                encode(&code),
                encode(return_to)
            )))
        }
        Err(message) => Ok(fail(state, &message)),
    }
}

/// Finds or creates the user a sign-in is for, as the connection's policy says, and
/// brings their mapped memberships in line. `Err` is a message for the person.
async fn admit(
    state: &AppState,
    connection: &store_sso::Stored,
    identity: Identity,
) -> AppResult<Result<Uuid, String>> {
    let tenant = connection.tenant_id.as_str();
    let source = match connection.protocol {
        SsoProtocol::Oidc => IdentitySource::Oidc,
        SsoProtocol::Saml2 => IdentitySource::Saml,
    };
    let mut tx = store::begin_write(&state.db).await?;
    let known = store_sso::user_by_subject(&mut tx, connection.id, &identity.subject).await?;
    let user = match known {
        Some(user) => user,
        None => {
            let Some(email) = identity.email.as_deref().filter(|e| email_rule(e).is_ok()) else {
                return Ok(Err("The identity provider did not share a usable email address. An administrator should add the email scope to the connection.".into()));
            };
            let email = normalize_email(email);
            if users::find_by_email(&state.db, tenant, &email)
                .await?
                .is_some()
            {
                return Ok(Err(format!(
                    "An account for {email} already exists here and signs in another way. It is not linked to this identity provider automatically: ask an administrator."
                )));
            }
            let status = match connection.first_sign_in {
                FirstSignIn::Refuse => {
                    return Ok(Err(
                        "Only people who already have an account here can sign in this way. Ask an administrator to invite you."
                            .into(),
                    ))
                }
                FirstSignIn::CreateActive => UserStatus::Active,
                FirstSignIn::CreatePending => UserStatus::PendingApproval,
            };
            let request = CreateUser {
                email,
                first_name: identity.given_name.clone(),
                last_name: identity.family_name.clone(),
                ..Default::default()
            };
            let created = insert_user(&mut tx, tenant, &request, None, None).await?;
            store_sso::link_user(&mut tx, created.id, connection.id, &identity.subject).await?;
            store_sso::set_identity(
                &mut tx,
                created.id,
                source,
                Some(status),
                identity.email_verified,
                (None, None),
            )
            .await?;
            let mut changes = crate::audit::created(&created);
            changes.extend(crate::audit::change("status", (), status));
            changes.extend(crate::audit::change("identity_source", (), source));
            let event = crate::audit::Event::new(
                crate::audit::Who::System,
                gatehouse_api::audit::AuditAction::UserCreated,
                crate::audit::user_target(&created),
            )
            .changes(changes)
            .reason(Some(&format!("First sign-in through {}", connection.title)));
            crate::audit::record(&mut tx, tenant, event).await?;
            tracing::info!(user = %created.id, connection = %connection.id, status = status.as_str(), "user created by SSO sign-in");
            created.id
        }
    };
    store_sso::set_identity(
        &mut tx,
        user,
        source,
        None,
        identity.email_verified,
        (
            identity.given_name.as_deref(),
            identity.family_name.as_deref(),
        ),
    )
    .await?;
    let mappings = store_sso::mappings(&mut tx, connection.id).await?;
    let granted = sso::resolve(
        &mappings,
        sso::idp_groups(
            &SimulationInput::Claims(serde_json::json!({ "groups": identity.groups })),
            "groups",
        ),
    );
    let groups: Vec<Uuid> = granted.groups.iter().map(|g| g.group.id).collect();
    let roles: Vec<Uuid> = granted.roles.iter().map(|r| r.role.id).collect();
    store_sso::sync_grants(&mut tx, user, connection.id, &groups, &roles).await?;
    tx.commit().await?;
    let status = users::get(&state.db, tenant, user)
        .await?
        .map(|u| u.status)
        .unwrap_or(UserStatus::Disabled);
    Ok(match status {
        UserStatus::Active => Ok(user),
        UserStatus::PendingApproval => Err("Your account is waiting for an administrator's approval. Sign in again once they have approved it.".into()),
        _ => Err("This account cannot sign in. Ask an administrator.".into()),
    })
}

/// Turns the single-use code from `/sso/done#code=...` into a session.
#[utoipa::path(post, path = "/api/v1/auth/sso/exchange", tag = "sso",
    request_body = SsoExchange,
    responses(
        (status = 200, body = Single<LoginResponse>),
        (status = 410, description = "Unknown, used or expired code", body = Problem),
    ))]
pub async fn exchange(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SsoExchange>,
) -> AppResult<Json<Single<LoginResponse>>> {
    let user = store_sso::take_code(&state.db, &token::hash(&request.code))
        .await?
        .ok_or_else(|| {
            AppError::Gone(
                "This sign-in has already been used or took too long. Sign in again.".into(),
            )
        })?;
    let user = users::record_login(&state.db, user)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or_else(|| AppError::Gone("This account cannot sign in any more.".into()))?;
    Ok(single(start_session(&state, user).await?))
}

#[cfg(test)]
mod tests {
    use super::safe_path;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        let kept = |p: &str| safe_path(Some(p.to_owned()));
        assert_eq!(kept("/groups?search=a"), "/groups?search=a");
        for elsewhere in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "",
        ] {
            assert_eq!(kept(elsewhere), "/users", "{elsewhere:?}");
        }
        assert_eq!(safe_path(None), "/users");
    }
}
