//! Second factors: TOTP secrets, recovery codes, and the challenges of two-step sign-ins.

use uuid::Uuid;

use super::engine::{query, query_scalar, Conn};
use super::{now_ms, Db};

/// A user's active authenticator secret and the last time step a code was taken for.
pub struct Totp {
    pub secret: String,
    pub last_step: i64,
}

pub async fn totp(db: &Db, user: Uuid) -> sqlx::Result<Option<Totp>> {
    let row = query(
        "SELECT totp_secret, totp_last_step FROM users WHERE id = ? AND totp_secret IS NOT NULL",
    )
    .bind(user)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Totp {
            secret: r.try_get(0)?,
            last_step: r.try_get(1)?,
        })
    })
    .transpose()
}

/// Takes a code's time step, once: `false` if this step (or a later one) was used
/// already, so a code seen over someone's shoulder cannot be replayed.
pub async fn take_step(db: &Db, user: Uuid, step: i64) -> sqlx::Result<bool> {
    let done = query("UPDATE users SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1")
        .bind(step)
        .bind(user)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Stores a secret being set up (replacing any earlier unfinished one).
pub async fn set_pending(db: &Db, user: Uuid, secret: &str) -> sqlx::Result<()> {
    query("UPDATE users SET totp_pending_secret = ? WHERE id = ?")
        .bind(secret)
        .bind(user)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn pending(db: &Db, user: Uuid) -> sqlx::Result<Option<String>> {
    query_scalar::<Option<String>>("SELECT totp_pending_secret FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// Makes the pending secret the active one, with new recovery codes; the user's
/// sessions no longer owe an enrolment.
pub async fn activate(
    conn: &mut Conn,
    user: Uuid,
    step: i64,
    recovery_hashes: &[Vec<u8>],
) -> sqlx::Result<()> {
    query(
        "UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
                totp_last_step = ?, mfa_enabled = TRUE, updated_at = ?, version = version + 1
         WHERE id = ? AND totp_pending_secret IS NOT NULL",
    )
    .bind(step)
    .bind(now_ms())
    .bind(user)
    .execute(&mut *conn)
    .await?;
    replace_recovery_codes(conn, user, recovery_hashes).await?;
    query("UPDATE sessions SET mfa_enrolment_required = FALSE WHERE user_id = ?")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn replace_recovery_codes(
    conn: &mut Conn,
    user: Uuid,
    hashes: &[Vec<u8>],
) -> sqlx::Result<()> {
    query("DELETE FROM mfa_recovery_codes WHERE user_id = ?")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(user)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses up a recovery code; `false` if it is unknown or was used before.
pub async fn take_recovery_code(db: &Db, user: Uuid, hash: &[u8]) -> sqlx::Result<bool> {
    let done = query(
        "UPDATE mfa_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(user)
    .bind(hash)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Forgets every second factor of a user (their secret, a pending one, recovery codes).
pub async fn forget(conn: &mut Conn, user: Uuid) -> sqlx::Result<()> {
    query(
        "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = 0 WHERE id = ?",
    )
    .bind(user)
    .execute(&mut *conn)
    .await?;
    query("DELETE FROM mfa_recovery_codes WHERE user_id = ?")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Starts the second step of a sign-in.
pub async fn create_challenge(
    db: &Db,
    token_hash: &[u8],
    user: Uuid,
    expires_at_ms: i64,
) -> sqlx::Result<()> {
    query("INSERT INTO mfa_challenges (token_hash, user_id, expires_at) VALUES (?, ?, ?)")
        .bind(token_hash)
        .bind(user)
        .bind(expires_at_ms)
        .execute(db)
        .await?;
    Ok(())
}

/// Who a live challenge belongs to.
pub struct ChallengeOwner {
    pub user_id: Uuid,
    pub tenant_id: String,
    pub email: String,
}

pub async fn challenge_owner(db: &Db, token_hash: &[u8]) -> sqlx::Result<Option<ChallengeOwner>> {
    let row = query(
        "SELECT u.id, u.tenant_id, u.email FROM mfa_challenges c JOIN users u ON u.id = c.user_id
         WHERE c.token_hash = ? AND c.expires_at > ? AND u.deleted_at IS NULL",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(ChallengeOwner {
            user_id: r.try_get(0)?,
            tenant_id: r.try_get(1)?,
            email: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Counts a wrong code; after `max` the challenge is gone and sign-in starts over.
pub async fn challenge_failed(db: &Db, token_hash: &[u8], max: i64) -> sqlx::Result<()> {
    query("UPDATE mfa_challenges SET attempts = attempts + 1 WHERE token_hash = ?")
        .bind(token_hash)
        .execute(db)
        .await?;
    query("DELETE FROM mfa_challenges WHERE token_hash = ? AND attempts >= ?")
        .bind(token_hash)
        .bind(max)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends a challenge (used, or expired); `false` if another request took it first.
pub async fn take_challenge(db: &Db, token_hash: &[u8]) -> sqlx::Result<bool> {
    let done = query("DELETE FROM mfa_challenges WHERE token_hash = ?")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn purge_expired_challenges(db: &Db) -> sqlx::Result<u64> {
    let done = query("DELETE FROM mfa_challenges WHERE expires_at <= ?")
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
