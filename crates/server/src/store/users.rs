//! Users: rows, the list query, and every write.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use gatehouse_api::export::{safe_cell, UserColumn};
use gatehouse_api::query::SortOrder;
use gatehouse_api::users::{
    IdentitySource, User, UserKind, UserListQuery, UserRef, UserSortBy, UserStatus,
};
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

use super::engine::{query, query_as, query_scalar, Bind, Conn, DbRow, QueryBuilder, Separated};
use super::{now_ms, to_time, Db, Engine};

const COLUMNS: &str =
    "id, tenant_id, email, username, first_name, last_name, display_name, phone, \
    locale, timezone, status, status_reason, identity_source, email_verified, mfa_enabled, \
    require_password_change, custom_attributes, created_at, updated_at, last_login_at, \
    password_changed_at, version, kind";

fn decode_err(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: format!("unexpected value {value:?}").into(),
    }
}

fn from_row(row: &DbRow) -> sqlx::Result<User> {
    let status: String = row.try_get("status")?;
    let source: String = row.try_get("identity_source")?;
    let attributes: String = row.try_get("custom_attributes")?;
    let kind: String = row.try_get("kind")?;
    Ok(User {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        email: row.try_get("email")?,
        username: row.try_get("username")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        display_name: row.try_get("display_name")?,
        phone: row.try_get("phone")?,
        locale: row.try_get("locale")?,
        timezone: row.try_get("timezone")?,
        status: UserStatus::parse(&status).ok_or_else(|| decode_err("status", &status))?,
        status_reason: row.try_get("status_reason")?,
        identity_source: IdentitySource::parse(&source)
            .ok_or_else(|| decode_err("identity_source", &source))?,
        kind: UserKind::parse(&kind).ok_or_else(|| decode_err("kind", &kind))?,
        email_verified: row.try_get("email_verified")?,
        mfa_enabled: row.try_get("mfa_enabled")?,
        require_password_change: row.try_get("require_password_change")?,
        custom_attributes: serde_json::from_str(&attributes)
            .map_err(|e| decode_err("custom_attributes", &e.to_string()))?,
        created_at: to_time(row.try_get("created_at")?),
        updated_at: to_time(row.try_get("updated_at")?),
        last_login_at: row.try_get::<Option<i64>, _>("last_login_at")?.map(to_time),
        password_changed_at: row
            .try_get::<Option<i64>, _>("password_changed_at")?
            .map(to_time),
        version: row.try_get("version")?,
    })
}

/// A [`UserRef`] from a row with `id, email, display_name, first_name, last_name`.
pub fn user_ref(row: &DbRow) -> sqlx::Result<UserRef> {
    let email: String = row.try_get("email")?;
    let display: Option<String> = row.try_get("display_name")?;
    let first: Option<String> = row.try_get("first_name")?;
    let last: Option<String> = row.try_get("last_name")?;
    let full = [first, last]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = display
        .filter(|d| !d.is_empty())
        .or(Some(full).filter(|f| !f.is_empty()))
        .unwrap_or_else(|| email.clone());
    Ok(UserRef {
        id: row.try_get("id")?,
        email,
        name,
    })
}

/// The people with these ids, by id (deleted ones too: history still names them).
pub async fn refs(db: &Db, ids: &[Uuid]) -> sqlx::Result<std::collections::HashMap<Uuid, UserRef>> {
    refs_in(&mut db.acquire().await?, ids).await
}

/// [`refs`], inside a transaction.
pub async fn refs_in(
    conn: &mut Conn,
    ids: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, UserRef>> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(400) {
        let mut q = QueryBuilder::new(
            "SELECT id, email, display_name, first_name, last_name FROM users WHERE id IN (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            let person = user_ref(&row)?;
            found.insert(person.id, person);
        }
    }
    Ok(found)
}

/// How the audit log names a set of users: their names and emails, sorted (at most
/// `limit`, then "and N more").
pub async fn names_in(conn: &mut Conn, ids: &[Uuid], limit: usize) -> sqlx::Result<Vec<String>> {
    let people = refs_in(conn, &ids[..ids.len().min(limit)]).await?;
    let mut names: Vec<String> = people
        .into_values()
        .map(|person| {
            if person.name == person.email {
                person.email
            } else {
                format!("{} <{}>", person.name, person.email)
            }
        })
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    if ids.len() > names.len() {
        names.push(format!("and {} more", ids.len() - names.len()));
    }
    Ok(names)
}

fn attributes_json(attributes: &BTreeMap<String, String>) -> String {
    serde_json::to_string(attributes).unwrap_or_else(|_| "{}".into())
}

/// Inserts a user built by the caller (id, times and version included).
pub async fn insert(conn: &mut Conn, user: &User, password_hash: Option<&str>) -> sqlx::Result<()> {
    let mut q = QueryBuilder::new(format!("INSERT INTO users ({COLUMNS}, password_hash) "));
    q.push_values([user], |mut row, u| {
        push_user_values(&mut row, u);
        row.push_bind(password_hash);
    });
    q.build().execute(conn).await?;
    Ok(())
}

/// Inserts many users in one statement (demo data); none has a password.
pub async fn insert_many(conn: &mut Conn, users: &[User]) -> sqlx::Result<()> {
    let mut q = QueryBuilder::new(format!("INSERT INTO users ({COLUMNS}) "));
    q.push_values(users, |mut row, u| push_user_values(&mut row, u));
    q.build().execute(conn).await?;
    Ok(())
}

