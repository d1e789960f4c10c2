//! The database: connection, migrations, and one module of queries per resource.
//! Handlers call these functions; SQL lives nowhere else.

pub mod groups;
pub mod roles;
pub mod sessions;
pub mod setup;
pub mod tenants;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub type Db = SqlitePool;

/// Opens (creating if needed) the database named by `url` and brings its schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("PostgreSQL is not supported by this build yet; use a sqlite:// database URL");
    }
    if !url.starts_with("sqlite:") {
        bail!("unsupported database URL {url:?}: expected sqlite://path/to/file.db");
    }
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
    let db = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    sqlx::migrate!("./migrations")
        .run(&db)
        .await
        .context("database migration failed")?;
    roles::ensure_builtin_roles(&db).await?;
    Ok(db)
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
        sqlx::Error::Database(e) => e.is_unique_violation() && e.message().contains(column),
        _ => false,
    }
}
