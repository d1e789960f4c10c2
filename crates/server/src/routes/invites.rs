//! `/api/v1/tenants/{tenant_id}/invites`: inviting people by email, and the two public
//! endpoints an invitee's link uses (`/api/v1/invites/lookup`, `/accept`).
//!
//! An invite's code is 256 random bits, stored only as a hash, shown (as a link) only in
//! the answer that creates or resends it, and used once. What an invite grants passes the
//! same no-escalation check as granting it directly, when it is made and again when it
//! is accepted (the inviter may have lost the power meanwhile).

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use gatehouse_api::audit::{AuditAction, Change, Target, TargetType};
use gatehouse_api::auth::LoginResponse;
use gatehouse_api::invites::{
    AcceptInvite, CreateInvites, Invite, InviteCode, InviteListQuery, InviteLookup, InviteOutcome,
    InviteResult, InviteStatus, InvitesResult, MailKind, ResentInvite, RevokeInvites,
    RevokeOutcome, RevokeResult, RevokeResults, DEFAULT_INVITE_DAYS,
};
use gatehouse_api::users::{CreateUser, UserStatus};
use gatehouse_api::validation::{email as email_rule, normalize_email};
use gatehouse_api::{Page, Pagination, Permission, Problem, Single};
use uuid::Uuid;

use super::auth::start_session;
use super::links::{self, human_time, link, INVITE_PREFIX};
use super::users::insert_user;
use super::{page, single};
use crate::audit::{self, Event, Who};
use crate::auth::{token, Principal};
use crate::error::{AppError, AppResult};
use crate::extract::{ClientAddr, JsonBody, Path, Query};
use crate::guards;
use crate::mail;
use crate::store::Conn;
use crate::store::{self, groups, invites, outbox, roles, sessions};
use crate::AppState;

const WHAT: &str = "invite";

fn gone() -> AppError {
    AppError::Gone(
        "This invitation is not valid any more: it was used, replaced by a newer one, revoked, or it expired. Ask the person who invited you to send a new one.".into(),
    )
}

/// Revoking an invite takes away what it would grant: only someone who holds all of
/// it may (403 for the whole request otherwise, nothing revoked).
async fn check_revoke(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    ids: &[Uuid],
) -> AppResult<()> {
    let grants = invites::grants(conn, tenant, ids).await?;
    guards::ensure_can_revoke(principal, grants.iter().map(|(n, p)| (n.as_str(), p)))
}

/// Queues the mail of an invite with a fresh code, if the server sends mail.
#[allow(clippy::too_many_arguments)]
async fn queue_mail(
    conn: &mut Conn,
    state: &AppState,
    tenant: &str,
    tenant_name: &str,
    inviter: Option<&str>,
    invite_id: Uuid,
    email: &str,
    url: &str,
    note: Option<&str>,
    expires_at: i64,
) -> AppResult<()> {
    if !state.mailer.configured() {
        return Ok(());
    }
    let content = mail::invite(tenant_name, inviter, url, note, &human_time(expires_at));
    let mail_id = outbox::enqueue(
        conn,
        &outbox::NewMail {
            tenant,
            kind: MailKind::Invite,
            to: email,
            subject: &content.subject,
            text: &content.text,
            html: &content.html,
            user: None,
        },
    )
    .await?;
    invites::set_mail(conn, invite_id, mail_id).await?;
    Ok(())
}

/// The caller's name as an invite's mail says it.
async fn inviter_name(state: &AppState, principal: &Principal) -> AppResult<Option<String>> {
    Ok(
        store::users::get(&state.db, &principal.tenant_id, principal.user_id)
            .await?
            .map(|u| u.name()),
    )
}

/// The tenant's invites, filtered, searched, sorted and paged.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/invites", tag = "invites", security(("bearer" = [])),
    params(("tenant_id" = String, Path), InviteListQuery),
    responses((status = 200, body = Page<Invite>)))]
pub async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<InviteListQuery>,
) -> AppResult<Json<Page<Invite>>> {
    query.validate().map_err(AppError::Validation)?;
    let (found, total) = invites::list(&state.db, &tenant, &query).await?;
    Ok(page(
        found,
        Pagination::new(query.page(), query.per_page(), total),
    ))
}