fn push_user_values(row: &mut Separated<'_, &'static str>, u: &User) {
    row.push_bind(u.id)
        .push_bind(u.tenant_id.clone())
        .push_bind(u.email.clone())
        .push_bind(u.username.clone())
        .push_bind(u.first_name.clone())
        .push_bind(u.last_name.clone())
        .push_bind(u.display_name.clone())
        .push_bind(u.phone.clone())
        .push_bind(u.locale.clone())
        .push_bind(u.timezone.clone())
        .push_bind(u.status.as_str())
        .push_bind(u.status_reason.clone())
        .push_bind(u.identity_source.as_str())
        .push_bind(u.email_verified)
        .push_bind(u.mfa_enabled)
        .push_bind(u.require_password_change)
        .push_bind(attributes_json(&u.custom_attributes))
        .push_bind(u.created_at.timestamp_millis())
        .push_bind(u.updated_at.timestamp_millis())
        .push_bind(u.last_login_at.map(|t| t.timestamp_millis()))
        .push_bind(u.password_changed_at.map(|t| t.timestamp_millis()))
        .push_bind(u.version)
        .push_bind(u.kind.as_str());
}

/// A live (not deleted) user of the tenant.
pub async fn get(db: &Db, tenant: &str, id: Uuid) -> sqlx::Result<Option<User>> {
    query(format!(
        "SELECT {COLUMNS} FROM users WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(tenant)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// What sign-in needs to know about the live user with this email.
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
}

pub async fn find_credentials(
    db: &Db,
    tenant: &str,
    email: &str,
) -> sqlx::Result<Option<Credentials>> {
    let row = query(format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE tenant_id = ? AND email = ? AND deleted_at IS NULL"
    ))
    .bind(tenant)
    .bind(email)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: from_row(&r)?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// How the rows of a list are found: walking the index of the sort order and checking
/// each row, looking up the few rows the search index or a membership named and sorting
/// those, or (for an estimate) checking a run of consecutive rows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    ByOrderIndex,
    ByMatches,
    /// The rows whose `seq` lies in `from..=to` (the search index is asked for those
    /// only); see [`estimate`].
    Sample {
        from: i64,
        to: i64,
    },
}

/// A list's number of matching users: counted, or estimated when counting would read
/// more rows than a page is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total {
    pub count: u64,
    pub estimated: bool,
}

impl Total {
    fn exact(count: u64) -> Self {
        Self {
            count,
            estimated: false,
        }
    }

    /// The pagination of `page`, saying whether its total is an estimate.
    pub fn pagination(self, page: u32, per_page: u32) -> gatehouse_api::Pagination {
        if self.estimated {
            gatehouse_api::Pagination::estimated(page, per_page, self.count)
        } else {
            gatehouse_api::Pagination::new(page, per_page, self.count)
        }
    }
}

/// A count that would read more rows than this is estimated instead.
const COUNT_LIMIT: u64 = 5_000;

/// An estimate checks this many runs of consecutive rows, spread evenly over the table...
const SAMPLE_RUNS: i64 = 10;
/// ...of this many rows each.
const SAMPLE_RUN_ROWS: i64 = 1_000;

/// Appends the WHERE clause of a list query.
fn push_filter(
    q: &mut QueryBuilder,
    engine: Engine,
    tenant: &str,
    query: &UserListQuery,
    plan: Plan,
) {
    // `+tenant_id` keeps SQLite from using a tenant index, so it looks rows up by the
    // keys the search index or the membership named instead.
    let tenant_column = if plan == Plan::ByOrderIndex {
        " FROM users WHERE tenant_id = "
    } else {
        " FROM users WHERE +tenant_id = "
    };
    q.push(tenant_column)
        .push_bind(tenant)
        .push(" AND deleted_at IS NULL");
    if let Some(status) = query.status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
    push_row_filters(q, engine, query, plan);
    // Walking the sort index, `+id` keeps SQLite from looking members up one by one (and
    // sorting them all) instead.
    let id_in = if plan == Plan::ByMatches {
        " AND id IN ("
    } else {
        " AND +id IN ("
    };
    if let Some(group) = query.group_id {
        q.push(id_in)
            .push("SELECT user_id FROM group_members WHERE group_id = ")
            .push_bind(group)
            .push(")");
    }
    if let Some(role) = query.role_id {
        // On PostgreSQL the groups granting the role are read once into an array (a
        // join would be planned again for every row checked: 24 µs a row, 59 ms for a
        // page of a role held through groups), and the holders looked up by id (it
        // would hash-join them against a scan of every user).
        if plan == Plan::ByMatches && engine == Engine::Postgres {
            q.push(" AND id = ANY (ARRAY(SELECT user_id FROM user_roles WHERE role_id = ")
                .push_bind(role)
                .push(" UNION SELECT user_id FROM group_members WHERE group_id = ANY (ARRAY(SELECT group_id FROM group_roles WHERE role_id = ")
                .push_bind(role)
                .push("))))");
        } else if plan == Plan::ByMatches {
            q.push(" AND id IN (SELECT user_id FROM user_roles WHERE role_id = ")
                .push_bind(role)
                .push(" UNION SELECT gm.user_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id WHERE gr.role_id = ")
                .push_bind(role)
                .push(")");
        } else if engine == Engine::Postgres {
            // As below; `OFFSET 0` keeps PostgreSQL from hashing every holder of the role
            // first (the checks a row at a time: 319 ms -> 25 ms at a million users).
            q.push(" AND (EXISTS (SELECT 1 FROM user_roles WHERE user_id = users.id AND role_id = ")
                .push_bind(role)
                .push(" OFFSET 0) OR EXISTS (SELECT 1 FROM group_members WHERE user_id = users.id AND group_id = ANY (ARRAY(SELECT group_id FROM group_roles WHERE role_id = ")
                .push_bind(role)
                .push(")) OFFSET 0))");
        } else {
            // Walking the sort index, each row is checked by its own keys: collecting
            // every holder of a common role first would read a large share of the table.
            q.push(" AND (EXISTS (SELECT 1 FROM user_roles WHERE user_id = users.id AND role_id = ")
                .push_bind(role)
                .push(") OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = users.id AND gm.group_id IN (SELECT group_id FROM group_roles WHERE role_id = ")
                .push_bind(role)
                .push(")))");
        }
    }
}

