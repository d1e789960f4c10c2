//! `POST /api/v1/tenants/{tenant_id}/users/bulk`: one action on many users, run here in
//! one transaction, with a result per user. Each change is checked and audited as the
//! single action would be (one event per user, sharing the request's id); a dry run
//! does the same and rolls it all back.

use std::collections::HashSet;

use axum::extract::State;
use axum::Json;
use gatehouse_api::audit::{AuditAction, TargetType};
use gatehouse_api::bulk::{
    BulkAction, BulkOutcome, BulkRequest, BulkResult, BulkSelection, BulkUserResult, MAX_BULK_USERS,
};
use gatehouse_api::groups::Group;
use gatehouse_api::permissions::BuiltinRole;
use gatehouse_api::users::{User, UserStatus};
use gatehouse_api::{Problem, Single};
use uuid::Uuid;

use super::single;
use crate::audit::{self, user_target, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{JsonBody, Path};
use crate::guards;
use crate::store::Conn;
use crate::store::{self, groups, resets, roles, sessions, users};
use crate::AppState;

/// What a change to one user came to.
type Outcome = (BulkOutcome, Option<String>);

fn skipped(why: impl Into<String>) -> Outcome {
    (BulkOutcome::Skipped, Some(why.into()))
}

fn refused(why: impl Into<String>) -> Outcome {
    (BulkOutcome::Refused, Some(why.into()))
}

/// Runs `request.action` on every selected user; see the module documentation.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/users/bulk", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = BulkRequest,
    responses(
        (status = 200, description = "A result per user (done, skipped or refused, and why)", body = Single<BulkResult>),
        (status = 403, description = "The action needs a permission the caller lacks, or grants what they cannot", body = Problem),
        (status = 404, description = "The group or role does not exist", body = Problem),
        (status = 422, description = "Nothing selected, a filter matching too many users, or a wrong delete count", body = Problem),
    ))]
pub async fn run(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<BulkRequest>,
) -> AppResult<Json<Single<BulkResult>>> {
    request.validate().map_err(AppError::Validation)?;
    let permission = request.action.permission();
    if !principal.can(permission) {
        return Err(AppError::missing_permission(permission));
    }
    let mut tx = store::begin_write(&state.db).await?;
    let (order, mut found) = select(&state, &mut tx, &tenant, &request.selection).await?;
    if let BulkAction::Delete { confirm_count } = request.action {
        if confirm_count != order.len() as u64 {
            return Err(AppError::field(
                "action.confirm_count",
                format!(
                    "Type the number of users to delete ({}) to confirm.",
                    order.len()
                ),
            ));
        }
        guards::ensure_recently_confirmed(&principal)?;
    }
    let plan = Plan::prepare(&mut tx, &principal, &tenant, &request.action, &order).await?;
    let mut results = Vec::with_capacity(order.len());
    for id in order {
        let Some(user) = found.remove(&id) else {
            results.push(BulkUserResult {
                user_id: id,
                email: String::new(),
                outcome: BulkOutcome::Skipped,
                reason: Some("No such user (deleted, or never existed).".into()),
            });
            continue;
        };
        let (outcome, reason) = plan.apply(&mut tx, &user).await?;
        results.push(BulkUserResult {
            user_id: id,
            email: user.email,
            outcome,
            reason,
        });
    }
    if request.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(single(BulkResult::new(request.dry_run, results)))
}

/// The selected ids in order, and the live users among them.
async fn select(
    state: &AppState,
    conn: &mut Conn,
    tenant: &str,
    selection: &BulkSelection,
) -> AppResult<(Vec<Uuid>, std::collections::HashMap<Uuid, User>)> {
    match selection {
        BulkSelection::Ids(ids) => {
            let mut seen = HashSet::new();
            let order: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
            let found = users::by_ids(conn, tenant, &order).await?;
            Ok((order, found))
        }
        BulkSelection::Filter(query) => {
            let matched = users::matching(&state.db, tenant, query, MAX_BULK_USERS + 1).await?;
            if matched.len() > MAX_BULK_USERS {
                return Err(AppError::field(
                    "selection",
                    format!("This filter matches more than {MAX_BULK_USERS} users; narrow it down and run the action in parts."),
                ));
            }
            let order = matched.iter().map(|u| u.id).collect();
            Ok((order, matched.into_iter().map(|u| (u.id, u)).collect()))
        }
    }
}

