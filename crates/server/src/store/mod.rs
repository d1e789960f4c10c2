//! The database: connection, migrations, and one module of queries per resource.
//! Handlers call these functions; SQL lives nowhere else.

pub mod api_keys;
pub mod audit;
pub mod chores;
pub mod groups;
pub mod invites;
pub mod mfa;
pub mod outbox;
pub mod resets;
pub mod roles;
pub mod sessions;
pub mod setup;
pub mod sso;
pub mod tenants;
pub mod throttle;
pub mod users;

pub mod engine;

use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, TimeZone, Utc};
use gatehouse_api::query::NameQuery;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use engine::{query, query_scalar, QueryBuilder};
pub use engine::{Conn, Db, DbRow, Engine, Tx};

/// A transaction holding the database's write lock from its first statement. A deferred
/// one that reads and then writes fails at once on SQLite ("database is locked") when
/// another connection wrote in between, and on PostgreSQL could act on what it read
/// after another server changed it; taking the lock up front makes concurrent writers
/// (requests, the mail worker, other servers) take turns instead.
pub async fn begin_write(db: &Db) -> sqlx::Result<Tx> {
    db.begin_write().await
}

/// Connections each server keeps open to PostgreSQL: several servers share its
/// connection limit (100 by default).
const POSTGRES_CONNECTIONS: u32 = 16;

/// Opens the database named by `url` (`sqlite://file.db`, created if needed, or
/// `postgres://user@host/name`) and brings its schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        connect_postgres(url).await?
    } else if url.starts_with("sqlite:") {
        connect_sqlite(url).await?
    } else {
        bail!(
            "unsupported database URL {:?}: expected sqlite://path/to/file.db or \
             postgres://user@host/database",
            without_password(url)
        );
    };
    roles::ensure_builtin_roles(&db).await?;
    Ok(db)
}

async fn connect_postgres(url: &str) -> anyhow::Result<Db> {
    let pool = PgPoolOptions::new()
        .max_connections(POSTGRES_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", without_password(url)))?;
    // sqlx's migrator holds an advisory lock while it runs: servers starting together
    // on one database migrate it once.
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .context("database migration failed")?;
    Ok(Db::Postgres(pool))
}

/// Creates the empty database `name` on the PostgreSQL server whose administrator's URL
/// (ending in `/postgres`, say) is `admin`, and returns the new database's URL: how the
/// tests and the benchmark give each run a database of its own.
pub async fn create_postgres_database(admin: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        bail!("a database name of lowercase letters, digits and _ expected, not {name:?}");
    }
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .with_context(|| format!("cannot reach {}", without_password(admin)))?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\""))
        .execute(&mut conn)
        .await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let (server, _) = admin
        .rsplit_once('/')
        .context("an administrator's URL ends in /database")?;
    Ok(format!("{server}/{name}"))
}

/// `url` with its password (if any) hidden, for messages and logs: the one in its
/// user part (up to the last `@`, so a password may hold one) and a `password=`
/// parameter.
pub fn without_password(url: &str) -> String {
    let (address, parameters) = url.split_once('?').unwrap_or((url, ""));
    let address = match address.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) if credentials.contains(':') => {
                let user = credentials.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            _ => address.to_owned(),
        },
        None => address.to_owned(),
    };
    if parameters.is_empty() {
        return address;
    }
    let parameters: Vec<String> = parameters
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{address}?{}", parameters.join("&"))
}

async fn connect_sqlite(url: &str) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url:?}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32000");
    if let Some(parent) = options
        .get_filename()
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| {
            format!("cannot create the database directory {}", parent.display())
        })?;
    }
    let open = |connections: u32| {
        SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options.clone())
    };
    // Migrations (and any analysis after them) on a connection of their own, closed
    // after: a connection reads the planner's statistics when it opens.
    let setup = open(1)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    let applied = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&setup)
            .await
            .unwrap_or(0)
    };
    let before = applied().await;
    sqlx::migrate!("./migrations/sqlite")
        .run(&setup)
        .await
        .context("database migration failed")?;
    if applied().await > before {
        refresh_statistics(&setup)
            .await
            .context("cannot analyse the database")?;
    }
    setup.close().await;
    let pool = open(8)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    Ok(Db::Sqlite(pool))
}

/// After migrations, analyses again each table that has statistics but an index without
/// them: an index the migration added to a database analysed before. SQLite then
/// prefers the index it knows nothing about (seen: a million users sorted in memory,
/// 3 s, instead of read from the order's index). A database never analysed is left to
/// SQLite's defaults.
async fn refresh_statistics(db: &SqlitePool) -> sqlx::Result<()> {
    let analysed: bool =
        query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1')")
            .fetch_one(db)
            .await?;
    if !analysed {
        return Ok(());
    }
    let tables: Vec<String> = query_scalar(
        "SELECT DISTINCT tbl_name FROM sqlite_master
          WHERE type = 'index' AND tbl_name IN (SELECT tbl FROM sqlite_stat1)
            AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)",
    )
    .fetch_all(db)
    .await?;
    for table in tables {
        tracing::info!(%table, "analysing a table whose new indexes have no statistics");
        query(format!("ANALYZE \"{}\"", table.replace('"', "\"\"")))
            .execute(db)
            .await?;
    }
    Ok(())
}

