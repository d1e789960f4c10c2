//! Audit events: appended in the transaction of the change they record, read newest
//! first, pruned when older than the tenant keeps them. Nothing here updates an event
//! (and a trigger refuses it anyway).

use chrono::SecondsFormat;
use gatehouse_api::audit::{
    cursor_after, Actor, AuditAction, AuditEvent, AuditQuery, Change, Target, TargetType,
};
use gatehouse_api::export::safe_cell;
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

use super::engine::{query, query_as, query_scalar, Conn, DbRow, QueryBuilder};
use super::{now_ms, push_contained_in_any, to_time, users, Db, Engine};
use crate::auth::Principal;

const COLUMNS: &str = "id, occurred_at, actor_kind, actor_id, actor_name, api_key_id, \
    api_key_name, action, target_type, target_id, target_name, changes, reason, request_id, \
    client_ip, user_agent";

/// An event ready to store.
pub struct NewEvent<'a> {
    pub tenant: &'a str,
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub target: &'a Target,
    pub changes: &'a [Change],
    pub reason: Option<&'a str>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn insert(conn: &mut Conn, event: &NewEvent<'_>) -> sqlx::Result<()> {
    let (kind, actor_id, actor_name, key_id, key_name) = match event.actor {
        Actor::User { id, name } => ("user", Some(*id), Some(name.as_str()), None, None),
        Actor::ApiKey {
            id,
            name,
            owner_id,
            owner_name,
        } => (
            "api_key",
            Some(*owner_id),
            Some(owner_name.as_str()),
            Some(*id),
            Some(name.as_str()),
        ),
        Actor::System => ("system", None, None, None, None),
        Actor::Anonymous => ("anonymous", None, None, None, None),
    };
    let changes = serde_json::to_string(event.changes).unwrap_or_else(|_| "[]".into());
    query(
        "INSERT INTO audit_events (tenant_id, occurred_at, actor_kind, actor_id, actor_name, \
         api_key_id, api_key_name, action, target_type, target_id, target_name, changes, \
         reason, request_id, client_ip, user_agent) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event.tenant)
    .bind(now_ms())
    .bind(kind)
    .bind(actor_id)
    .bind(actor_name)
    .bind(key_id)
    .bind(key_name)
    .bind(event.action.as_str())
    .bind(event.target.kind.as_str())
    .bind(&event.target.id)
    .bind(&event.target.name)
    .bind(changes)
    .bind(event.reason)
    .bind(&event.request_id)
    .bind(&event.client_ip)
    .bind(&event.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person, named as they are now (deleted people too: their events still name them).
pub async fn person(conn: &mut Conn, id: Uuid) -> sqlx::Result<Actor> {
    let row =
        query("SELECT id, email, display_name, first_name, last_name FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some(row) => {
            let person = users::user_ref(&row)?;
            Actor::User {
                id,
                name: person.name,
            }
        }
        None => Actor::User {
            id,
            name: id.to_string(),
        },
    })
}

/// The caller of a request: the person, or the API key acting for them.
pub async fn actor_of(conn: &mut Conn, principal: &Principal) -> sqlx::Result<Actor> {
    let Actor::User { id, name } = person(&mut *conn, principal.user_id).await? else {
        unreachable!("person() names a user");
    };
    let Some(key) = principal.api_key else {
        return Ok(Actor::User { id, name });
    };
    let key_name: Option<String> = query_scalar("SELECT name FROM api_keys WHERE id = ?")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(Actor::ApiKey {
        id: key,
        name: key_name.unwrap_or_default(),
        owner_id: id,
        owner_name: name,
    })
}

fn decode_err(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: format!("unexpected value {value:?}").into(),
    }
}