/// Appends ` AND …` for the filters a row answers by itself (and the search index): the
/// search, identity source, kind and two-step sign-in.
fn push_row_filters(q: &mut QueryBuilder, engine: Engine, query: &UserListQuery, plan: Plan) {
    if let Some(term) = query.search_term() {
        push_search(q, engine, term, plan);
    }
    if let Some(source) = query.identity_source {
        q.push(" AND identity_source = ").push_bind(source.as_str());
    }
    if let Some(kind) = query.kind {
        q.push(" AND kind = ").push_bind(kind.as_str());
    }
    if let Some(mfa) = query.mfa_enabled {
        q.push(" AND mfa_enabled = ").push_bind(mfa);
    }
}

/// Whether a search, group or role filter names the rows (through an index), rather than
/// only narrowing a walk over all of them.
fn names_few_rows(query: &UserListQuery) -> bool {
    query.search_term().is_some() || query.group_id.is_some() || query.role_id.is_some()
}

/// Whether a filter other than status, group and role applies: one only a row itself
/// (or the search index) can answer.
fn filters_rows(query: &UserListQuery) -> bool {
    query.search_term().is_some()
        || query.identity_source.is_some()
        || query.kind.is_some()
        || query.mfa_enabled.is_some()
}

/// `SELECT` of a list query's rows with its filter and order (no paging).
fn ordered_select(engine: Engine, tenant: &str, query: &UserListQuery, plan: Plan) -> QueryBuilder {
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS}"));
    push_filter(&mut select, engine, tenant, query, plan);
    push_order(&mut select, engine, query, plan, false);
    select
}

/// Appends the ORDER BY of a list query, or its exact reverse.
fn push_order(
    q: &mut QueryBuilder,
    engine: Engine,
    query: &UserListQuery,
    plan: Plan,
    reversed: bool,
) {
    let direction = match (query.sort_order(), reversed) {
        (SortOrder::Asc, false) | (SortOrder::Desc, true) => "ASC",
        (SortOrder::Desc, false) | (SortOrder::Asc, true) => "DESC",
    };
    // Each order matches an index (see the migration); `seq` breaks ties stably.
    let column = match query.sort_by() {
        UserSortBy::CreatedAt => "created_at",
        UserSortBy::LastLoginAt => "last_login_at",
        UserSortBy::Email => "email",
        UserSortBy::DisplayName => "display_name COLLATE NOCASE",
    };
    // Given few matches (a group's members, a rare word), PostgreSQL would still walk
    // the order's index and look each row up, hoping fifty turn up soon: 0.5 s for a
    // group of 2,000 among a million. The same order written so no index gives it makes
    // it read the matches and sort them (25 ms).
    let column = match (engine, plan, query.sort_by()) {
        (Engine::Postgres, Plan::ByMatches, UserSortBy::CreatedAt) => "created_at + 0",
        (Engine::Postgres, Plan::ByMatches, UserSortBy::LastLoginAt) => "last_login_at + 0",
        (Engine::Postgres, Plan::ByMatches, UserSortBy::Email) => "email || ''",
        (Engine::Postgres, Plan::ByMatches, UserSortBy::DisplayName) => {
            "(display_name || '') COLLATE NOCASE"
        }
        _ => column,
    };
    // Without a last sign-in or display name, a user sorts first, as in SQLite (and as
    // PostgreSQL's indexes on those columns are built).
    let nulls = match (engine, query.sort_by(), direction) {
        (Engine::Sqlite, ..) | (_, UserSortBy::CreatedAt | UserSortBy::Email, _) => "",
        (Engine::Postgres, _, "ASC") => " NULLS FIRST",
        (Engine::Postgres, ..) => " NULLS LAST",
    };
    q.push(format_args!(
        " ORDER BY {column} {direction}{nulls}, seq {direction}"
    ));
}