/// An action checked once for the whole selection, ready to apply user by user.
struct Plan<'a> {
    principal: &'a Principal,
    actor: gatehouse_api::audit::Actor,
    tenant: &'a str,
    action: &'a BulkAction,
    /// Users holding permissions the caller does not.
    stronger: HashSet<Uuid>,
    /// Holders of Admin, whose change might leave the tenant without one.
    admins: HashSet<Uuid>,
    group: Option<Group>,
    role: Option<(Uuid, String)>,
}

impl<'a> Plan<'a> {
    async fn prepare(
        conn: &mut Conn,
        principal: &'a Principal,
        tenant: &'a str,
        action: &'a BulkAction,
        ids: &[Uuid],
    ) -> AppResult<Plan<'a>> {
        let mut group = None;
        let mut role = None;
        match action {
            BulkAction::AddToGroup { group_id } | BulkAction::RemoveFromGroup { group_id } => {
                let found = groups::get_in(conn, tenant, *group_id)
                    .await?
                    .ok_or_else(|| AppError::gone("group"))?;
                let granted = roles::granted_by_group(conn, found.id).await?;
                if matches!(action, BulkAction::AddToGroup { .. }) {
                    guards::ensure_can_grant(
                        principal,
                        granted.iter().map(|(n, p)| (n.as_str(), p)),
                    )?;
                }
                guards::confirm_if_role_admin(principal, granted.iter().map(|(_, p)| p))?;
                group = Some(found);
            }
            BulkAction::AssignRole { role_id } | BulkAction::RemoveRole { role_id } => {
                let known = roles::permissions_of(conn, tenant, &[*role_id]).await?;
                let (name, permissions) = known
                    .get(role_id)
                    .cloned()
                    .ok_or_else(|| AppError::gone("role"))?;
                if matches!(action, BulkAction::AssignRole { .. }) {
                    guards::ensure_can_grant(principal, [(name.as_str(), &permissions)])?;
                } else {
                    guards::ensure_can_revoke(principal, [(name.as_str(), &permissions)])?;
                }
                guards::confirm_if_role_admin(principal, [&permissions])?;
                role = Some((*role_id, name));
            }
            _ => {}
        }
        let stronger = guards::stronger_among(conn, principal, tenant, ids).await?;
        let admin_role = roles::builtin_id(conn, tenant, BuiltinRole::ADMIN).await?;
        let admins = roles::holders_among(conn, &[admin_role], ids).await?;
        let actor = store::audit::actor_of(conn, principal).await?;
        Ok(Plan {
            principal,
            actor,
            tenant,
            action,
            stronger,
            admins,
            group,
            role,
        })
    }

    /// Whether the action can take Admin away from someone who has it.
    fn may_remove_admin(&self) -> bool {
        matches!(
            self.action,
            BulkAction::Disable { .. }
                | BulkAction::Lock { .. }
                | BulkAction::Delete { .. }
                | BulkAction::RemoveFromGroup { .. }
                | BulkAction::RemoveRole { .. }
        )
    }

    /// Applies the action to one user, after the checks the single action makes. A
    /// change to an administrator runs in a savepoint, undone if it left none.
    async fn apply(&self, conn: &mut Conn, user: &User) -> AppResult<Outcome> {
        let against_self = matches!(
            self.action,
            BulkAction::Disable { .. } | BulkAction::Lock { .. } | BulkAction::Delete { .. }
        );
        if against_self && user.id == self.principal.user_id {
            return Ok(refused(format!(
                "Your own account: you cannot {} it.",
                self.action.verb()
            )));
        }
        if self.stronger.contains(&user.id) {
            return Ok(refused(
                "Holds permissions you do not; only an administrator who holds them too can change this user.",
            ));
        }
        if !(self.admins.contains(&user.id) && self.may_remove_admin()) {
            return self.change(conn, user).await;
        }
        let mut savepoint = conn.begin().await?;
        let outcome = self.change(&mut savepoint, user).await?;
        if roles::active_admins(&mut savepoint, self.tenant).await? == 0 {
            savepoint.rollback().await?;
            return Ok(refused(
                "The last active administrator: the tenant would have nobody to manage it.",
            ));
        }
        savepoint.commit().await?;
        Ok(outcome)
    }

    async fn record(&self, conn: &mut Conn, event: Event<'_>) -> AppResult<()> {
        audit::record(conn, self.tenant, event).await?;
        Ok(())
    }

    fn event(&self, action: AuditAction, user: &User) -> Event<'_> {
        Event::new(Who::Known(&self.actor), action, user_target(user))
    }

    async fn change(&self, conn: &mut Conn, user: &User) -> AppResult<Outcome> {
        match self.action {
            BulkAction::Disable { .. } => self.set_status(conn, user, UserStatus::Disabled).await,
            BulkAction::Lock { .. } => self.set_status(conn, user, UserStatus::Locked).await,
            BulkAction::Enable | BulkAction::Unlock => {
                let from = if matches!(self.action, BulkAction::Enable) {
                    UserStatus::Disabled
                } else {
                    UserStatus::Locked
                };
                if user.status == UserStatus::Active {
                    return Ok(skipped("Already active."));
                }
                if user.status != from {
                    return Ok(skipped(format!(
                        "{}: use the user's own page.",
                        user.status.label()
                    )));
                }
                self.set_status(conn, user, UserStatus::Active).await
            }
            BulkAction::Delete { .. } => {
                if !users::soft_delete(conn, self.tenant, user.id).await? {
                    return Ok(skipped("No such user (deleted meanwhile)."));
                }
                sessions::revoke_all(&mut *conn, user.id).await?;
                resets::end_all(conn, user.id).await?;
                let event = self
                    .event(AuditAction::UserDeleted, user)
                    .changes(audit::deleted(user));
                self.record(conn, event).await?;
                Ok((BulkOutcome::Done, None))
            }
            BulkAction::AddToGroup { .. } | BulkAction::RemoveFromGroup { .. } => {
                self.membership(conn, user).await
            }
            BulkAction::AssignRole { .. } | BulkAction::RemoveRole { .. } => {
                self.direct_role(conn, user).await
            }
        }
    }

    async fn set_status(
        &self,
        conn: &mut Conn,
        user: &User,
        status: UserStatus,
    ) -> AppResult<Outcome> {
        if user.status == status {
            return Ok(skipped(format!(
                "Already {}.",
                status.label().to_lowercase()
            )));
        }
        let reason = self.action.reason().map(str::to_owned);
        let Some(saved) = users::set_status(conn, self.tenant, user.id, status, reason).await?
        else {
            return Ok(skipped("No such user (deleted meanwhile)."));
        };
        if status != UserStatus::Active {
            sessions::revoke_all(&mut *conn, user.id).await?;
            resets::end_all(conn, user.id).await?;
        }
        let event = self
            .event(AuditAction::UserStatusChanged, &saved)
            .changes(audit::diff(user, &saved))
            .reason(self.action.reason());
        self.record(conn, event).await?;
        Ok((BulkOutcome::Done, None))
    }

    async fn membership(&self, conn: &mut Conn, user: &User) -> AppResult<Outcome> {
        let group = self.group.as_ref().expect("prepared for a group action");
        let member = !groups::members_among(conn, group.id, &[user.id])
            .await?
            .is_empty();
        let adding = matches!(self.action, BulkAction::AddToGroup { .. });
        let (action, change) = match (adding, member) {
            (true, true) => return Ok(skipped("Already a member.")),
            (false, false) => return Ok(skipped("Not a member.")),
            (true, false) => {
                groups::add_members(conn, group.id, &[user.id]).await?;
                (
                    AuditAction::GroupMembersAdded,
                    audit::change("members", (), [user.name()]),
                )
            }
            (false, true) => {
                groups::remove_members(conn, group.id, &[user.id]).await?;
                (
                    AuditAction::GroupMembersRemoved,
                    audit::change("members", [user.name()], ()),
                )
            }
        };
        let target = audit::target(TargetType::Group, group.id, group.name.clone());
        let event = Event::new(Who::Known(&self.actor), action, target)
            .changes(change.into_iter().collect());
        self.record(conn, event).await?;
        Ok((BulkOutcome::Done, None))
    }

    async fn direct_role(&self, conn: &mut Conn, user: &User) -> AppResult<Outcome> {
        let (role, name) = self.role.as_ref().expect("prepared for a role action");
        let before = roles::direct_of_user(&mut *conn, user.id).await?;
        let held = before.contains(role);
        let after: Vec<Uuid> = match (matches!(self.action, BulkAction::AssignRole { .. }), held) {
            (true, true) => return Ok(skipped(format!("Already holds {name}."))),
            (false, false) => return Ok(skipped(format!("Does not hold {name} directly."))),
            (true, false) => before.iter().copied().chain([*role]).collect(),
            (false, true) => before.iter().copied().filter(|r| r != role).collect(),
        };
        roles::set_direct(conn, user.id, &after).await?;
        let change = audit::change(
            "roles",
            roles::names_of(conn, self.tenant, &before).await?,
            roles::names_of(conn, self.tenant, &after).await?,
        );
        let event = self
            .event(AuditAction::UserRolesChanged, user)
            .changes(change.into_iter().collect());
        self.record(conn, event).await?;
        Ok((BulkOutcome::Done, None))
    }
}
