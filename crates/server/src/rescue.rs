//! Shell commands for the day nothing else works: every administrator locked out, or the
//! only one lost their authenticator. They act on the database directly, so they need
//! access to the machine, not to the API.

use anyhow::{bail, Context};
use gatehouse_api::users::UserStatus;
use gatehouse_api::validation::{self, normalize_email};

use crate::auth::password::Hasher;
use crate::store::{self, sessions, throttle, users, Db};

async fn find(db: &Db, tenant: &str, email: &str) -> anyhow::Result<gatehouse_api::users::User> {
    users::find_by_email(db, tenant, &normalize_email(email))
        .await?
        .with_context(|| format!("no user {email:?} in tenant {tenant:?}"))
}

/// Makes an account able to sign in again: active, no sign-in block, and with
/// `turn_off_mfa` without its second factor. Returns what was done, for the operator.
pub async fn unlock(
    db: &Db,
    tenant: &str,
    email: &str,
    turn_off_mfa: bool,
) -> anyhow::Result<String> {
    let user = find(db, tenant, email).await?;
    let mut done = Vec::new();
    let mut tx = store::begin_write(db).await?;
    if user.status != UserStatus::Active {
        users::set_status(
            &mut tx,
            tenant,
            user.id,
            UserStatus::Active,
            Some("Unlocked from the server's command line".into()),
        )
        .await?;
        done.push(format!("status {} → ACTIVE", user.status.as_str()));
    }
    if turn_off_mfa {
        users::disable_mfa(&mut tx, tenant, user.id).await?;
        done.push("two-step sign-in turned off".into());
    }
    tx.commit().await?;
    throttle::clear(db, &throttle::account_key(tenant, &user.email)).await?;
    done.push("sign-in block cleared".into());
    Ok(format!("{}: {}.", user.email, done.join(", ")))
}

/// Sets a new password (checked against the policy) and ends every session.
pub async fn set_password(
    db: &Db,
    tenant: &str,
    email: &str,
    new_password: &str,
    require_change: bool,
) -> anyhow::Result<String> {
    let user = find(db, tenant, email).await?;
    if let Err(message) = validation::password(new_password, &user.email) {
        bail!("the password does not meet the policy: {message}");
    }
    let hash = Hasher::default()
        .hash(new_password.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store::begin_write(db).await?;
    users::set_password(&mut tx, tenant, user.id, hash, require_change).await?;
    let ended = sessions::revoke_all(&mut *tx, user.id).await?;
    tx.commit().await?;
    throttle::clear(db, &throttle::account_key(tenant, &user.email)).await?;
    Ok(format!(
        "{}: password set{}, {ended} session(s) ended.",
        user.email,
        if require_change {
            " (they must change it at next sign-in)"
        } else {
            ""
        }
    ))
}

/// Opens the database for a command (migrating it like the server does).
pub async fn open(url: &str) -> anyhow::Result<Db> {
    store::connect(url).await
}
