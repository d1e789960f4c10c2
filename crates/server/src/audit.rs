//! Recording the audit log: who changed what, from where, and the fields before and
//! after. Every write calls [`record`] inside its own transaction, so a change whose
//! event cannot be stored rolls back with it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::USER_AGENT;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use gatehouse_api::audit::{Actor, AuditAction, Change, Target, TargetType};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::auth::Principal;
use crate::store;
use crate::store::Conn;
use crate::AppState;

/// Where a request came from, kept for the events it records.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub client_ip: String,
    pub user_agent: Option<String>,
}

tokio::task_local! {
    static ORIGIN: Origin;
}

/// Longest user agent kept in an event.
const MAX_USER_AGENT_CHARS: usize = 400;

/// The client's address: the connection's peer, or, when the server is told it sits
/// behind a proxy (`--trust-proxy`), the last address of `X-Forwarded-For` (the one the
/// proxy itself saw; earlier ones are the client's word).
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
    trust_proxy: bool,
) -> String {
    if trust_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(address) = forwarded {
            return address.to_owned();
        }
    }
    peer.map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Makes the request's origin available to every event it records.
pub async fn capture(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = Origin {
        client_ip: client_address(
            request.headers(),
            request.extensions().get(),
            state.settings.trust_proxy,
        ),
        user_agent: request
            .headers()
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(MAX_USER_AGENT_CHARS).collect()),
    };
    ORIGIN.scope(origin, next.run(request)).await
}

/// Who acts, before their names are looked up.
#[derive(Clone, Copy, Debug)]
pub enum Who<'a> {
    /// The caller of the request (a session or an API key).
    Caller(&'a Principal),
    /// A person acting without a session yet (signing in, accepting an invite).
    User(Uuid),
    System,
    Anonymous,
    /// An actor already looked up (many events of one request).
    Known(&'a Actor),
}

/// One event, as a handler describes it.
#[derive(Debug)]
pub struct Event<'a> {
    pub who: Who<'a>,
    pub action: AuditAction,
    pub target: Target,
    pub changes: Vec<Change>,
    pub reason: Option<String>,
}

impl<'a> Event<'a> {
    pub fn new(who: Who<'a>, action: AuditAction, target: Target) -> Self {
        Self {
            who,
            action,
            target,
            changes: Vec::new(),
            reason: None,
        }
    }

    pub fn changes(mut self, changes: Vec<Change>) -> Self {
        self.changes = changes;
        self
    }

    pub fn reason(mut self, reason: Option<&str>) -> Self {
        self.reason = reason.map(str::to_owned).filter(|r| !r.trim().is_empty());
        self
    }
}

/// What an event is about.
pub fn target(kind: TargetType, id: impl ToString, name: impl Into<String>) -> Target {
    Target {
        kind,
        id: id.to_string(),
        name: name.into(),
    }
}

/// A user as a target, named as the console shows them.
pub fn user_target(user: &gatehouse_api::users::User) -> Target {
    target(TargetType::User, user.id, user.name())
}

/// Records `action` on a person's own account, done by that person (`who`).
pub async fn record_own(
    conn: &mut Conn,
    tenant: &str,
    who: Who<'_>,
    user: Uuid,
    action: AuditAction,
) -> sqlx::Result<()> {
    let name = match store::audit::person(&mut *conn, user).await? {
        Actor::User { name, .. } => name,
        _ => user.to_string(),
    };
    let event = Event::new(who, action, target(TargetType::User, user, name));
    record(conn, tenant, event).await
}

/// Records an event in a transaction of its own, for writes that are not in one (a
/// failed sign-in's counters).
pub async fn record_alone(db: &store::Db, tenant: &str, event: Event<'_>) -> sqlx::Result<()> {
    let mut tx = store::begin_write(db).await?;
    record(&mut tx, tenant, event).await?;
    tx.commit().await
}

/// Stores `event` in the transaction `conn` belongs to.
pub async fn record(conn: &mut Conn, tenant: &str, event: Event<'_>) -> sqlx::Result<()> {
    let actor = match event.who {
        Who::Caller(principal) => store::audit::actor_of(&mut *conn, principal).await?,
        Who::User(id) => store::audit::person(&mut *conn, id).await?,
        Who::System => Actor::System,
        Who::Anonymous => Actor::Anonymous,
        Who::Known(actor) => actor.clone(),
    };
    let origin = ORIGIN.try_with(Clone::clone).unwrap_or_default();
    let stored = store::audit::NewEvent {
        tenant,
        actor: &actor,
        action: event.action,
        target: &event.target,
        changes: &event.changes,
        reason: event.reason.as_deref(),
        request_id: crate::request_id::current(),
        client_ip: Some(origin.client_ip).filter(|ip| !ip.is_empty()),
        user_agent: origin.user_agent,
    };
    store::audit::insert(conn, &stored).await
}