/// One page of a tenant's rows searched by name (roles, groups), and how many match.
/// `from` names the table with a one-letter alias, such as `roles r`.
pub async fn name_page(
    db: &Db,
    columns: &str,
    from: &str,
    order: &str,
    tenant: &str,
    query: &NameQuery,
) -> sqlx::Result<(Vec<DbRow>, u64)> {
    let alias = from.rsplit(' ').next().unwrap_or(from);
    let pattern = query.search_term().map(like_pattern);
    let filter = |q: &mut QueryBuilder| {
        q.push(format_args!(" FROM {from} WHERE {alias}.tenant_id = "))
            .push_bind(tenant.to_owned());
        if let Some(pattern) = &pattern {
            q.push(format_args!(" AND {alias}.name LIKE "))
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
    };
    let mut count = QueryBuilder::new("SELECT COUNT(*)");
    filter(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut select = QueryBuilder::new(format!("SELECT {columns}"));
    filter(&mut select);
    push_page(&mut select, order, query.page(), query.per_page());
    let rows = select.build().fetch_all(db).await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Appends ` ORDER BY {order} LIMIT … OFFSET …` for the 1-based `page` of `per_page` rows.
pub fn push_page(q: &mut QueryBuilder, order: &str, page: u32, per_page: u32) {
    let per_page = i64::from(per_page);
    q.push(format_args!(" ORDER BY {order} LIMIT "))
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(i64::from(page.max(1) - 1) * per_page);
}

/// Appends ` AND (a LIKE ? OR b LIKE ? …)`: `term` occurs in one of `columns` (ASCII
/// case-insensitive), with its wildcards escaped.
pub fn push_contained_in_any(q: &mut QueryBuilder, columns: &[&str], term: &str) {
    let pattern = like_pattern(term);
    q.push(" AND (");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push(format_args!("{column} LIKE "))
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\'");
    }
    q.push(")");
}

/// `%term%` for LIKE, with the wildcards in `term` escaped.
pub fn like_pattern(term: &str) -> String {
    format!(
        "%{}%",
        term.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// Rows per chunk of a CSV export: big enough to be cheap, small enough to start at once.
const EXPORT_CHUNK_ROWS: usize = 500;

/// Writes `rows` as CSV (header first, each row's cells from `cells`) to `out` in chunks,
/// as they are read: never all held. Stops early when `out`'s receiver is gone (the
/// client went away).
pub async fn stream_csv<'r>(
    mut rows: futures_util::stream::BoxStream<'r, sqlx::Result<DbRow>>,
    header: &[&str],
    out: &tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    cells: impl Fn(&DbRow) -> anyhow::Result<Vec<String>>,
) -> anyhow::Result<()> {
    use futures_util::TryStreamExt;
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(header)?;
    let mut in_chunk = 0;
    while let Some(row) = rows.try_next().await? {
        csv.write_record(cells(&row)?)?;
        in_chunk += 1;
        if in_chunk == EXPORT_CHUNK_ROWS {
            in_chunk = 0;
            let chunk = std::mem::replace(&mut csv, csv::Writer::from_writer(Vec::new()));
            let bytes = chunk.into_inner().map_err(|e| e.into_error())?;
            if out.send(Ok(bytes)).await.is_err() {
                return Ok(());
            }
        }
    }
    let bytes = csv.into_inner().map_err(|e| e.into_error())?;
    let _ = out.send(Ok(bytes)).await;
    Ok(())
}

/// Now, in the database's time unit (milliseconds since the epoch).
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn to_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Whether an error is a UNIQUE violation on a constraint mentioning `column`.
pub fn is_unique_violation(error: &sqlx::Error, column: &str) -> bool {
    match error {
        // SQLite names the columns ("users.email"); PostgreSQL the index, named after
        // them ("users_email").
        sqlx::Error::Database(e) => {
            e.is_unique_violation()
                && (e.message().contains(column)
                    || e.constraint()
                        .is_some_and(|name| name.contains(&column.replace('.', "_"))))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_never_shown() {
        for (url, shown) in [
            (
                "postgres://gh:s3cret@db/gatehouse",
                "postgres://gh:***@db/gatehouse",
            ),
            (
                "postgres://gh:p@ss@db:5432/g",
                "postgres://gh:***@db:5432/g",
            ),
            (
                "postgres://gh@db/g?password=s3cret&sslmode=require",
                "postgres://gh@db/g?password=***&sslmode=require",
            ),
            ("postgres://gh@db/g", "postgres://gh@db/g"),
            (
                "sqlite://./data/gatehouse.db",
                "sqlite://./data/gatehouse.db",
            ),
        ] {
            assert_eq!(without_password(url), shown);
        }
    }

    #[tokio::test]
    async fn an_index_added_after_analysis_gets_its_statistics() {
        let db = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        for statement in [
            "CREATE TABLE people (a INTEGER, b INTEGER)",
            "INSERT INTO people VALUES (1, 2), (3, 4), (5, 6)",
            "CREATE INDEX people_a ON people (a)",
            "CREATE TABLE never (x INTEGER)",
            "ANALYZE people",
            "CREATE INDEX people_b ON people (b)",
            "CREATE INDEX never_x ON never (x)",
        ] {
            query(statement).execute(&db).await.unwrap();
        }
        refresh_statistics(&db).await.unwrap();
        let known: Vec<String> = query_scalar("SELECT idx FROM sqlite_stat1 ORDER BY idx")
            .fetch_all(&db)
            .await
            .unwrap();
        // The analysed table's new index now has statistics; the table never analysed
        // is left alone.
        assert_eq!(known, ["people_a", "people_b"]);
    }
}
