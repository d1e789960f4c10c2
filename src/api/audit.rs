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
