//! `POST /api/v1/tenants/{tenant_id}/users/import`: users from CSV rows. Each row
//! creates a user, updates the one with its email, or leaves them as they are; a row in
//! error changes nothing (it runs in a savepoint) and the others go on. A dry run does
//! all of it and rolls it back. Importing the same file twice changes nothing the
//! second time.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::Json;
use gatehouse_api::audit::{AuditAction, Change};
use gatehouse_api::import::{
    guess_mapping, import_status, read_cell, ImportField, ImportReport, ImportRequest, ImportRow,
    Mapping, RowOutcome, MAX_IMPORT_ROWS, NAME_SEPARATOR, PREVIEW_ROWS,
};
use gatehouse_api::invites::MailKind;
use gatehouse_api::users::{CreateUser, UpdateUser, User, UserStatus};
use gatehouse_api::validation::normalize_email;
use gatehouse_api::{Permission, Problem, Single};
use uuid::Uuid;

use super::users::{insert_user, WELCOME_HOURS};
use super::{links, single};
use crate::audit::{self, user_target, Event, Who};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::extract::{JsonBody, Path};
use crate::guards;
use crate::store::Conn;
use crate::store::{self, groups, resets, roles, sessions, users};
use crate::AppState;

/// Creates and updates users from the rows of a CSV file (see the module documentation).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/users/import", tag = "users", security(("bearer" = [])),
    params(("tenant_id" = String, Path)), request_body = ImportRequest,
    responses(
        (status = 200, description = "The columns as mapped, the first rows, and a result per row", body = Single<ImportReport>),
        (status = 403, description = "A groups or roles column without groups:write or roles:write", body = Problem),
        (status = 409, description = "Welcome mail asked for, but the server sends no mail", body = Problem),
        (status = 422, description = "An empty, unreadable or too large file, too many rows, or a mapping without an email column", body = Problem),
    ))]
pub async fn run(
    State(state): State<AppState>,
    principal: Principal,
    Path(tenant): Path<String>,
    JsonBody(request): JsonBody<ImportRequest>,
) -> AppResult<Json<Single<ImportReport>>> {
    request.validate().map_err(AppError::Validation)?;
    let file = read_file(&request)?;
    for (field, permission) in [
        (ImportField::Groups, Permission::GroupsWrite),
        (ImportField::Roles, Permission::RolesWrite),
    ] {
        if file.mapping.contains(&Some(field)) && !principal.can(permission) {
            return Err(AppError::missing_permission(permission));
        }
    }
    if request.send_welcome_email {
        links::require_mail(&state, "send_welcome_email")?;
    }
    let mut tx = store::begin_write(&state.db).await?;
    let importer = Importer::prepare(&mut tx, &state, &principal, &tenant, &file, &request).await?;
    let mut rows = Vec::with_capacity(file.records.len());
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for (line, record) in &file.records {
        let mut row = ImportRow {
            line: *line,
            email: String::new(),
            outcome: RowOutcome::Error,
            detail: None,
        };
        let values = match Values::read(record, &file.mapping) {
            Ok(values) => values,
            Err(why) => {
                row.detail = Some(why);
                rows.push(row);
                continue;
            }
        };
        row.email = values.email.clone();
        if let Some(first) = first_line_of.get(&values.email) {
            row.detail = Some(format!("The same email address is on line {first}."));
            rows.push(row);
            continue;
        }
        first_line_of.insert(values.email.clone(), *line);
        let mut savepoint = tx.begin().await?;
        match importer.import(&mut savepoint, &values).await? {
            Ok((outcome, detail)) => {
                savepoint.commit().await?;
                row.outcome = outcome;
                row.detail = detail;
            }
            Err(why) => {
                savepoint.rollback().await?;
                row.detail = Some(why);
            }
        }
        rows.push(row);
    }
    if request.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        state.mailer.queued.notify_one();
    }
    let mut report = ImportReport {
        dry_run: request.dry_run,
        headers: file.headers,
        mapping: file.mapping,
        preview: file
            .records
            .iter()
            .take(PREVIEW_ROWS)
            .map(|(_, r)| r.clone())
            .collect(),
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: 0,
        rows,
    };
    report.tally();
    Ok(single(report))
}

/// The file as read: its headers, the mapping that applies, and each row with its line.
struct File {
    headers: Vec<String>,
    mapping: Mapping,
    records: Vec<(u64, Vec<String>)>,
}