/// Invites up to 500 addresses. Each address has its own result, in order: invited,
/// already a user, already invited (left as it was), invalid (why), or a repeat.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/invites", tag = "invites", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = CreateInvites,
    responses(
        (status = 200, body = Single<InvitesResult>),
        (status = 403, description = "A role or group grants permissions the caller lacks", body = Problem),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<CreateInvites>,
) -> AppResult<Json<Single<InvitesResult>>> {
    let now = Utc::now();
    request.validate(now).map_err(AppError::Validation)?;
    let expires_at = request.expiry(now).timestamp_millis();
    let note = gatehouse_api::validation::clean(&request.message);
    let tenant_name = links::tenant_name(&state, &tenant).await?;
    let inviter = inviter_name(&state, &principal).await?;
    let mut tx = store::begin_write(&state.db).await?;
    guards::ensure_can_grant_through(
        &mut tx,
        &principal,
        &tenant,
        &request.role_ids,
        &request.group_ids,
    )
    .await?;
    let normalized: Vec<Option<String>> = request
        .emails
        .iter()
        .map(|raw| email_rule(raw).ok().map(|()| normalize_email(raw)))
        .collect();
    let candidates: Vec<String> = normalized.iter().flatten().cloned().collect();
    let granted = [
        audit::change(
            "roles",
            (),
            roles::names_of(&mut tx, &tenant, &request.role_ids).await?,
        ),
        audit::change(
            "groups",
            (),
            groups::names_of(&mut tx, &tenant, &request.group_ids).await?,
        ),
        audit::change("expires_at", (), store::to_time(expires_at)),
        audit::change("message", (), note),
    ];
    let taken = invites::taken_by_users(&mut tx, &tenant, &candidates).await?;
    let open = invites::open_for(&mut tx, &tenant, &candidates).await?;
    let mut seen = HashSet::new();
    let mut results = Vec::with_capacity(request.emails.len());
    let mut shown_ids = Vec::new();
    for (raw, email) in request.emails.iter().zip(normalized) {
        let mut result = InviteResult {
            email: raw.clone(),
            outcome: InviteOutcome::Invited,
            reason: None,
            invite: None,
            link: None,
        };
        let Some(email) = email else {
            result.outcome = InviteOutcome::Invalid;
            result.reason = email_rule(raw).err();
            results.push((result, None));
            continue;
        };
        if !seen.insert(email.clone()) {
            result.outcome = InviteOutcome::Duplicate;
            results.push((result, None));
            continue;
        }
        if taken.contains(&email) {
            result.outcome = InviteOutcome::AlreadyAUser;
            results.push((result, None));
            continue;
        }
        if let Some(existing) = open.get(&email) {
            result.outcome = InviteOutcome::AlreadyInvited;
            shown_ids.push(*existing);
            results.push((result, Some(*existing)));
            continue;
        }
        let id = Uuid::now_v7();
        let code = token::generate(INVITE_PREFIX);
        invites::insert(
            &mut tx,
            &invites::NewInvite {
                id,
                tenant: &tenant,
                email: &email,
                code_hash: &token::hash(&code),
                message: note,
                invited_by: principal.user_id,
                expires_at,
            },
            &request.role_ids,
            &request.group_ids,
        )
        .await?;
        let url = link(&state, "invite", "code", &code);
        queue_mail(
            &mut tx,
            &state,
            &tenant,
            &tenant_name,
            inviter.as_deref(),
            id,
            &email,
            &url,
            note,
            expires_at,
        )
        .await?;
        let mut changes: Vec<Change> = audit::change("email", (), &email).into_iter().collect();
        changes.extend(granted.iter().flatten().cloned());
        let event = Event::new(
            Who::Caller(&principal),
            AuditAction::InviteCreated,
            target(id, &email),
        )
        .changes(changes);
        audit::record(&mut tx, &tenant, event).await?;
        // With mail, the link goes to the address only: an administrator holding it could
        // accept in the invitee's name. Without mail, sharing it is the only way.
        result.link = (!state.mailer.configured()).then_some(url);
        shown_ids.push(id);
        results.push((result, Some(id)));
    }
    tx.commit().await?;
    state.mailer.queued.notify_one();
    let mut loaded: std::collections::HashMap<Uuid, Invite> =
        invites::get_many(&state.db, &tenant, &shown_ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
    let results = results
        .into_iter()
        .map(|(mut result, id)| {
            result.invite = id.and_then(|id| loaded.remove(&id));
            result
        })
        .collect();
    Ok(single(InvitesResult {
        results,
        mail_configured: state.mailer.configured(),
    }))
}

#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/invites/{invite_id}", tag = "invites", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("invite_id" = Uuid, Path)),
    responses((status = 200, body = Single<Invite>)))]
