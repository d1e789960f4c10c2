//! Single-use links to choose a password: sent on request ("forgot password"), by an
//! administrator, or with a welcome. Stored as hashes.

use uuid::Uuid;

use super::engine::{query, Conn, On};
use super::now_ms;

/// Issues a link for `user`. Earlier links keep working (a stranger asking for a reset
/// must not kill a welcome link); whichever is used first ends them all.
pub async fn create(
    conn: &mut Conn,
    token_hash: &[u8],
    user: Uuid,
    expires_at_ms: i64,
) -> sqlx::Result<()> {
    let now = now_ms();
    query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(now)
    .bind(expires_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends every unused link of `user`: their password changed (by any means), their
/// address changed, or they can no longer sign in.
pub async fn end_all(conn: &mut Conn, user: Uuid) -> sqlx::Result<()> {
    query("UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
        .bind(now_ms())
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whose live, unused link this is.
pub struct ResetOwner {
    pub user_id: Uuid,
    pub tenant_id: String,
    pub email: String,
    pub expires_at: i64,
}

/// The owner of a link that still works (unused, unexpired, the user live and not
/// disabled or locked).
pub async fn owner(db: impl Into<On<'_>>, token_hash: &[u8]) -> sqlx::Result<Option<ResetOwner>> {
    let row = query(
        "SELECT u.id, u.tenant_id, u.email, r.expires_at FROM password_resets r JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?
           AND u.deleted_at IS NULL AND u.status NOT IN ('DISABLED', 'LOCKED')",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(ResetOwner {
            user_id: r.try_get(0)?,
            tenant_id: r.try_get(1)?,
            email: r.try_get(2)?,
            expires_at: r.try_get(3)?,
        })
    })
    .transpose()
}

/// Uses a link up: `false` if another request used it first.
pub async fn take(conn: &mut Conn, token_hash: &[u8]) -> sqlx::Result<bool> {
    let done = query(
        "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(now_ms())
    .bind(token_hash)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
