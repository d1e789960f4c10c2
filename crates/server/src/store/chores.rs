//! Periodic work done by one server at a time, however many share the database.

use super::engine::{query, query_scalar};
use super::{now_ms, Db};

/// Takes the chore `name` when it is due: `true` means this server does it now, and no
/// server (this one included) gets it again for `every_ms`. If the server dies doing
/// it, it is due again after that.
pub async fn take(db: &Db, name: &str, every_ms: i64) -> sqlx::Result<bool> {
    let now = now_ms();
    let taken = query(
        "INSERT INTO chores (name, due_at, runs) VALUES (?1, ?2 + ?3, 1)
         ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at, runs = chores.runs + 1
          WHERE chores.due_at <= ?2",
    )
    .bind(name)
    .bind(now)
    .bind(every_ms)
    .execute(db)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// How many times the chore `name` has been taken, by any server.
pub async fn runs(db: &Db, name: &str) -> sqlx::Result<i64> {
    let runs: Option<i64> = query_scalar("SELECT runs FROM chores WHERE name = ?")
        .bind(name)
        .fetch_optional(db)
        .await?;
    Ok(runs.unwrap_or(0))
}