pub async fn get(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<Invite>>> {
    let invite = invites::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    Ok(single(invite))
}

/// Sends an invite again with a new code and a new expiry (7 days); the old link stops
/// working at once.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/invites/{invite_id}/resend", tag = "invites", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("invite_id" = Uuid, Path)),
    responses(
        (status = 200, body = Single<ResentInvite>),
        (status = 409, description = "Accepted or revoked, or a newer invite exists for the address", body = Problem),
    ))]
pub async fn resend(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<ResentInvite>>> {
    let invite = invites::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    if !matches!(invite.status, InviteStatus::Pending | InviteStatus::Expired) {
        return Err(AppError::conflict(format!(
            "This invite was {}; only a pending or expired invite can be sent again.",
            invite.status.label().to_lowercase()
        )));
    }
    let tenant_name = links::tenant_name(&state, &tenant).await?;
    let inviter = inviter_name(&state, &principal).await?;
    let role_ids: Vec<Uuid> = invite.roles.iter().map(|r| r.id).collect();
    let group_ids: Vec<Uuid> = invite.groups.iter().map(|g| g.id).collect();
    let mut tx = store::begin_write(&state.db).await?;
    guards::ensure_can_grant_through(&mut tx, &principal, &tenant, &role_ids, &group_ids).await?;
    let code = token::generate(INVITE_PREFIX);
    let expires_at = store::now_ms() + i64::from(DEFAULT_INVITE_DAYS) * 24 * 3600 * 1000;
    if !invites::renew(
        &mut tx,
        &tenant,
        id,
        &token::hash(&code),
        expires_at,
        principal.user_id,
    )
    .await?
    {
        return Err(AppError::conflict(
            "Another pending invite exists for this address; send that one again instead.",
        ));
    }
    let url = link(&state, "invite", "code", &code);
    outbox::cancel_for_invites(&mut tx, &[id], "Replaced by a newer invitation.").await?;
    queue_mail(
        &mut tx,
        &state,
        &tenant,
        &tenant_name,
        inviter.as_deref(),
        id,
        &invite.email,
        &url,
        invite.message.as_deref(),
        expires_at,
    )
    .await?;
    let event = Event::new(
        Who::Caller(&principal),
        AuditAction::InviteResent,
        target(id, &invite.email),
    )
    .changes(
        audit::change("expires_at", invite.expires_at, store::to_time(expires_at))
            .into_iter()
            .collect(),
    );
    audit::record(&mut tx, &tenant, event).await?;
    tx.commit().await?;
    state.mailer.queued.notify_one();
    let invite = invites::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    Ok(single(ResentInvite {
        invite,
        link: (!state.mailer.configured()).then_some(url),
        mail_configured: state.mailer.configured(),
    }))
}

/// Revokes one invite: its link stops working. The caller must hold everything it would
/// grant.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/invites/{invite_id}/revoke", tag = "invites", security(("bearer" = [])),
    params(("tenant_id" = String, Path), ("invite_id" = Uuid, Path)),
    responses(
        (status = 200, body = Single<Invite>),
        (status = 409, description = "Already accepted or revoked", body = Problem),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    Path((tenant, id)): Path<(String, Uuid)>,
) -> AppResult<Json<Single<Invite>>> {
    let mut tx = store::begin_write(&state.db).await?;
    check_revoke(&mut tx, &principal, &tenant, &[id]).await?;
    let revoked = invites::revoke(&mut tx, &tenant, &[id]).await?;
    outbox::cancel_for_invites(&mut tx, &revoked, "The invitation was revoked.").await?;
    record_revoked(&mut tx, &principal, &tenant, &revoked).await?;
    tx.commit().await?;
    let invite = invites::get(&state.db, &tenant, id)
        .await?
        .ok_or_else(|| AppError::gone(WHAT))?;
    if revoked.is_empty() {
        return Err(AppError::conflict(format!(
            "This invite was {} already.",
            invite.status.label().to_lowercase()
        )));
    }
    Ok(single(invite))
}

/// Revokes the listed invites, or every pending one, saying for each what happened.
/// Refused as a whole if any of them grants something the caller does not hold.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/invites/revoke", tag = "invites", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = RevokeInvites,
    responses((status = 200, body = Single<RevokeResults>)))]