/// Fields that say nothing about what changed (bookkeeping, counters, times).
const UNTRACKED: &[&str] = &[
    "id",
    "tenant_id",
    "created_at",
    "updated_at",
    "version",
    "member_count",
    "user_count",
    "group_count",
    "last_used_at",
    "last_login_at",
    "delivery",
];

/// Field names whose values are never written to the log, whatever object they are in.
const SECRETS: &[&str] = &[
    "password",
    "password_hash",
    "new_password",
    "client_secret",
    "secret",
    "secret_hash",
    "token",
    "code",
];

/// Flattens an object into `path -> value` (nested objects joined with dots; arrays and
/// scalars are leaves).
fn flatten(prefix: &str, value: &Value, into: &mut Map<String, Value>) {
    match value {
        Value::Object(fields) => {
            for (name, value) in fields {
                if prefix.is_empty() && UNTRACKED.contains(&name.as_str()) {
                    continue;
                }
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&path, value, into);
            }
        }
        leaf => {
            into.insert(prefix.to_owned(), leaf.clone());
        }
    }
}

fn fields_of(value: &impl Serialize) -> Map<String, Value> {
    let mut fields = Map::new();
    if let Ok(value) = serde_json::to_value(value) {
        flatten("", &value, &mut fields);
    }
    fields
}

fn is_secret(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    SECRETS.contains(&last)
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The fields that differ between two versions of one object, in field order. Empty and
/// missing values count as absent.
pub fn diff(before: &impl Serialize, after: &impl Serialize) -> Vec<Change> {
    diff_fields(&fields_of(before), &fields_of(after))
}

/// Every field a new object was created with.
pub fn created(after: &impl Serialize) -> Vec<Change> {
    diff_fields(&Map::new(), &fields_of(after))
}

/// Every field a deleted object had.
pub fn deleted(before: &impl Serialize) -> Vec<Change> {
    diff_fields(&fields_of(before), &Map::new())
}

fn diff_fields(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<Change> {
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|path| {
            let old = before.get(path).filter(|v| !is_empty(v));
            let new = after.get(path).filter(|v| !is_empty(v));
            if old == new {
                return None;
            }
            if is_secret(path) {
                return Some(Change::secret(path));
            }
            Some(Change {
                field: path.clone(),
                before: old.cloned(),
                after: new.cloned(),
                secret: false,
            })
        })
        .collect()
}

/// One field's change, for values that are not a whole object (a list of names).
pub fn change(field: &str, before: impl Serialize, after: impl Serialize) -> Option<Change> {
    let before = serde_json::to_value(before).ok().filter(|v| !is_empty(v));
    let after = serde_json::to_value(after).ok().filter(|v| !is_empty(v));
    (before != after).then(|| Change {
        field: field.to_owned(),
        before,
        after,
        secret: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only_and_never_secret_values() {
        let before = json!({"id": 1, "name": "Ada", "email": "a@x", "version": 1,
            "oidc": {"issuer": "https://a", "client_secret": "s1"}, "note": null});
        let after = json!({"id": 1, "name": "Ada L", "email": "a@x", "version": 2,
            "oidc": {"issuer": "https://b", "client_secret": "s2"}, "note": ""});
        let changes = diff(&before, &after);
        let text = serde_json::to_string(&changes).unwrap();
        assert_eq!(
            changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
            ["name", "oidc.client_secret", "oidc.issuer"]
        );
        assert!(changes[1].secret && changes[1].before.is_none());
        assert!(!text.contains("s1") && !text.contains("s2"), "{text}");
    }

    #[test]
    fn created_and_deleted_list_what_there_was() {
        let user = json!({"id": 1, "email": "a@x", "phone": null, "groups": []});
        assert_eq!(created(&user)[0].after, Some(json!("a@x")));
        assert_eq!(deleted(&user).len(), 1);
        assert!(change("roles", ["A"], ["A"]).is_none());
        assert!(change("roles", ["A"], ["A", "B"]).is_some());
    }
}
