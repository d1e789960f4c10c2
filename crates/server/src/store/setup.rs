//! First-run setup: one-time tokens and the "setup is done" mark.

use super::engine::{query, query_scalar, Conn};
use super::{now_ms, Db};

const COMPLETED: &str = "setup_completed_at";

pub async fn is_completed(db: &Db) -> sqlx::Result<bool> {
    let row = query_scalar::<String>("SELECT value FROM settings WHERE key = ?")
        .bind(COMPLETED)
        .fetch_optional(db)
        .await?;
    Ok(row.is_some())
}

/// Closes setup for good and forgets every setup token. Fails (UNIQUE) if another
/// request completed setup first.
pub async fn mark_completed(tx: &mut Conn) -> sqlx::Result<()> {
    query("INSERT INTO settings (key, value) VALUES (?, ?)")
        .bind(COMPLETED)
        .bind(now_ms().to_string())
        .execute(&mut *tx)
        .await?;
    query("DELETE FROM setup_tokens").execute(&mut *tx).await?;
    Ok(())
}

/// How long a setup link works.
pub const TOKEN_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// Makes `token_hash` the one setup token: the link printed at an earlier start stops
/// working.
pub async fn replace_token(db: &Db, token_hash: &[u8]) -> sqlx::Result<()> {
    let mut tx = super::begin_write(db).await?;
    query("DELETE FROM setup_tokens").execute(&mut *tx).await?;
    query("INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)")
        .bind(token_hash)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Whether a setup token is current (checked before any expensive work).
pub async fn token_is_valid(db: &Db, token_hash: &[u8]) -> sqlx::Result<bool> {
    let found: Option<i64> =
        query_scalar("SELECT created_at FROM setup_tokens WHERE token_hash = ? AND created_at > ?")
            .bind(token_hash)
            .bind(now_ms() - TOKEN_LIFETIME_MS)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Consumes a current setup token inside the transaction that creates the administrator.
pub async fn take_token(tx: &mut Conn, token_hash: &[u8]) -> sqlx::Result<bool> {
    let done = query("DELETE FROM setup_tokens WHERE token_hash = ? AND created_at > ?")
        .bind(token_hash)
        .bind(now_ms() - TOKEN_LIFETIME_MS)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() > 0)
}
