//! Sign-in sessions: bearer tokens stored as SHA-256 hashes.

use std::collections::BTreeSet;

use gatehouse_api::Permission;
use uuid::Uuid;

use super::engine::{query, query_scalar, On};
use super::{now_ms, Db};

/// Who a valid, unexpired token signs in, and what the session still owes.
pub struct SessionOwner {
    pub user_id: Uuid,
    pub tenant_id: String,
    /// When the session last proved who is at the keyboard (ms since the epoch).
    pub confirmed_at: i64,
    pub require_password_change: bool,
    pub mfa_enrolment_required: bool,
}

/// Opens a session; signing in counts as confirming who one is.
pub async fn create(
    db: impl Into<On<'_>>,
    token_hash: &[u8],
    user_id: Uuid,
    expires_at_ms: i64,
    mfa_enrolment_required: bool,
) -> sqlx::Result<()> {
    let now = now_ms();
    query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, confirmed_at, mfa_enrolment_required)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at_ms)
    .bind(now)
    .bind(mfa_enrolment_required)
    .execute(db)
    .await?;
    Ok(())
}

/// The owner of a session, if the token is known, unexpired, and its user active.
pub async fn find_owner(db: &Db, token_hash: &[u8]) -> sqlx::Result<Option<SessionOwner>> {
    let row = query(
        "SELECT u.id, u.tenant_id, s.confirmed_at, u.require_password_change, s.mfa_enrolment_required
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.deleted_at IS NULL AND u.status = 'ACTIVE'",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(SessionOwner {
            user_id: r.try_get(0)?,
            tenant_id: r.try_get(1)?,
            confirmed_at: r.try_get(2)?,
            require_password_change: r.try_get(3)?,
            mfa_enrolment_required: r.try_get(4)?,
        })
    })
    .transpose()
}

/// Records that the session just proved who is at the keyboard.
pub async fn confirm(db: &Db, token_hash: &[u8]) -> sqlx::Result<i64> {
    let now = now_ms();
    query("UPDATE sessions SET confirmed_at = ? WHERE token_hash = ?")
        .bind(now)
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(now)
}

/// Signs a user out everywhere but in the session `keep`.
pub async fn revoke_others<'e>(
    db: impl Into<On<'e>>,
    user_id: Uuid,
    keep: &[u8],
) -> sqlx::Result<u64> {
    let done = query("DELETE FROM sessions WHERE user_id = ? AND token_hash != ?")
        .bind(user_id)
        .bind(keep)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

pub async fn revoke(db: impl Into<On<'_>>, token_hash: &[u8]) -> sqlx::Result<()> {
    query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Signs a user out everywhere.
pub async fn revoke_all<'e>(db: impl Into<On<'e>>, user_id: Uuid) -> sqlx::Result<u64> {
    let done = query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Removes expired sessions; called now and then so the table does not grow forever.
pub async fn purge_expired(db: &Db) -> sqlx::Result<u64> {
    let done = query("DELETE FROM sessions WHERE expires_at <= ?")
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Parses the space-separated permission list stored with a role, skipping names this
/// version no longer knows.
pub fn parse_permissions(stored: &str) -> impl Iterator<Item = Permission> + '_ {
    stored.split_whitespace().filter_map(Permission::parse)
}

/// A user's effective permissions: the union of every role they hold, directly or
/// through their groups.
pub async fn effective_permissions(db: &Db, user_id: Uuid) -> sqlx::Result<BTreeSet<Permission>> {
    let rows = query_scalar::<String>(
        "SELECT r.permissions FROM roles r WHERE r.id IN (
             SELECT role_id FROM user_roles WHERE user_id = ?1
             UNION SELECT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id
              WHERE gm.user_id = ?1)",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().flat_map(|p| parse_permissions(p)).collect())
}
