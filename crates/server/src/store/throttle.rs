//! Failed sign-in counters, in the database so that every server behind a load
//! balancer sees the same ones. A key over its limit is blocked for a while; nothing
//! here ever locks an account for good.

use super::engine::{query, query_scalar, Conn};
use super::{now_ms, Db};

/// How long failures of one client address are counted together.
pub const CLIENT_WINDOW_MS: i64 = 10 * 60 * 1000;
/// The longest an account is ever blocked for, however many strikes it has.
pub const MAX_BLOCK_MS: i64 = 60 * 60 * 1000;

/// The key counting failures for an email address of a tenant, whether or not an account
/// has it: the answers must not tell which addresses exist.
pub fn account_key(tenant: &str, email: &str) -> String {
    format!("account:{tenant}:{email}")
}

/// The key counting failures from one client address.
pub fn client_key(address: &str) -> String {
    format!("client:{address}")
}

/// Until when (milliseconds since the epoch) the first blocked of `keys` is blocked.
pub async fn blocked_until(conn: &mut Conn, keys: &[&str]) -> sqlx::Result<Option<i64>> {
    let now = now_ms();
    let mut latest = None;
    for key in keys {
        let until: Option<i64> = query_scalar(
            "SELECT blocked_until FROM sign_in_throttle WHERE key = ? AND blocked_until > ?",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        latest = latest.max(until);
    }
    Ok(latest)
}

/// Counts a failure against an account. At `limit` failures in a row the account is
/// blocked for `base_ms`, doubled for each earlier block since its last success, at most
/// [`MAX_BLOCK_MS`]; the count starts again after the block.
pub async fn account_failed(
    conn: &mut Conn,
    key: &str,
    limit: u32,
    base_ms: i64,
) -> sqlx::Result<()> {
    let now = now_ms();
    let row = query(
        "INSERT INTO sign_in_throttle (key, failures, window_started_at) VALUES (?1, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET failures = sign_in_throttle.failures + 1, window_started_at = ?2
         RETURNING failures, strikes",
    )
    .bind(key)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let failures: i64 = row.try_get(0)?;
    let strikes: i64 = row.try_get(1)?;
    if failures >= i64::from(limit) {
        let block = base_ms
            .saturating_mul(1 << strikes.clamp(0, 16))
            .min(MAX_BLOCK_MS);
        query(
            "UPDATE sign_in_throttle SET failures = 0, strikes = strikes + 1, blocked_until = ?
             WHERE key = ?",
        )
        .bind(now + block)
        .bind(key)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Counts a failure from a client address: `limit` failures within
/// [`CLIENT_WINDOW_MS`] block it until the window ends.
pub async fn client_failed(conn: &mut Conn, key: &str, limit: u32) -> sqlx::Result<()> {
    count_in_window(conn, key, limit, CLIENT_WINDOW_MS).await
}

/// Counts an event against `key`: the `limit`th within `window_ms` blocks the key until
/// the window ends (rate limits, such as "forgot password" requests).
pub async fn count_in_window(
    conn: &mut Conn,
    key: &str,
    limit: u32,
    window_ms: i64,
) -> sqlx::Result<()> {
    let now = now_ms();
    let row = query(
        "INSERT INTO sign_in_throttle (key, failures, window_started_at) VALUES (?1, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN sign_in_throttle.window_started_at <= ?2 - ?3 THEN 1
                             ELSE sign_in_throttle.failures + 1 END,
             window_started_at = CASE WHEN sign_in_throttle.window_started_at <= ?2 - ?3 THEN ?2
                                      ELSE sign_in_throttle.window_started_at END
         RETURNING failures, window_started_at",
    )
    .bind(key)
    .bind(now)
    .bind(window_ms)
    .fetch_one(&mut *conn)
    .await?;
    let failures: i64 = row.try_get(0)?;
    let started: i64 = row.try_get(1)?;
    if failures >= i64::from(limit) {
        query("UPDATE sign_in_throttle SET blocked_until = ? WHERE key = ?")
            .bind(started + window_ms)
            .bind(key)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A success (or an administrator's unlock) forgets an account's failures and strikes.
pub async fn clear(db: &Db, key: &str) -> sqlx::Result<()> {
    query("DELETE FROM sign_in_throttle WHERE key = ?")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes counters nobody has touched for a day.
pub async fn purge_stale(db: &Db) -> sqlx::Result<u64> {
    let day_ago = now_ms() - 24 * 60 * 60 * 1000;
    let done =
        query("DELETE FROM sign_in_throttle WHERE blocked_until < ?1 AND window_started_at < ?1")
            .bind(day_ago)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}
