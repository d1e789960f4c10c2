//! The outbox: mail waiting to be sent, sent, or failing, in the database so that a
//! restart loses nothing and several servers never send one message twice.

use gatehouse_api::invites::{Delivery, DeliveryStatus, MailKind};
use uuid::Uuid;

use super::engine::{query, query_scalar, Conn, DbRow, On, QueryBuilder};
use super::{now_ms, to_time, Db};

/// A message to queue.
pub struct NewMail<'a> {
    pub tenant: &'a str,
    pub kind: MailKind,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// The user it concerns (a reset, a welcome), for their page.
    pub user: Option<Uuid>,
}

/// Queues a message, due now; its id.
pub async fn enqueue(conn: &mut Conn, mail: &NewMail<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    let now = now_ms();
    query(
        "INSERT INTO outbox (id, tenant_id, kind, to_address, subject, text_body, html_body, user_id,
                             status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?)",
    )
    .bind(id)
    .bind(mail.tenant)
    .bind(mail.kind.as_str())
    .bind(mail.to)
    .bind(mail.subject)
    .bind(mail.text)
    .bind(mail.html)
    .bind(mail.user)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A message taken for sending.
pub struct Claimed {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Including this one.
    pub attempts: u32,
}

/// Takes up to `limit` due messages for `lease_ms`: nobody else takes them meanwhile,
/// and if this server dies they are due again when the lease ends. The outer WHERE
/// repeats the due test: on PostgreSQL a server whose update waited for another's
/// claim of the same row checks that row again as it now is (not the subquery, which
/// it does not rerun), so the second claim finds it taken.
pub async fn claim_due(db: &Db, limit: u32, lease_ms: i64) -> sqlx::Result<Vec<Claimed>> {
    let now = now_ms();
    let rows = query(
        "UPDATE outbox SET claimed_until = ?1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox
                      WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?2 AND claimed_until < ?2
                      ORDER BY next_attempt_at LIMIT ?3)
           AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?2 AND claimed_until < ?2
         RETURNING id, to_address, subject, text_body, html_body, attempts",
    )
    .bind(now + lease_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get(0)?,
                to: r.try_get(1)?,
                subject: r.try_get(2)?,
                text: r.try_get(3)?,
                html: r.try_get(4)?,
                attempts: u32::try_from(r.try_get::<i64, _>(5)?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Sent: the bodies (and the link in them) are forgotten.
pub async fn mark_sent(db: &Db, id: Uuid) -> sqlx::Result<()> {
    query(
        "UPDATE outbox SET status = 'SENT', sent_at = ?, next_attempt_at = NULL, claimed_until = 0,
                           last_error = NULL, text_body = '', html_body = ''
         WHERE id = ?",
    )
    .bind(now_ms())
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// The attempt failed; `retry_at` (ms) when it is tried again, `None` to give up.
pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    error: &str,
    retry_at: Option<i64>,
) -> sqlx::Result<()> {
    // Given up: the link in the bodies is of no more use to anyone.
    query(
        "UPDATE outbox SET status = 'FAILED', last_error = ?1, next_attempt_at = ?2, claimed_until = 0,
                           text_body = CASE WHEN ?2 IS NULL THEN '' ELSE text_body END,
                           html_body = CASE WHEN ?2 IS NULL THEN '' ELSE html_body END
         WHERE id = ?3",
    )
    .bind(error)
    .bind(retry_at)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Stops the unsent messages of these invites (revoked, or replaced by a newer link):
/// they are not tried again, and the links in them are forgotten.
pub async fn cancel_for_invites(
    conn: &mut Conn,
    invite_ids: &[Uuid],
    reason: &str,
) -> sqlx::Result<()> {
    for chunk in invite_ids.chunks(400) {
        let mut q = QueryBuilder::new(
            "UPDATE outbox SET status = 'FAILED', next_attempt_at = NULL, claimed_until = 0,
                               text_body = '', html_body = '', last_error = ",
        );
        q.push_bind(reason)
            .push(" WHERE status != 'SENT' AND id IN (SELECT mail_id FROM invites WHERE id IN (");
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(*id);
        }
        q.push("))");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// When the next due message is, if any (so the worker can sleep until then).
pub async fn next_due(db: &Db) -> sqlx::Result<Option<i64>> {
    query_scalar(
        "SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END)
           FROM outbox WHERE next_attempt_at IS NOT NULL",
    )
    .fetch_one(db)
    .await
}

const DELIVERY_COLUMNS: &str =
    "id, kind, to_address, status, attempts, last_error, next_attempt_at, created_at, sent_at";

pub fn delivery_from_row(row: &DbRow) -> sqlx::Result<Delivery> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        kind: MailKind::parse(&kind).unwrap_or(MailKind::Invite),
        to: row.try_get("to_address")?,
        status: DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Queued),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(0),
        last_error: row.try_get("last_error")?,
        next_attempt_at: row
            .try_get::<Option<i64>, _>("next_attempt_at")?
            .map(to_time),
        created_at: to_time(row.try_get("created_at")?),
        sent_at: row.try_get::<Option<i64>, _>("sent_at")?.map(to_time),
    })
}

/// The deliveries with these ids.
pub async fn deliveries(db: impl Into<On<'_>>, ids: &[Uuid]) -> sqlx::Result<Vec<Delivery>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::new(format!(
        "SELECT {DELIVERY_COLUMNS} FROM outbox WHERE id IN ("
    ));
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(")");
    q.build()
        .fetch_all(db)
        .await?
        .iter()
        .map(delivery_from_row)
        .collect()
}

/// The latest messages about a user (resets, welcome), newest first.
pub async fn of_user(db: &Db, user: Uuid, limit: u32) -> sqlx::Result<Vec<Delivery>> {
    query(format!(
        "SELECT {DELIVERY_COLUMNS} FROM outbox WHERE user_id = ? ORDER BY created_at DESC LIMIT ?"
    ))
    .bind(user)
    .bind(limit)
    .fetch_all(db)
    .await?
    .iter()
    .map(delivery_from_row)
    .collect()
}