pub async fn revoke_many(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<RevokeInvites>,
) -> AppResult<Json<Single<RevokeResults>>> {
    request.validate().map_err(AppError::Validation)?;
    let mut tx = store::begin_write(&state.db).await?;
    let affected = if request.all_pending {
        invites::pending_ids(&mut tx, &tenant).await?
    } else {
        request.ids.clone()
    };
    check_revoke(&mut tx, &principal, &tenant, &affected).await?;
    let results: Vec<RevokeResult> = if request.all_pending {
        invites::revoke_all_pending(&mut tx, &tenant)
            .await?
            .into_iter()
            .map(|id| RevokeResult {
                id,
                outcome: RevokeOutcome::Revoked,
            })
            .collect()
    } else {
        let revoked: HashSet<Uuid> = invites::revoke(&mut tx, &tenant, &request.ids)
            .await?
            .into_iter()
            .collect();
        let existing = invites::existing(&mut tx, &tenant, &request.ids).await?;
        request
            .ids
            .iter()
            .map(|id| RevokeResult {
                id: *id,
                outcome: if revoked.contains(id) {
                    RevokeOutcome::Revoked
                } else if existing.contains(id) {
                    RevokeOutcome::NotPending
                } else {
                    RevokeOutcome::NotFound
                },
            })
            .collect()
    };
    let revoked: Vec<Uuid> = results
        .iter()
        .filter(|r| r.outcome == RevokeOutcome::Revoked)
        .map(|r| r.id)
        .collect();
    outbox::cancel_for_invites(&mut tx, &revoked, "The invitation was revoked.").await?;
    record_revoked(&mut tx, &principal, &tenant, &revoked).await?;
    tx.commit().await?;
    Ok(single(RevokeResults { results }))
}

fn target(id: Uuid, email: &str) -> Target {
    audit::target(TargetType::Invite, id, email)
}

/// One event per invite revoked.
async fn record_revoked(
    conn: &mut Conn,
    principal: &Principal,
    tenant: &str,
    revoked: &[Uuid],
) -> AppResult<()> {
    let emails = invites::emails_of(&mut *conn, tenant, revoked).await?;
    for id in revoked {
        let email = emails.get(id).map(String::as_str).unwrap_or_default();
        let event = Event::new(
            Who::Caller(principal),
            AuditAction::InviteRevoked,
            target(*id, email),
        )
        .changes(
            audit::change("status", "PENDING", "REVOKED")
                .into_iter()
                .collect(),
        );
        audit::record(&mut *conn, tenant, event).await?;
    }
    Ok(())
}

/// The open invite a code belongs to; a wrong code counts against the client.
async fn open_invite(state: &AppState, client: &str, code: &str) -> AppResult<invites::Open> {
    links::open_link(
        state,
        client,
        code,
        |hash| async move { invites::open_by_code(&state.db, &hash).await },
        gone,
    )
    .await
}

