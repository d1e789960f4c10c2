//! The audit log, read newest first a page at a time.

use gatehouse_api::audit::{AuditPage, AuditQuery};
use gatehouse_api::endpoints::url;

use super::{send, ApiError, Call};
use crate::session::Session;

pub async fn list(session: Session, query: &AuditQuery) -> Result<AuditPage, ApiError> {
    send(
        session,
        Call::get(url::audit(&session.tenant())).query(query.to_pairs()),
    )
    .await
}

/// Every event the query's filters match (its cursor and page size aside), as CSV.
pub async fn export_csv(session: Session, query: &AuditQuery) -> Result<String, ApiError> {
    let filter = AuditQuery {
        cursor: None,
        per_page: None,
        ..query.clone()
    };
    let call = Call::get(url::audit_export(&session.tenant())).query(filter.to_pairs());
    super::fetch_text(session, call).await
}
