//! Tenants.

use gatehouse_api::auth::{MfaPolicy, SecuritySettings};
use gatehouse_api::tenants::Tenant;
use uuid::Uuid;

use super::engine::{query, query_scalar, Conn};
use super::{to_time, Db};

pub async fn get(db: &Db, id: &str) -> sqlx::Result<Option<Tenant>> {
    let row = query("SELECT id, name, created_at FROM tenants WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        Ok(Tenant {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            created_at: to_time(r.try_get(2)?),
        })
    })
    .transpose()
}

/// The tenant's sign-in policy.
pub async fn security(db: &Db, tenant: &str) -> sqlx::Result<Option<SecuritySettings>> {
    let Some(row) = query(
        "SELECT mfa_policy, settings_version, api_key_max_days, audit_retention_days FROM tenants WHERE id = ?",
    )
    .bind(tenant)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let policy: String = row.try_get(0)?;
    let mfa_role_ids =
        query_scalar::<Uuid>("SELECT role_id FROM tenant_mfa_roles WHERE tenant_id = ?")
            .bind(tenant)
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
    Ok(Some(SecuritySettings {
        mfa_policy: MfaPolicy::parse(&policy).unwrap_or_default(),
        mfa_role_ids,
        api_key_max_days: row
            .try_get::<Option<i64>, _>(2)?
            .and_then(|d| u32::try_from(d).ok()),
        audit_retention_days: u32::try_from(row.try_get::<i64, _>(3)?).unwrap_or_default(),
        version: row.try_get(1)?,
    }))
}

/// Writes the policy if the settings are still at `version`; `false` if someone else
/// changed them first.
pub async fn set_security(
    conn: &mut Conn,
    tenant: &str,
    version: i64,
    policy: MfaPolicy,
    role_ids: &[Uuid],
    api_key_max_days: Option<Option<u32>>,
    audit_retention_days: Option<u32>,
) -> sqlx::Result<bool> {
    // `api_key_max_days` and `audit_retention_days` left out keep what is there.
    let done = query(
        "UPDATE tenants SET mfa_policy = ?1, settings_version = settings_version + 1,
             api_key_max_days = CASE WHEN ?2 THEN ?3 ELSE api_key_max_days END,
             audit_retention_days = COALESCE(?6, audit_retention_days)
         WHERE id = ?4 AND settings_version = ?5",
    )
    .bind(policy.as_str())
    .bind(api_key_max_days.is_some())
    .bind(api_key_max_days.flatten())
    .bind(tenant)
    .bind(version)
    .bind(audit_retention_days)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    query("DELETE FROM tenant_mfa_roles WHERE tenant_id = ?")
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    for role in role_ids {
        query("INSERT INTO tenant_mfa_roles (tenant_id, role_id) VALUES (?, ?)")
            .bind(tenant)
            .bind(role)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// The longest an API key of the tenant may live, in days (`None`: no limit).
pub async fn api_key_max_days(db: &Db, tenant: &str) -> sqlx::Result<Option<u32>> {
    let days: Option<Option<i64>> =
        query_scalar("SELECT api_key_max_days FROM tenants WHERE id = ?")
            .bind(tenant)
            .fetch_optional(db)
            .await?;
    Ok(days.flatten().and_then(|d| u32::try_from(d).ok()))
}

/// Whether the tenant's policy requires `user` to have a second factor.
pub async fn mfa_required_for(db: &Db, tenant: &str, user: Uuid) -> sqlx::Result<bool> {
    let policy: Option<String> = query_scalar("SELECT mfa_policy FROM tenants WHERE id = ?")
        .bind(tenant)
        .fetch_optional(db)
        .await?;
    match policy.as_deref().and_then(MfaPolicy::parse) {
        Some(MfaPolicy::Everyone) => Ok(true),
        Some(MfaPolicy::Roles) => {
            let held: i64 = query_scalar(
                "SELECT COUNT(*) FROM tenant_mfa_roles t WHERE t.tenant_id = ?1 AND t.role_id IN (
                     SELECT role_id FROM user_roles WHERE user_id = ?2
                     UNION SELECT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id
                      WHERE gm.user_id = ?2)",
            )
            .bind(tenant)
            .bind(user)
            .fetch_one(db)
            .await?;
            Ok(held > 0)
        }
        _ => Ok(false),
    }
}