/// What an invitee sees before accepting: which organisation, which address, from whom.
#[utoipa::path(post, path = "/api/v1/invites/lookup", tag = "invites", request_body = InviteCode,
    responses(
        (status = 200, body = Single<InviteLookup>),
        (status = 410, description = "Used, replaced, revoked or expired", body = Problem),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<InviteCode>,
) -> AppResult<Json<Single<InviteLookup>>> {
    let open = open_invite(&state, &client, &request.code).await?;
    Ok(single(InviteLookup {
        tenant_name: open.tenant_name,
        email: open.email,
        invited_by: open.inviter_name,
        expires_at: store::to_time(open.expires_at),
    }))
}

/// Accepts an invite: an active local user with the invite's roles and groups, signed in.
#[utoipa::path(post, path = "/api/v1/invites/accept", tag = "invites", request_body = AcceptInvite,
    responses(
        (status = 201, body = Single<LoginResponse>),
        (status = 409, description = "An account with the address exists already", body = Problem),
        (status = 410, description = "Used, replaced, revoked or expired", body = Problem),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<AcceptInvite>,
) -> AppResult<(StatusCode, Json<Single<LoginResponse>>)> {
    let open = open_invite(&state, &client, &request.code).await?;
    request
        .validate(&open.email)
        .map_err(AppError::Validation)?;
    // What the invite grants is checked against what its inviter may grant now; an
    // inviter who was deleted or can no longer sign in vouches for nothing.
    let inviter = match open.invited_by {
        Some(id) => match store::users::get(&state.db, &open.tenant_id, id).await? {
            Some(user) if user.status == UserStatus::Active => Some(Principal::without_session(
                id,
                open.tenant_id.clone(),
                sessions::effective_permissions(&state.db, id).await?,
            )),
            _ => return Err(gone()),
        },
        None => None,
    };
    let password_hash = state.hasher.hash(request.password).await?;
    let trimmed = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let new_user = CreateUser {
        email: open.email.clone(),
        first_name: trimmed(&request.given_name),
        last_name: trimmed(&request.family_name),
        // Only a link that went to the address alone proves the address.
        email_verified: open.mailed,
        ..Default::default()
    };
    let mut tx = store::begin_write(&state.db).await?;
    let user = insert_user(
        &mut tx,
        &open.tenant_id,
        &new_user,
        Some(&password_hash),
        inviter.as_ref(),
    )
    .await
    .map_err(|error| match error {
        AppError::Conflict { .. } => AppError::conflict(
            "An account with this address exists already. Sign in instead, or use \"Forgot password?\".",
        ),
        other => other,
    })?;
    if !invites::accept(&mut tx, open.id, &token::hash(request.code.trim()), user.id).await? {
        return Err(gone());
    }
    let mut changes = audit::created(&user);
    changes.push(Change::secret("password"));
    changes.extend(audit::change(
        "invited_by",
        (),
        open.inviter_name.as_deref(),
    ));
    let event = Event::new(
        Who::User(user.id),
        AuditAction::InviteAccepted,
        audit::user_target(&user),
    )
    .changes(changes);
    audit::record(&mut tx, &open.tenant_id, event).await?;
    let may = |permission: Permission| inviter.as_ref().is_some_and(|p| p.can(permission));
    let grantable = |permissions: &std::collections::BTreeSet<Permission>| {
        permissions.iter().all(|perm| may(*perm))
    };
    let known = roles::permissions_of(&mut tx, &open.tenant_id, &open.role_ids).await?;
    for (role, (name, permissions)) in &known {
        if may(Permission::RolesWrite) && grantable(permissions) {
            roles::grant(&mut tx, user.id, *role).await?;
        } else {
            tracing::info!(role = %name, invite = %open.id, "invite role skipped: its inviter can no longer grant it");
        }
    }
    for group in &open.group_ids {
        let grants = roles::granted_by_group(&mut tx, *group).await?;
        if may(Permission::GroupsWrite) && grants.iter().all(|(_, p)| grantable(p)) {
            groups::add_members(&mut tx, *group, &[user.id]).await?;
        } else {
            tracing::info!(%group, invite = %open.id, "invite group skipped: its inviter can no longer grant its roles");
        }
    }
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        single(start_session(&state, user).await?),
    ))
}
