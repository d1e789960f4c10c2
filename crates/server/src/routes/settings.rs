//! `/api/v1/tenants/{tenant_id}/settings/...`: who must use a second factor, and mail.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use gatehouse_api::audit::{AuditAction, TargetType};
use gatehouse_api::auth::{SecuritySettings, UpdateSecuritySettings};
use gatehouse_api::invites::{MailSettings, TestMail, TestMailResult};
use gatehouse_api::validation::email as email_rule;
use gatehouse_api::{Problem, Single};
use uuid::Uuid;

use super::links::require_mail;
use super::{single, with_etag};
use crate::audit::{self, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{IfMatch, JsonBody, Path};
use crate::store::{begin_write, roles, tenants};
use crate::AppState;

async fn current(state: &AppState, tenant: &str) -> AppResult<SecuritySettings> {
    tenants::security(&state.db, tenant)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no tenant {tenant:?}.")))
}

/// The tenant's sign-in policy.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/settings/security", tag = "settings", security(("bearer" = [])),
    params(("tenant_id" = String, Path)),
    responses((status = 200, body = Single<SecuritySettings>, headers(("ETag" = String)))))]
pub async fn get_security(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> AppResult<Response> {
    let settings = current(&state, &tenant).await?;
    Ok(with_etag(StatusCode::OK, settings.version, settings))
}

/// Changes who must use a second factor (`If-Match` required). Users it newly
/// concerns set one up at their next sign-in, before anything else.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant_id}/settings/security", tag = "settings", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateSecuritySettings,
    responses(
        (status = 200, body = Single<SecuritySettings>, headers(("ETag" = String))),
        (status = 412, body = Problem),
        (status = 422, description = "Unknown roles, or no role chosen", body = Problem),
        (status = 428, body = Problem),
    ))]
pub async fn update_security(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    if_match: IfMatch,
    JsonBody(request): JsonBody<UpdateSecuritySettings>,
) -> AppResult<Response> {
    request.validate().map_err(AppError::Validation)?;
    let before = current(&state, &tenant).await?;
    let version = if_match.check(before.version)?;
    let role_ids: Vec<Uuid> = request.mfa_role_ids.iter().copied().collect();
    let mut tx = begin_write(&state.db).await?;
    let known = roles::permissions_of(&mut tx, &tenant, &role_ids).await?;
    if let Some(unknown) = role_ids.iter().find(|r| !known.contains_key(r)) {
        return Err(AppError::field(
            "mfa_role_ids",
            format!("There is no role {unknown} in this tenant."),
        ));
    }
    if !tenants::set_security(
        &mut tx,
        &tenant,
        version,
        request.mfa_policy,
        &role_ids,
        request.api_key_max_days,
        request.audit_retention_days,
    )
    .await?
    {
        drop(tx);
        let current = current(&state, &tenant).await?;
        return Err(AppError::changed_meanwhile(
            Some(current.version),
            "setting",
        ));
    }
    let roles_before: Vec<Uuid> = before.mfa_role_ids.iter().copied().collect();
    let changes = [
        audit::change("mfa_policy", before.mfa_policy, request.mfa_policy),
        audit::change(
            "mfa_roles",
            roles::names_of(&mut tx, &tenant, &roles_before).await?,
            roles::names_of(&mut tx, &tenant, &role_ids).await?,
        ),
        audit::change(
            "api_key_max_days",
            before.api_key_max_days,
            request.api_key_max_days.unwrap_or(before.api_key_max_days),
        ),
        audit::change(
            "audit_retention_days",
            before.audit_retention_days,
            request
                .audit_retention_days
                .unwrap_or(before.audit_retention_days),
        ),
    ];
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::SettingsUpdated,
        audit::target(TargetType::Tenant, &tenant, "Security settings"),
    )
    .changes(changes.into_iter().flatten().collect());
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    let saved = current(&state, &tenant).await?;
    Ok(with_etag(StatusCode::OK, saved.version, saved))
}

/// Whether the server sends mail, and as whom.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/settings/mail", tag = "settings", security(("bearer" = [])),
    params(("tenant_id" = String, Path)),
    responses((status = 200, body = Single<MailSettings>)))]
pub async fn get_mail(State(state): State<AppState>) -> Json<Single<MailSettings>> {
    single(MailSettings {
        configured: state.mailer.configured(),
        from: state.mailer.from(),
    })
}

/// Sends a test message now (not through the outbox) and says whether it left.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/settings/mail/test", tag = "settings", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = TestMail,
    responses(
        (status = 200, body = Single<TestMailResult>),
        (status = 409, description = "This server does not send email", body = Problem),
    ))]
pub async fn test_mail(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<TestMail>,
) -> AppResult<Json<Single<TestMailResult>>> {
    if let Err(message) = email_rule(&request.to) {
        return Err(AppError::field("to", message));
    }
    require_mail(&state, "to")?;
    let content = crate::mail::Content {
        subject: "Gatehouse test message".into(),
        text: "This message shows that Gatehouse can send mail.".into(),
        html: "<p>This message shows that Gatehouse can send mail.</p>".into(),
    };
    let outcome = state.mailer.send(request.to.trim(), &content).await;
    Ok(single(TestMailResult {
        delivered: outcome.is_ok(),
        error: outcome.err(),
    }))
}