/// Reads the whole file with the `csv` crate; 422 for what cannot be imported at all.
fn read_file(request: &ImportRequest) -> AppResult<File> {
    let unreadable = |e: csv::Error| {
        AppError::field(
            "csv",
            format!("The file could not be read as CSV ({e}). Save it from the spreadsheet as \"CSV UTF-8\"."),
        )
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(request.csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(unreadable)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let mapping = request
        .mapping
        .clone()
        .unwrap_or_else(|| guess_mapping(&headers));
    if mapping.len() != headers.len() {
        return Err(AppError::field(
            "mapping",
            format!(
                "The file has {} columns; give one entry for each.",
                headers.len()
            ),
        ));
    }
    if !mapping.contains(&Some(ImportField::Email)) {
        return Err(AppError::field(
            "mapping",
            "No column looks like an email address. Choose the column that holds it.",
        ));
    }
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(unreadable)?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if records.len() == MAX_IMPORT_ROWS {
            return Err(AppError::field(
                "csv",
                format!(
                    "The file has more than {MAX_IMPORT_ROWS} rows; split it into smaller files."
                ),
            ));
        }
        let line = record.position().map_or(0, |p| p.line());
        records.push((line, record.iter().map(str::to_owned).collect()));
    }
    if records.is_empty() {
        return Err(AppError::field(
            "csv",
            "The file has a header row but no users.",
        ));
    }
    Ok(File {
        headers,
        mapping,
        records,
    })
}

/// One row's values, by field; empty cells are absent (they change nothing).
struct Values {
    email: String,
    text: HashMap<ImportField, String>,
    status: Option<UserStatus>,
    groups: Vec<String>,
    roles: Vec<String>,
}

impl Values {
    fn read(record: &[String], mapping: &Mapping) -> Result<Values, String> {
        let mut text = HashMap::new();
        for (column, field) in mapping.iter().enumerate() {
            let Some(field) = field else { continue };
            let cell = record.get(column).map(String::as_str).unwrap_or_default();
            let value = read_cell(cell).map_err(|why| format!("{}: {why}", field.label()))?;
            if !value.is_empty() {
                text.insert(*field, value.into_owned());
            }
        }
        let email = text
            .remove(&ImportField::Email)
            .map(|e| normalize_email(&e))
            .ok_or("No email address.")?;
        let names = |field| -> Vec<String> {
            text.get(&field)
                .map(|cell: &String| {
                    cell.split(NAME_SEPARATOR)
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let groups = names(ImportField::Groups);
        let roles = names(ImportField::Roles);
        let status = text
            .get(&ImportField::Status)
            .map(|s| import_status(s))
            .transpose()?;
        Ok(Values {
            email,
            text,
            status,
            groups,
            roles,
        })
    }

    fn get(&self, field: ImportField) -> Option<String> {
        self.text.get(&field).cloned()
    }

    /// The profile fields as a patch (email aside: rows are matched by it).
    fn patch(&self) -> UpdateUser {
        UpdateUser {
            username: self.get(ImportField::Username),
            first_name: self.get(ImportField::FirstName),
            last_name: self.get(ImportField::LastName),
            display_name: self.get(ImportField::DisplayName),
            phone: self.get(ImportField::Phone),
            locale: self.get(ImportField::Locale),
            timezone: self.get(ImportField::Timezone),
            ..UpdateUser::default()
        }
    }
}

/// Why a row's grant is refused, in the words the single action would use.
fn refusal(error: AppError) -> String {
    match error {
        AppError::Forbidden { detail, .. } => detail,
        AppError::ConfirmIdentity => {
            "Giving this role needs a recent confirmation of who you are: confirm it (any dangerous action asks) and import again.".into()
        }
        other => other.to_string(),
    }
}

/// "first_name: too long; phone: …".
fn problems(errors: Vec<gatehouse_api::FieldError>) -> String {
    errors
        .into_iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

type RowResult = Result<(RowOutcome, Option<String>), String>;

/// Groups or roles a row names: id and name.
type Named = Vec<(Uuid, String)>;

/// What every row needs, looked up once.
struct Importer<'a> {
    state: &'a AppState,
    principal: &'a Principal,
    actor: gatehouse_api::audit::Actor,
    tenant: &'a str,
    existing: HashMap<String, User>,
    stronger: HashSet<Uuid>,
    groups: HashMap<String, (Uuid, String)>,
    /// Groups whose roles the caller may not grant.
    ungrantable_groups: HashSet<Uuid>,
    roles: HashMap<String, (Uuid, String, std::collections::BTreeSet<Permission>)>,
    send_welcome_email: bool,
}

impl<'a> Importer<'a> {
    async fn prepare(
        conn: &mut Conn,
        state: &'a AppState,
        principal: &'a Principal,
        tenant: &'a str,
        file: &File,
        request: &ImportRequest,
    ) -> AppResult<Importer<'a>> {
        let email_column = file
            .mapping
            .iter()
            .position(|f| *f == Some(ImportField::Email))
            .unwrap_or_default();
        let emails: Vec<String> = file
            .records
            .iter()
            .filter_map(|(_, r)| r.get(email_column))
            .map(|e| normalize_email(e.trim().trim_start_matches('\'')))
            .collect();
        let existing = users::by_emails(conn, tenant, &emails).await?;
        let ids: Vec<Uuid> = existing.values().map(|u| u.id).collect();
        let stronger = guards::stronger_among(conn, principal, tenant, &ids).await?;
        let groups = groups::by_name(conn, tenant).await?;
        let mut ungrantable_groups = HashSet::new();
        if file.mapping.contains(&Some(ImportField::Groups)) {
            for (id, _) in groups.values() {
                let grants = roles::granted_by_group(conn, *id).await?;
                let grantable = guards::ensure_can_grant(
                    principal,
                    grants.iter().map(|(n, p)| (n.as_str(), p)),
                )
                .is_ok()
                    && guards::confirm_if_role_admin(principal, grants.iter().map(|(_, p)| p))
                        .is_ok();
                if !grantable {
                    ungrantable_groups.insert(*id);
                }
            }
        }
        Ok(Importer {
            state,
            principal,
            actor: store::audit::actor_of(conn, principal).await?,
            tenant,
            existing,
            stronger,
            groups,
            ungrantable_groups,
            roles: roles::by_name(conn, tenant).await?,
            send_welcome_email: request.send_welcome_email,
        })
    }

    /// The groups and roles a row names, or why one cannot be given.
    fn grants(&self, values: &Values) -> Result<(Named, Named), String> {
        let mut groups = Vec::new();
        for name in &values.groups {
            let (id, name) = self
                .groups
                .get(&name.to_lowercase())
                .cloned()
                .ok_or_else(|| format!("There is no group named {name:?}."))?;
            if self.ungrantable_groups.contains(&id) {
                return Err(format!(
                    "You cannot add people to {name:?}: it grants permissions you do not hold (or that need you to confirm who you are)."
                ));
            }
            groups.push((id, name));
        }
        let mut roles = Vec::new();
        for name in &values.roles {
            let (id, name, permissions) = self
                .roles
                .get(&name.to_lowercase())
                .cloned()
                .ok_or_else(|| format!("There is no role named {name:?}."))?;
            guards::ensure_can_grant(self.principal, [(name.as_str(), &permissions)])
                .and_then(|()| guards::confirm_if_role_admin(self.principal, [&permissions]))
                .map_err(refusal)?;
            roles.push((id, name));
        }
        Ok((groups, roles))
    }

    /// One row, inside its savepoint: `Err` is the row's error, and the savepoint is
    /// rolled back.
    async fn import(&self, conn: &mut Conn, values: &Values) -> AppResult<RowResult> {
        let (groups, roles) = match self.grants(values) {
            Ok(grants) => grants,
            Err(why) => return Ok(Err(why)),
        };
        match self.existing.get(&values.email) {
            None => self.create(conn, values, &groups, &roles).await,
            Some(user) => self.update(conn, user, values, &groups, &roles).await,
        }
    }

    async fn create(
        &self,
        conn: &mut Conn,
        values: &Values,
        groups: &[(Uuid, String)],
        roles: &[(Uuid, String)],
    ) -> AppResult<RowResult> {
        let patch = values.patch();
        let request = CreateUser {
            email: values.email.clone(),
            username: patch.username,
            first_name: patch.first_name,
            last_name: patch.last_name,
            display_name: patch.display_name,
            phone: patch.phone,
            locale: patch.locale,
            timezone: patch.timezone,
            send_welcome_email: self.send_welcome_email,
            ..CreateUser::default()
        };
        if let Err(errors) = request.validate() {
            return Ok(Err(problems(errors)));
        }
        let mut user =
            match insert_user(conn, self.tenant, &request, None, Some(self.principal)).await {
                Ok(user) => user,
                Err(AppError::Conflict { detail, .. }) => return Ok(Err(detail)),
                Err(other) => return Err(other),
            };
        if let Some(status) = values.status.filter(|s| *s != UserStatus::Active) {
            user = users::set_status(conn, self.tenant, user.id, status, None)
                .await?
                .ok_or_else(|| AppError::gone("user"))?;
        }
        let mut changes = audit::created(&user);
        changes.extend(self.grant(conn, user.id, groups, roles).await?);
        if self.send_welcome_email && user.status == UserStatus::Active {
            links::mail_password_link(conn, self.state, &user, MailKind::Welcome, WELCOME_HOURS)
                .await?;
        }
        let event = Event::new(
            Who::Known(&self.actor),
            AuditAction::UserCreated,
            user_target(&user),
        )
        .changes(changes)
        .reason(Some("Imported from CSV"));
        audit::record(conn, self.tenant, event).await?;
        Ok(Ok((RowOutcome::Created, None)))
    }

    async fn update(
        &self,
        conn: &mut Conn,
        user: &User,
        values: &Values,
        groups: &[(Uuid, String)],
        roles: &[(Uuid, String)],
    ) -> AppResult<RowResult> {
        if self.stronger.contains(&user.id) {
            return Ok(Err(
                "This user holds permissions you do not; only an administrator who holds them too can change them.".into(),
            ));
        }
        let patch = values.patch();
        if let Err(errors) = patch.validate() {
            return Ok(Err(problems(errors)));
        }
        let mut changed = user.clone();
        let set = |field: &mut Option<String>, value: Option<String>| {
            if value.is_some() {
                *field = value;
            }
        };
        set(&mut changed.username, patch.username);
        set(&mut changed.first_name, patch.first_name);
        set(&mut changed.last_name, patch.last_name);
        set(&mut changed.display_name, patch.display_name);
        set(&mut changed.phone, patch.phone);
        set(&mut changed.locale, patch.locale);
        set(&mut changed.timezone, patch.timezone);
        let mut saved = user.clone();
        if changed != *user {
            match users::save_profile(conn, &changed, user.version).await {
                Ok(Some(after)) => saved = after,
                Ok(None) => {
                    return Ok(Err(
                        "Someone else changed this user meanwhile; import again.".into(),
                    ))
                }
                Err(e) if store::is_unique_violation(&e, "users.username") => {
                    return Ok(Err("Another user already has this username.".into()))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(status) = values.status.filter(|s| *s != saved.status) {
            if status != UserStatus::Active && user.id == self.principal.user_id {
                return Ok(Err(
                    "Your own account: you cannot disable or lock it.".into()
                ));
            }
            saved = users::set_status(conn, self.tenant, user.id, status, None)
                .await?
                .ok_or_else(|| AppError::gone("user"))?;
            if status != UserStatus::Active {
                sessions::revoke_all(&mut *conn, user.id).await?;
                resets::end_all(conn, user.id).await?;
                if roles::active_admins(conn, self.tenant).await? == 0 {
                    return Ok(Err(
                        "The last active administrator: the tenant would have nobody to manage it."
                            .into(),
                    ));
                }
            }
        }
        let mut changes = audit::diff(user, &saved);
        changes.extend(self.grant(conn, user.id, groups, roles).await?);
        if changes.is_empty() {
            return Ok(Ok((RowOutcome::Unchanged, None)));
        }
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        let detail = Some(format!("Changes {}", fields.join(", ")));
        let event = Event::new(
            Who::Known(&self.actor),
            AuditAction::UserUpdated,
            user_target(&saved),
        )
        .changes(changes)
        .reason(Some("Imported from CSV"));
        audit::record(conn, self.tenant, event).await?;
        Ok(Ok((RowOutcome::Updated, detail)))
    }

    /// Adds the memberships and direct roles the user lacks; what they gained.
    async fn grant(
        &self,
        conn: &mut Conn,
        user: Uuid,
        groups: &[(Uuid, String)],
        roles: &[(Uuid, String)],
    ) -> AppResult<Vec<Change>> {
        let mut joined = Vec::new();
        for (id, name) in groups {
            if groups::members_among(conn, *id, &[user]).await?.is_empty() {
                groups::add_members(conn, *id, &[user]).await?;
                joined.push(name.clone());
            }
        }
        let held = roles::direct_of_user(&mut *conn, user).await?;
        let mut gained = Vec::new();
        for (id, name) in roles {
            if !held.contains(id) {
                roles::grant(conn, user, *id).await?;
                gained.push(name.clone());
            }
        }
        Ok([
            audit::change("groups joined", (), joined),
            audit::change("roles gained", (), gained),
        ]
        .into_iter()
        .flatten()
        .collect())
    }
}