fn from_row(row: &DbRow) -> sqlx::Result<AuditEvent> {
    let kind: String = row.try_get("actor_kind")?;
    let actor_id: Option<Uuid> = row.try_get("actor_id")?;
    let actor_name: Option<String> = row.try_get("actor_name")?;
    let actor = match (kind.as_str(), actor_id) {
        ("user", Some(id)) => Actor::User {
            id,
            name: actor_name.unwrap_or_default(),
        },
        ("api_key", Some(owner_id)) => Actor::ApiKey {
            id: row
                .try_get::<Option<Uuid>, _>("api_key_id")?
                .unwrap_or_default(),
            name: row
                .try_get::<Option<String>, _>("api_key_name")?
                .unwrap_or_default(),
            owner_id,
            owner_name: actor_name.unwrap_or_default(),
        },
        ("system", _) => Actor::System,
        ("anonymous", _) => Actor::Anonymous,
        _ => return Err(decode_err("actor_kind", &kind)),
    };
    let action: String = row.try_get("action")?;
    let target_type: String = row.try_get("target_type")?;
    let changes: String = row.try_get("changes")?;
    Ok(AuditEvent {
        id: row.try_get("id")?,
        occurred_at: to_time(row.try_get("occurred_at")?),
        actor,
        action: AuditAction::parse(&action).ok_or_else(|| decode_err("action", &action))?,
        target: Target {
            kind: TargetType::parse(&target_type)
                .ok_or_else(|| decode_err("target_type", &target_type))?,
            id: row.try_get("target_id")?,
            name: row.try_get("target_name")?,
        },
        changes: serde_json::from_str(&changes)
            .map_err(|e| decode_err("changes", &e.to_string()))?,
        reason: row.try_get("reason")?,
        request_id: row.try_get("request_id")?,
        client_ip: row.try_get("client_ip")?,
        user_agent: row.try_get("user_agent")?,
    })
}

/// `SELECT … WHERE` the query's filters (not its cursor), newest first from there on.
fn filtered(
    engine: Engine,
    tenant: &str,
    query: &AuditQuery,
    before: Option<(i64, i64)>,
) -> QueryBuilder {
    let mut q = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM audit_events WHERE tenant_id = "
    ));
    q.push_bind(tenant.to_owned());
    if let Some((time, id)) = before {
        q.push(" AND (occurred_at, id) < (")
            .push_bind(time)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    if let Some(actor) = query.actor_id {
        q.push(" AND actor_id = ").push_bind(actor);
    }
    if let Some(action) = query.action {
        q.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(kind) = query.target_type {
        q.push(" AND target_type = ").push_bind(kind.as_str());
    }
    if let Some(id) = query
        .target_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        q.push(" AND target_id = ").push_bind(id.to_owned());
    }
    if let Some(request) = query
        .request_id
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        q.push(" AND request_id = ").push_bind(request.to_owned());
    }
    if let Some(from) = query.from {
        q.push(" AND occurred_at >= ")
            .push_bind(from.timestamp_millis());
    }
    if let Some(to) = query.to {
        q.push(" AND occurred_at < ")
            .push_bind(to.timestamp_millis());
    }
    if let Some(term) = query.search_term() {
        push_search(&mut q, engine, term);
    }
    q.push(" ORDER BY occurred_at DESC, id DESC");
    q
}

/// Events whose names, reason or changed values contain `term`: through the trigram
/// index when it has three characters or more, else by scanning.
fn push_search(q: &mut QueryBuilder, engine: Engine, term: &str) {
    if engine == Engine::Postgres {
        // The expression of the trigram index `audit_events_search` (its migration).
        q.push(
            " AND (coalesce(actor_name, '') || ' ' || coalesce(api_key_name, '') || ' ' \
             || target_name || ' ' || coalesce(reason, '') || ' ' || changes) LIKE ",
        )
        .push_bind(super::like_pattern(term))
        .push(" ESCAPE '\\'");
        return;
    }
    if term.chars().count() >= 3 {
        q.push(" AND id IN (SELECT rowid FROM audit_search WHERE audit_search MATCH ")
            .push_bind(format!("\"{}\"", term.replace('"', "\"\"")))
            .push(")");
        return;
    }
    push_contained_in_any(
        q,
        &[
            "actor_name",
            "api_key_name",
            "target_name",
            "reason",
            "changes",
        ],
        term,
    );
}