/// An FTS5 string literal.
fn fts_quote(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// The full-text queries of a search: words of three characters or more anywhere
/// (trigram index), shorter words at the start of a word (prefix index).
fn search_matches(term: &str) -> Vec<(&'static str, String)> {
    let (long, short): (Vec<&str>, Vec<&str>) = term
        .split_whitespace()
        .partition(|w| w.chars().count() >= 3);
    let all = |words: &[&str], suffix: &str| {
        words
            .iter()
            .map(|w| format!("{}{suffix}", fts_quote(w)))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let mut matches = Vec::new();
    if !long.is_empty() {
        matches.push(("users_search", all(&long, "")));
    }
    if !short.is_empty() {
        matches.push(("users_words", all(&short, "*")));
    }
    matches
}

/// The columns the search looks in (those of the search indexes).
const SEARCHED: [&str; 5] = [
    "email",
    "username",
    "first_name",
    "last_name",
    "display_name",
];

/// What PostgreSQL's trigram index on users covers (its migration): the searched
/// columns, separated by spaces (a word, having none, matches within one column).
const SEARCH_EXPRESSION: &str = "email || ' ' || coalesce(username, '') || ' ' \
    || coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' \
    || coalesce(display_name, '')";

/// Every word of the search must occur in one of the searched columns.
fn push_search(q: &mut QueryBuilder, engine: Engine, term: &str, plan: Plan) {
    if engine == Engine::Postgres {
        // The trigram index `users_search` answers `ILIKE '%word%'` on this expression.
        // Walking the order's index (a common word), the planner must neither use that
        // index nor trust its estimate of a long word's matches (far too low: it would
        // collect and sort 18,000 matches, or scan the table, instead of finding fifty in
        // the walk); in a CASE, the test is one it cannot look into.
        for word in term.split_whitespace() {
            let (open, close) = if plan == Plan::ByOrderIndex {
                (" AND CASE WHEN (", " THEN TRUE ELSE FALSE END")
            } else {
                (" AND (", "")
            };
            q.push(format_args!("{open}{SEARCH_EXPRESSION}) LIKE "))
                .push_bind(super::like_pattern(word))
                .push(" ESCAPE '\\'")
                .push(close);
        }
        return;
    }
    let mut matches = search_matches(term);
    if plan == Plan::ByOrderIndex && term.is_ascii() {
        // Walking the sort index, each row is checked on its own: collecting every
        // match of a common word first would read a large share of the index. For
        // ASCII words, LIKE's case folding is the trigram index's, so the answers agree.
        matches.retain(|(table, _)| *table != "users_search");
        for word in term.split_whitespace().filter(|w| w.chars().count() >= 3) {
            super::push_contained_in_any(q, &SEARCHED, word);
        }
    }
    let seq = if plan == Plan::ByOrderIndex {
        " AND +seq IN "
    } else {
        " AND seq IN "
    };
    for (table, matching) in matches {
        q.push(seq)
            .push(format_args!(
                "(SELECT rowid FROM {table} WHERE {table} MATCH "
            ))
            .push_bind(matching);
        if let Plan::Sample { from, to } = plan {
            q.push(" AND rowid BETWEEN ")
                .push_bind(from)
                .push(" AND ")
                .push_bind(to);
        }
        q.push(")");
    }
}

/// What the indexes and the kept counts tell about a list query cheaply: how many live
/// users there are, and how many each of its search, group and role filters names.
struct Extent {
    /// The tenant's live users.
    live: u64,
    /// The tenant's live users in the status filtered on (all live users without one).
    in_status: u64,
    /// The group's members, when filtered by group.
    group: Option<u64>,
    /// The role's direct holders and its holders through groups (counted once per group,
    /// so at least the true number), when filtered by role.
    role: Option<(u64, u64)>,
    /// The rows the search index names (any tenant, deleted users too), capped.
    search: Option<u64>,
    /// What a sample of the table said of the row filters, when one was taken.
    sample: Option<Sample>,
}

impl Extent {
    async fn of(db: &Db, tenant: &str, query: &UserListQuery) -> sqlx::Result<Self> {
        let counts: Vec<(String, i64)> =
            query_as("SELECT status, users FROM user_counts WHERE tenant_id = ?")
                .bind(tenant)
                .fetch_all(db)
                .await?;
        let live = counts.iter().map(|(_, n)| n).sum::<i64>();
        let in_status = match query.status {
            Some(status) => counts
                .iter()
                .find(|(s, _)| s == status.as_str())
                .map_or(0, |(_, n)| *n),
            None => live,
        };
        let group = match query.group_id {
            Some(group) => Some(
                query_scalar::<i64>(
                    "SELECT COUNT(*) FROM group_members WHERE group_id = ?1
                       AND EXISTS (SELECT 1 FROM groups WHERE id = ?1 AND tenant_id = ?2)",
                )
                .bind(group)
                .bind(tenant)
                .fetch_one(db)
                .await?,
            ),
            None => None,
        };
        let role = match query.role_id {
            Some(role) => Some(
                query_as::<(i64, i64)>(
                    "SELECT (SELECT COUNT(*) FROM user_roles WHERE role_id = ?1),
                            (SELECT COUNT(*) FROM group_members WHERE group_id IN
                                (SELECT group_id FROM group_roles WHERE role_id = ?1))
                      WHERE EXISTS (SELECT 1 FROM roles WHERE id = ?1 AND tenant_id = ?2)",
                )
                .bind(role)
                .bind(tenant)
                .fetch_optional(db)
                .await?
                .unwrap_or_default(),
            ),
            None => None,
        };
        let mut search = None;
        let mut sample = None;
        let search_term = query.search_term();
        if let (Engine::Postgres, Some(term)) = (db.engine(), search_term) {
            // Matches are checked against the rows, so only as many as the choices
            // need: whether counting is cheap, and whether sorting the matches beats
            // walking the order's index for this page.
            let search_cap = search_cap(query.per_page(), live);
            // A word a sample finds often all over the table (clearly more than the
            // cap's share of the users) is common: the walk finds a page soon, and
            // counting up to the cap (each match checked against its row: 40 ms at a
            // million users) would cost more than the page. A rare word stops the
            // sampling at once.
            let common = 1.5 * search_cap as f64 / live.max(1) as f64;
            if common < 1.0 {
                sample = take_sample(db, tenant, query, Some(common)).await?;
            }
            search = Some(if sample.is_some() {
                search_cap
            } else {
                let mut named = QueryBuilder::new(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE deleted_at IS NULL",
                );
                push_search(&mut named, Engine::Postgres, term, Plan::ByMatches);
                named
                    .push(" LIMIT ")
                    .push_bind(search_cap)
                    .push(") AS named");
                named.build_query_scalar::<i64>().fetch_one(db).await?
            });
        }
        // The full-text index answers without reading rows: counted as far as the widest
        // page needs, the same count serves every page size.
        let search_cap = search_cap(gatehouse_api::MAX_PER_PAGE, live);
        let full_text = search_term.filter(|_| db.engine() == Engine::Sqlite);
        for (table, matching) in full_text.map(search_matches).unwrap_or_default() {
            let named: i64 = query_scalar(format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)"
            ))
            .bind(matching)
            .bind(search_cap)
            .fetch_one(db)
            .await?;
            search = Some(search.map_or(named, |s: i64| s.min(named)));
        }
        Ok(Self {
            live: count_of(live),
            in_status: count_of(in_status),
            group: group.map(count_of),
            role: role.map(|(direct, via_groups)| (count_of(direct), count_of(via_groups))),
            search: search.map(count_of),
            sample,
        })
    }

    /// The total, when the kept counts or the memberships give it exactly.
    fn exact_total(&self, query: &UserListQuery) -> Option<u64> {
        if filters_rows(query) {
            return None;
        }
        match (self.group, self.role) {
            (None, None) => Some(self.in_status),
            (Some(members), None) if query.status.is_none() => Some(members),
            (None, Some((direct, 0))) if query.status.is_none() => Some(direct),
            _ => None,
        }
    }

    /// The fewest rows a search, group or role filter names, if any applies.
    fn named(&self) -> Option<u64> {
        [
            self.group,
            self.role.map(|(direct, via)| direct + via),
            self.search,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The fewest rows any one filter narrows the list to: what counting reads at most.
    fn narrowest(&self) -> u64 {
        self.named()
            .map_or(self.in_status, |n| n.min(self.in_status))
    }

    /// How to count: from the rows a filter names when they are few, else along the
    /// status (or sort) index.
    fn count_plan(&self) -> Plan {
        match self.named() {
            Some(named) if named <= COUNT_LIMIT => Plan::ByMatches,
            _ => Plan::ByOrderIndex,
        }
    }

    /// Whether looking up the named rows and sorting them beats walking the sort index
    /// to the end of a page `shown` rows from the start: the walk passes about
    /// `live / named` rows per row it keeps, so a deep page favours sorting.
    fn few_enough_to_sort(&self, shown: u64) -> bool {
        self.named().is_some_and(|named| {
            named.saturating_mul(named) <= shown.saturating_mul(self.live.max(1))
        })
    }
}

/// The exact count of the users a list query matches.
async fn count(db: &Db, tenant: &str, query: &UserListQuery, plan: Plan) -> sqlx::Result<u64> {
    let mut count = QueryBuilder::new("SELECT COUNT(*)");
    push_filter(&mut count, db.engine(), tenant, query, plan);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    Ok(u64::try_from(total).unwrap_or(0))
}

/// How far a search's matches are counted: far enough to tell whether counting them is
/// cheap (at most [`COUNT_LIMIT`]) and whether sorting them beats walking the order's
/// index for a page of `per_page` rows among `live` users.
fn search_cap(per_page: u32, live: i64) -> i64 {
    let walked = f64::from(per_page) * live.max(1) as f64;
    (walked.sqrt() as i64).max(COUNT_LIMIT as i64) + 1
}

/// A database count as a number of rows.
fn count_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// What a sample of the table says of a list's row filters: of the live users (in the
/// status filtered on) in runs of consecutive rows spread evenly over the table, how
/// many the filters keep.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Sample {
    seen: i64,
    kept: i64,
}

impl Sample {
    fn share(self) -> Option<f64> {
        (self.seen > 0).then(|| self.kept as f64 / self.seen as f64)
    }

    /// Whether the filters keep at least half of `share` of this sample's rows.
    fn dense(self, share: f64) -> bool {
        self.kept as f64 >= share / 2.0 * self.seen as f64
    }
}

/// The table's last `seq` when it is too large to count through (so a list's total is
/// estimated instead).
async fn too_large_to_count(db: &Db) -> sqlx::Result<Option<i64>> {
    let last: Option<i64> = query_scalar("SELECT MAX(seq) FROM users")
        .fetch_one(db)
        .await?;
    Ok(last.filter(|&last| last > SAMPLE_RUNS * SAMPLE_RUN_ROWS))
}

/// Samples the row filters of a list query; `None` when the table is small enough to
/// count instead. Given `common`, `None` too unless the filters keep that share of the
/// sample, and at least half of it in every run: a word common in one stretch of the
/// table only (one import's, say) is not, since walking an order's index could pass
/// most of the table before reaching it. Sampling then stops at the first thin run.
async fn take_sample(
    db: &Db,
    tenant: &str,
    query: &UserListQuery,
    common: Option<f64>,
) -> sqlx::Result<Option<Sample>> {
    let Some(last) = too_large_to_count(db).await? else {
        return Ok(None);
    };
    let mut sample = Sample { seen: 0, kept: 0 };
    for run in 0..SAMPLE_RUNS {
        let from = 1 + run * (last / SAMPLE_RUNS);
        let to = from + SAMPLE_RUN_ROWS - 1;
        // One pass over the run: its live users (in the status), and how many of
        // them the row filters keep.
        let mut counts = QueryBuilder::new("SELECT COUNT(*), COALESCE(SUM(CASE WHEN TRUE");
        push_row_filters(&mut counts, db.engine(), query, Plan::Sample { from, to });
        counts
            .push(" THEN 1 ELSE 0 END), 0) FROM users WHERE +tenant_id = ")
            .push_bind(tenant)
            .push(" AND deleted_at IS NULL AND seq BETWEEN ")
            .push_bind(from)
            .push(" AND ")
            .push_bind(to);
        if let Some(status) = query.status {
            counts.push(" AND +status = ").push_bind(status.as_str());
        }
        let (seen, kept): (i64, i64) = counts.build_query_as().fetch_one(db).await?;
        if common.is_some_and(|share| !Sample { seen, kept }.dense(share)) {
            return Ok(None);
        }
        sample.seen += seen;
        sample.kept += kept;
    }
    let common_enough = |share: f64| sample.share().is_some_and(|kept| kept >= share);
    Ok(Some(sample).filter(|_| common.is_none_or(common_enough)))
}

/// An estimate of the users a list query matches: the share of sampled rows its row
/// filters keep, times the users in its status, times the shares its group and role
/// hold. `None` when the table is small enough to count instead.
async fn estimate(
    db: &Db,
    tenant: &str,
    query: &UserListQuery,
    extent: &Extent,
) -> sqlx::Result<Option<u64>> {
    let sampled_share = if !filters_rows(query) {
        too_large_to_count(db).await?.map(|_| 1.0)
    } else {
        let sample = match extent.sample {
            Some(sample) => Some(sample),
            None => take_sample(db, tenant, query, None).await?,
        };
        sample.and_then(Sample::share)
    };
    let Some(mut share) = sampled_share else {
        return Ok(None);
    };
    let live = extent.live.max(1) as f64;
    if let Some(members) = extent.group {
        share *= (members as f64 / live).min(1.0);
    }
    if let Some((direct, via_groups)) = extent.role {
        share *= ((direct + via_groups) as f64 / live).min(1.0);
    }
    Ok(Some((extent.in_status as f64 * share).round() as u64))
}

/// One page of the tenant's users and the number of users matching in all (estimated
/// when counting them would cost more than the page: see [`Total`]).
pub async fn list(
    db: &Db,
    tenant: &str,
    query: &UserListQuery,
) -> sqlx::Result<(Vec<User>, Total)> {
    let extent = Extent::of(db, tenant, query).await?;
    let sort_matches =
        extent.few_enough_to_sort(u64::from(query.page()) * u64::from(query.per_page()));
    let plan = if sort_matches {
        Plan::ByMatches
    } else {
        Plan::ByOrderIndex
    };
    let total = match extent.exact_total(query) {
        Some(total) => Some(Total::exact(total)),
        None if extent.narrowest() <= COUNT_LIMIT => Some(Total::exact(
            count(db, tenant, query, extent.count_plan()).await?,
        )),
        None => estimate(db, tenant, query, &extent)
            .await?
            .map(|count| Total {
                count,
                estimated: true,
            }),
    };
    let total = match total {
        Some(total) => total,
        None => Total::exact(count(db, tenant, query, extent.count_plan()).await?),
    };
    let per_page = u64::from(query.per_page());
    let offset = u64::from(query.page() - 1) * per_page;
    if !total.estimated && offset >= total.count {
        return Ok((Vec::new(), total));
    }

    // A page in the back half of a long list is read from the other end: walking the
    // index backwards passes fewer rows than an OFFSET from the front.
    let from_the_end = !total.estimated && !sort_matches && offset > total.count / 2;
    let (limit, skip) = if from_the_end {
        let end = (offset + per_page).min(total.count);
        (end - offset, total.count - end)
    } else {
        (per_page, offset)
    };
    let engine = db.engine();
    // PostgreSQL reads each row an OFFSET skips from the table; a deep page skips along
    // the order's index alone (an index-only scan of `seq`s) and reads only its rows.
    let skip_in_index = engine == Engine::Postgres && plan == Plan::ByOrderIndex && skip > 1_000;
    let mut select = if skip_in_index {
        QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM users WHERE seq IN (SELECT seq"
        ))
    } else {
        QueryBuilder::new(format!("SELECT {COLUMNS}"))
    };
    push_filter(&mut select, engine, tenant, query, plan);
    push_order(&mut select, engine, query, plan, from_the_end);
    select
        .push(" LIMIT ")
        .push_bind(limit as i64)
        .push(" OFFSET ")
        .push_bind(skip as i64);
    if skip_in_index {
        select.push(")");
        push_order(&mut select, engine, query, plan, from_the_end);
    }
    let rows = select.build().fetch_all(db).await?;
    let mut users = rows
        .iter()
        .map(from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    if from_the_end {
        users.reverse();
    }
    let total = if !total.estimated {
        total
    } else if (users.len() as u64) < per_page && (!users.is_empty() || offset == 0) {
        // A short page is the last: the total is known.
        Total::exact(offset + users.len() as u64)
    } else if users.is_empty() {
        // Past the end: there are at most `offset`.
        Total {
            count: total.count.min(offset),
            estimated: true,
        }
    } else {
        // A full page: at least one more row may follow.
        Total {
            count: total.count.max(offset + per_page + 1),
            estimated: true,
        }
    };
    Ok((users, total))
}

/// Writes the editable profile fields of `user` if it is still at `expected_version`,
/// returning the saved user, or `None` when someone else changed it first.
pub async fn save_profile(
    conn: &mut Conn,
    user: &User,
    expected_version: i64,
) -> sqlx::Result<Option<User>> {
    query(format!(
        "UPDATE users SET email = ?, username = ?, first_name = ?, last_name = ?, display_name = ?,
                phone = ?, locale = ?, timezone = ?, email_verified = ?, require_password_change = ?,
                custom_attributes = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND tenant_id = ? AND version = ? AND deleted_at IS NULL
         RETURNING {COLUMNS}"
    ))
    .bind(&user.email)
    .bind(&user.username)
    .bind(&user.first_name)
    .bind(&user.last_name)
    .bind(&user.display_name)
    .bind(&user.phone)
    .bind(&user.locale)
    .bind(&user.timezone)
    .bind(user.email_verified)
    .bind(user.require_password_change)
    .bind(attributes_json(&user.custom_attributes))
    .bind(now_ms())
    .bind(user.id)
    .bind(&user.tenant_id)
    .bind(expected_version)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Runs an `UPDATE users SET <assignments>, updated_at, version+1` on a live user and
/// returns the user as saved.
async fn update_returning(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    assignments: impl FnOnce(&mut QueryBuilder),
) -> sqlx::Result<Option<User>> {
    let mut q = QueryBuilder::new("UPDATE users SET ");
    assignments(&mut q);
    q.push(", updated_at = ")
        .push_bind(now_ms())
        .push(", version = version + 1");
    q.push(" WHERE id = ")
        .push_bind(id)
        .push(" AND tenant_id = ")
        .push_bind(tenant);
    q.push(" AND deleted_at IS NULL RETURNING ").push(COLUMNS);
    q.build()
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn set_status(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    status: UserStatus,
    reason: Option<String>,
) -> sqlx::Result<Option<User>> {
    update_returning(conn, tenant, id, |q| {
        q.push("status = ")
            .push_bind(status.as_str())
            .push(", status_reason = ")
            .push_bind(reason);
    })
    .await
}

pub async fn set_password(
    conn: &mut Conn,
    tenant: &str,
    id: Uuid,
    password_hash: String,
    require_change: bool,
) -> sqlx::Result<Option<User>> {
    // A new password, however it was set, ends the password links still out there.
    super::resets::end_all(&mut *conn, id).await?;
    update_returning(conn, tenant, id, |q| {
        q.push("password_hash = ")
            .push_bind(password_hash)
            .push(", password_changed_at = ")
            .push_bind(now_ms())
            .push(", require_password_change = ")
            .push_bind(require_change);
    })
    .await
}

/// Turns off every second factor of the user: secret, unfinished set-up, recovery codes.
pub async fn disable_mfa(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<Option<User>> {
    let user = update_returning(conn, tenant, id, |q| {
        q.push("mfa_enabled = FALSE");
    })
    .await?;
    if user.is_some() {
        super::mfa::forget(conn, id).await?;
    }
    Ok(user)
}

/// Marks a user deleted: gone from lists and sign-in, the email free for reuse.
pub async fn soft_delete(conn: &mut Conn, tenant: &str, id: Uuid) -> sqlx::Result<bool> {
    let now = now_ms();
    let done = query(
        "UPDATE users SET deleted_at = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(now)
    .bind(id)
    .bind(tenant)
    .execute(&mut *conn)
    .await?;
    // A deleted user holds nothing: their memberships and roles go with them.
    query("DELETE FROM group_members WHERE user_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    query("DELETE FROM user_roles WHERE user_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    super::api_keys::revoke_all_of(conn, id, None, "Its owner was deleted.").await?;
    Ok(done.rows_affected() > 0)
}

/// A successful sign-in: records the time.
pub async fn record_login(db: &Db, id: Uuid) -> sqlx::Result<Option<User>> {
    query(format!(
        "UPDATE users SET last_login_at = ? WHERE id = ? RETURNING {COLUMNS}"
    ))
    .bind(now_ms())
    .bind(id)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The stored password hash of a live user.
pub async fn password_hash(db: &Db, id: Uuid) -> sqlx::Result<Option<String>> {
    query_scalar::<Option<String>>(
        "SELECT password_hash FROM users WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// Up to `limit` live users the list query's filters match, in its order (a bulk
/// action's selection).
pub async fn matching(
    db: &Db,
    tenant: &str,
    query: &UserListQuery,
    limit: usize,
) -> sqlx::Result<Vec<User>> {
    let plan = if names_few_rows(query) {
        Plan::ByMatches
    } else {
        Plan::ByOrderIndex
    };
    let mut select = ordered_select(db.engine(), tenant, query, plan);
    select.push(" LIMIT ").push_bind(limit as i64);
    let rows = select.build().fetch_all(db).await?;
    rows.iter().map(from_row).collect()
}

/// The tenant's live users among `ids`, by id.
pub async fn by_ids(
    conn: &mut Conn,
    tenant: &str,
    ids: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, User>> {
    let found = live_where_in(conn, tenant, "id", ids).await?;
    Ok(found.into_iter().map(|u| (u.id, u)).collect())
}

/// The tenant's live users with these (normalised) email addresses, by address.
pub async fn by_emails(
    conn: &mut Conn,
    tenant: &str,
    emails: &[String],
) -> sqlx::Result<std::collections::HashMap<String, User>> {
    let found = live_where_in(conn, tenant, "email", emails).await?;
    Ok(found.into_iter().map(|u| (u.email.clone(), u)).collect())
}

/// The tenant's live users whose `column` is one of `values`.
async fn live_where_in<T>(
    conn: &mut Conn,
    tenant: &str,
    column: &str,
    values: &[T],
) -> sqlx::Result<Vec<User>>
where
    T: Bind + Clone + Send,
{
    let mut found = Vec::with_capacity(values.len());
    for chunk in values.chunks(400) {
        let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM users WHERE tenant_id = "));
        q.push_bind(tenant.to_owned())
            .push(format_args!(" AND deleted_at IS NULL AND {column} IN ("));
        let mut list = q.separated(", ");
        for value in chunk {
            list.push_bind(value.clone());
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            found.push(from_row(&row)?);
        }
    }
    Ok(found)
}

/// A live user of any tenant by email, for the command line.
pub async fn find_by_email(db: &Db, tenant: &str, email: &str) -> sqlx::Result<Option<User>> {
    Ok(find_credentials(db, tenant, email).await?.map(|c| c.user))
}

/// Every user the list query matches, in its order, as CSV (header first) sent to `out`
/// in chunks: the rows are read as a stream, never all held. Stops when `out`'s receiver
/// is gone (the client went away).
pub async fn export_csv(
    db: &Db,
    tenant: &str,
    query: &UserListQuery,
    columns: &[UserColumn],
    out: &Sender<std::io::Result<Vec<u8>>>,
) -> anyhow::Result<()> {
    // Every match is read anyway: with a search or membership, sorting the matches beats
    // walking the whole sort index.
    let plan = if names_few_rows(query) {
        Plan::ByMatches
    } else {
        Plan::ByOrderIndex
    };
    let select = ordered_select(db.engine(), tenant, query, plan);
    let header: Vec<&str> = columns.iter().map(|c| c.key()).collect();
    super::stream_csv(select.build().fetch(db), &header, out, |row| {
        let user = from_row(row)?;
        Ok(columns.iter().map(|c| export_cell(&user, *c)).collect())
    })
    .await
}

/// One cell of a user's export row; text is made safe from spreadsheet formulas.
fn export_cell(user: &User, column: UserColumn) -> String {
    let text = |value: Option<&str>| safe_cell(value.unwrap_or_default()).into_owned();
    let time = |value: Option<DateTime<Utc>>| {
        value
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    match column {
        UserColumn::Id => user.id.to_string(),
        UserColumn::Email => text(Some(&user.email)),
        UserColumn::Username => text(user.username.as_deref()),
        UserColumn::FirstName => text(user.first_name.as_deref()),
        UserColumn::LastName => text(user.last_name.as_deref()),
        UserColumn::DisplayName => text(user.display_name.as_deref()),
        UserColumn::Status => user.status.as_str().to_owned(),
        UserColumn::IdentitySource => user.identity_source.as_str().to_owned(),
        UserColumn::Kind => user.kind.as_str().to_owned(),
        UserColumn::MfaEnabled => user.mfa_enabled.to_string(),
        UserColumn::EmailVerified => user.email_verified.to_string(),
        UserColumn::CreatedAt => time(Some(user.created_at)),
        UserColumn::LastLoginAt => time(user.last_login_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of 1,000 live users of which the filters keep `kept`.
    fn run_keeping(kept: i64) -> Sample {
        Sample { seen: 1_000, kept }
    }

    #[test]
    fn a_sample_is_dense_when_it_keeps_half_the_share_or_more() {
        // Against a common share of 1.4%: 1.8% and 0.7% are dense, 0.6% is thin.
        assert!(run_keeping(18).dense(0.014));
        assert!(run_keeping(7).dense(0.014));
        assert!(!run_keeping(6).dense(0.014));
        assert_eq!(run_keeping(18).share(), Some(0.018));
        // A run without users in the status filtered on says nothing against it.
        let empty = Sample { seen: 0, kept: 0 };
        assert!(empty.dense(0.014));
        assert_eq!(empty.share(), None);
    }
}
