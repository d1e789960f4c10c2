//! Tenants.

use gatehouse_api::tenants::Tenant;
use sqlx::Row;

use super::{to_time, Db};

pub async fn get(db: &Db, id: &str) -> sqlx::Result<Option<Tenant>> {
    let row = sqlx::query("SELECT id, name, created_at FROM tenants WHERE id = ?")
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