/// One page of events, newest first, and the cursor of the next page when there is one.
pub async fn list(
    db: &Db,
    tenant: &str,
    query: &AuditQuery,
) -> sqlx::Result<(Vec<AuditEvent>, Option<String>)> {
    let per_page = query.per_page();
    let mut select = filtered(db.engine(), tenant, query, query.position());
    select.push(" LIMIT ").push_bind(i64::from(per_page) + 1);
    let mut events = select
        .build()
        .fetch_all(db)
        .await?
        .iter()
        .map(from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    let next = (events.len() > per_page as usize).then(|| {
        events.truncate(per_page as usize);
        events.last().map(cursor_after)
    });
    Ok((events, next.flatten()))
}

/// The CSV header of an audit export.
const EXPORT_HEADER: [&str; 15] = [
    "id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_name",
    "api_key_id",
    "action",
    "target_type",
    "target_id",
    "target_name",
    "changes",
    "reason",
    "request_id",
    "client_ip",
    "user_agent",
];

/// Every event the query's filters match, newest first, as CSV sent to `out` in chunks
/// (read as a stream, never all held). Stops when the client goes away.
pub async fn export_csv(
    db: &Db,
    tenant: &str,
    query: &AuditQuery,
    out: &Sender<std::io::Result<Vec<u8>>>,
) -> anyhow::Result<()> {
    let select = filtered(db.engine(), tenant, query, query.position());
    super::stream_csv(select.build().fetch(db), &EXPORT_HEADER, out, |row| {
        Ok(export_row(&from_row(row)?).to_vec())
    })
    .await
}

fn export_row(event: &AuditEvent) -> [String; 15] {
    let text = |value: &str| safe_cell(value).into_owned();
    let (kind, actor_id, actor_name, key_id) = match &event.actor {
        Actor::User { id, name } => ("user", id.to_string(), name.as_str(), String::new()),
        Actor::ApiKey {
            id,
            owner_id,
            owner_name,
            ..
        } => (
            "api_key",
            owner_id.to_string(),
            owner_name.as_str(),
            id.to_string(),
        ),
        Actor::System => ("system", String::new(), "", String::new()),
        Actor::Anonymous => ("anonymous", String::new(), "", String::new()),
    };
    [
        event.id.to_string(),
        event
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Millis, true),
        kind.to_owned(),
        actor_id,
        text(actor_name),
        key_id,
        event.action.as_str().to_owned(),
        event.target.kind.as_str().to_owned(),
        text(&event.target.id),
        text(&event.target.name),
        text(&serde_json::to_string(&event.changes).unwrap_or_default()),
        text(event.reason.as_deref().unwrap_or_default()),
        event.request_id.clone().unwrap_or_default(),
        event.client_ip.clone().unwrap_or_default(),
        text(event.user_agent.as_deref().unwrap_or_default()),
    ]
}

/// Deletes events older than each tenant keeps them, a batch at a time so writers are
/// never held up for long. Returns how many went.
pub async fn prune(db: &Db) -> sqlx::Result<u64> {
    const BATCH: i64 = 5_000;
    let day_ms: i64 = 24 * 60 * 60 * 1000;
    let tenants: Vec<(String, i64)> = query_as("SELECT id, audit_retention_days FROM tenants")
        .fetch_all(db)
        .await?;
    let mut pruned = 0;
    for (tenant, days) in tenants {
        let before = now_ms() - days * day_ms;
        loop {
            let gone = query(
                "DELETE FROM audit_events WHERE id IN ( \
                   SELECT id FROM audit_events WHERE tenant_id = ? AND occurred_at < ? LIMIT ?)",
            )
            .bind(&tenant)
            .bind(before)
            .bind(BATCH)
            .execute(db)
            .await?
            .rows_affected();
            pruned += gone;
            if gone < BATCH as u64 {
                break;
            }
        }
    }
    Ok(pruned)
}
